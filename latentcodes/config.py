"""Run configuration and recipes.

A recipe is a named, validated ``RunConfig``. Everything a run does is decided
by its config, which is written into the run directory, so a run can be
repeated from that file alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from latentcodes.errors import ConfigError

__all__ = ["RunConfig", "Recipe", "config_error", "parse_setting"]

Precision = Literal["auto", "fp32", "bf16", "fp16"]
MAX_WIDTH = 65_536  # noise and Q-head widths; beyond this a layer would not fit in memory


class RunConfig(BaseModel):
    """Everything one training run needs.

    ``steps`` wins over ``epochs``; an epoch is ``len(dataset) // batch_size``
    steps (937 on MNIST at batch 64, as in the tutorial).

    The defaults are ``mnist-infogan``'s settings, chosen by measurement
    (docs/results.md): the paper's model and learning rates, the MI loss
    training the trunk (``mi_trunk``), and ``real_mi``: the categories must
    also carry information about real images, read alike from each image and
    a randomly moved, thickened or thinned copy of it
    (``real_views="affine-stroke"``). ``real_mi=0`` is plain InfoGAN.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    dataset: str = "mnist"
    backbone: str = "paper"
    codes: list[str] = Field(default_factory=lambda: ["Categorical(10)"])
    noise_dim: int = Field(62, ge=0, le=MAX_WIDTH)
    noise: Literal["normal", "uniform"] = "uniform"
    noise_scale: float = Field(1.0, gt=0, le=100)
    q_hidden: int = Field(128, ge=1, le=MAX_WIDTH)

    steps: int | None = Field(None, gt=0, lt=2**31)
    epochs: float | None = Field(None, gt=0)
    batch_size: int = Field(64, ge=2)
    d_batch: Literal["half", "full"] = "full"
    lr_d: float = Field(2e-4, gt=0, le=1)  # Adam steps beyond 1 only diverge
    lr_g: float = Field(1e-3, gt=0, le=1)
    beta1: float = Field(0.5, ge=0, lt=1)
    beta2: float = Field(0.999, ge=0, lt=1)
    mi_trunk: bool = True
    # The real-image MI term: its weight, and the second view of each image.
    real_mi: float = Field(2.0, ge=0, le=100)
    real_views: Literal["same", "affine", "affine-stroke"] = "affine-stroke"

    seed: int = Field(0, ge=0, lt=2**63)
    device: str = "auto"
    precision: Precision = "auto"
    channels_last: bool = False
    compile: bool = False
    log_every: int = Field(50, gt=0)
    grid_every: int = Field(500, gt=0)
    checkpoint_every: int = Field(1000, gt=0)
    alarm_after: int = Field(1000, ge=0)  # warm-up before a code may be called ignored

    @field_validator("codes")
    @classmethod
    def _codes_parse(cls, specs: list[str]) -> list[str]:
        from latentcodes.spec import parse_codes

        codes = [repr(code) for spec in specs for code in parse_codes(spec)]
        if not codes:
            raise ValueError("codes: at least one code is needed, e.g. 'Categorical(10)'")
        return codes

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, values: Any) -> Any:
        # pydantic would read true as 1: a typo'd flag must not become a number.
        if isinstance(values, dict):
            for key, value in values.items():
                field = cls.model_fields.get(key)
                numeric = field is not None and field.annotation is not bool
                if isinstance(value, bool) and numeric:
                    raise ValueError(f"{key}={value} is not allowed; {key} takes a number or text")
        return values

    @model_validator(mode="after")
    def _real_mi_needs_trunk(self) -> RunConfig:
        if self.real_mi > 0 and not self.mi_trunk:
            raise ValueError(
                f"real_mi={self.real_mi} needs mi_trunk=true, since the real-image term "
                "trains the trunk and Q head in D's optimiser; set real_mi=0 to turn it off"
            )
        return self

    @classmethod
    def build(cls, values: dict[str, Any]) -> RunConfig:
        """Validate ``values``; a bad value raises a one-line ``ConfigError``."""
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise config_error(error) from None

    def updated(self, **changes: Any) -> RunConfig:
        """A validated copy with ``changes`` applied (None values are ignored)."""
        values = self.model_dump()
        values.update({k: v for k, v in changes.items() if v is not None})
        return RunConfig.build(values)

    def total_steps(self, dataset_size: int) -> int:
        if self.steps is not None:
            return self.steps
        per_epoch = max(1, dataset_size // self.batch_size)
        return max(1, round((self.epochs or 1.0) * per_epoch))


def config_error(error: ValidationError) -> ConfigError:
    """One line naming the first bad value and what is allowed."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "config"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(RunConfig.model_fields)
        return ConfigError(f"unknown config key {field!r}; allowed keys: {allowed}")
    if first["type"] == "value_error":
        return ConfigError(message)
    return ConfigError(f"config value {field}={first.get('input')!r} is not allowed: {message}")


@dataclass(frozen=True)
class Recipe:
    """A named configuration, registered as a plugin."""

    description: str
    config: RunConfig


def parse_setting(text: str) -> tuple[str, Any]:
    """``"KEY=VALUE"`` from a command line as a key and a typed value:
    true/false, null/none, an integer, a number, a JSON list, or else the
    text itself. Dashes in the key read as underscores (``real-mi=0``)."""
    raw_key, sep, raw = text.partition("=")
    key = raw_key.strip().replace("-", "_")
    if not sep or not key:
        raise ConfigError(f"setting {text!r} is not allowed; write KEY=VALUE, e.g. real_mi=0")
    value: Any = raw.strip()
    if value.lower() in ("true", "false"):
        return key, value.lower() == "true"
    if value.lower() in ("null", "none"):
        return key, None
    for kind in (int, float):
        try:
            return key, kind(value)
        except ValueError:
            pass
    if value.startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            message = f"setting {text!r} is not allowed: {value} is not a JSON list"
            raise ConfigError(message) from None
    return key, value
