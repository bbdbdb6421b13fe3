"""``InfoGAN``: generator, discriminator trunk, D head and Q head in one object.

The same object trains (``fit``), saves, loads and generates images with
chosen code values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

from latentcodes.backbone import ImageShape, evaluating, init_normal, trunk_features
from latentcodes.checkpoint import load_checkpoint, save_checkpoint
from latentcodes.codes import Categorical, LatentCode
from latentcodes.errors import CheckpointError, ConfigError, LatentCodesError
from latentcodes.latent_space import LatentSpace, Noise
from latentcodes.registries import BACKBONES
from latentcodes.config import MAX_WIDTH
from latentcodes.spec import code_from_spec, parse_code, parse_codes

if TYPE_CHECKING:
    from latentcodes.config import RunConfig
    from latentcodes.data import ImageData
    from latentcodes.trainer import Summary

__all__ = ["InfoGAN"]

# The RunConfig fields that say what the model is, as opposed to how it trains.
CONFIG_FIELDS = ("codes", "backbone", "noise_dim", "noise", "noise_scale", "q_hidden")


class InfoGAN(nn.Module):
    """An InfoGAN: ``G(noise, codes)``, a D trunk shared by the D and Q heads.

    Args:
        codes: the codes, as objects or spec strings; default ``[Categorical(10)]``.
        noise_dim: width of the unstructured noise.
        noise: ``"normal"`` or ``"uniform"`` noise.
        noise_scale: standard deviation (normal) or half-width (uniform) of the noise.
        backbone: name of a registered backbone (``latentcodes list``).
        image_shape: ``(channels, height, width)`` of the images.
        q_hidden: width of the Q head's hidden layer.

    Example:
        >>> from latentcodes import InfoGAN, Categorical, Uniform
        >>> gan = InfoGAN(codes=[Categorical(10), Uniform(2)])
        >>> gan.generate(4, codes={0: 3}, seed=0).shape
        torch.Size([4, 1, 28, 28])
    """

    def __init__(
        self,
        codes: Sequence[LatentCode | str] | None = None,
        noise_dim: int = 62,
        noise: Noise = "uniform",
        backbone: str = "paper",
        image_shape: ImageShape = (1, 28, 28),
        q_hidden: int = 128,
        noise_scale: float = 1.0,
    ) -> None:
        super().__init__()
        if isinstance(codes, str):  # one spec string may hold several codes
            codes = parse_codes(codes)
        if codes is not None and not isinstance(codes, Sequence):
            raise ConfigError(f"codes={codes!r} is not allowed; pass a list of codes or specs")
        width_ok = not isinstance(q_hidden, bool) and isinstance(q_hidden, int)
        if not (width_ok and 1 <= q_hidden <= MAX_WIDTH):
            raise ConfigError(f"q_hidden={q_hidden!r} is not allowed; use 1 to {MAX_WIDTH}")
        code_list = [Categorical(10)] if codes is None else [_as_code(c) for c in codes]
        self.space = LatentSpace(code_list, noise_dim, noise, noise_scale)
        self.backbone = backbone
        self.image_shape = tuple(image_shape)
        self.q_hidden = q_hidden

        pair = BACKBONES.get(backbone)
        self.generator = pair.generator(self.space.input_dim, self.image_shape)
        self.trunk = pair.trunk(self.image_shape)
        features = trunk_features(self.trunk, self.image_shape)
        self.d_head = init_normal(nn.Linear(features, 1))
        self.q_head = init_normal(self.space.build_q_head(features, q_hidden))

    @property
    def codes(self) -> list[LatentCode]:
        return self.space.codes

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, latent: Tensor) -> Tensor:
        """Images ``(n, *image_shape)`` in [-1, 1] from generator inputs."""
        return self.generator(latent)

    def discriminate(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """D's logit ``(n, 1)`` and the Q head's output ``(n, head_dim)``."""
        features = self.trunk(images)
        return self.d_head(features), self.q_head(features)

    @torch.no_grad()
    def generate(
        self, n: int = 16, codes: Mapping[int, Any] | None = None, seed: int | None = 0
    ) -> Tensor:
        """``n`` images in [-1, 1] on the CPU, with code ``i`` fixed to ``codes[i]``
        (e.g. ``{0: 3}``: category 3) and everything else drawn from the prior."""
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        batch = self.space.with_values(self.space.sample(n, generator), codes or {})
        return self.decode(batch.input())

    def decode(self, latent: Tensor) -> Tensor:
        """Run G in inference mode (BN running statistics) on generator inputs."""
        with evaluating(self.generator):
            return self.generator(latent.to(self.device)).float().cpu()

    def read_codes(self, images: Tensor) -> Tensor:
        """The Q head's output ``(n, head_dim)`` for images, in inference mode."""
        with evaluating(self.trunk, self.q_head):
            return self.q_head(self.trunk(images.to(self.device))).float().cpu()

    def settings(self) -> dict[str, Any]:
        """The constructor arguments, JSON-ready, as saved in checkpoints."""
        return {
            "codes": [code.spec() for code in self.codes],
            "noise_dim": self.space.noise_dim,
            "noise": self.space.noise,
            "noise_scale": self.space.noise_scale,
            "backbone": self.backbone,
            "image_shape": list(self.image_shape),
            "q_hidden": self.q_hidden,
        }

    def config_fields(self) -> dict[str, Any]:
        """The ``RunConfig`` fields that describe this model, with its values."""
        settings = self.settings()
        fields = {key: settings[key] for key in CONFIG_FIELDS if key != "codes"}
        return {"codes": [repr(code) for code in self.codes], **fields}

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> InfoGAN:
        try:
            codes = [code_from_spec(spec) for spec in settings["codes"]]
            return cls(
                codes,
                noise_dim=settings["noise_dim"],
                noise=settings["noise"],
                backbone=settings["backbone"],
                image_shape=tuple(settings["image_shape"]),  # type: ignore[arg-type]
                q_hidden=settings["q_hidden"],
                # Checkpoints written before noise_scale existed do not hold it.
                noise_scale=settings.get("noise_scale", 1.0),
            )
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise CheckpointError(f"model settings are incomplete or malformed: {error}") from None

    @classmethod
    def from_config(cls, config: RunConfig, image_shape: ImageShape = (1, 28, 28)) -> InfoGAN:
        """The model a run config describes, for images of ``image_shape``."""
        return cls(
            config.codes,
            noise_dim=config.noise_dim,
            noise=config.noise,
            backbone=config.backbone,
            image_shape=image_shape,
            q_hidden=config.q_hidden,
            noise_scale=config.noise_scale,
        )

    def save(self, path: Path | str) -> Path:
        """Save settings and weights to ``path`` (atomic)."""
        return save_checkpoint(path, {"model": self.settings(), "state": self.state_dict()})

    @classmethod
    def load(cls, path: Path | str) -> InfoGAN:
        """Load a model from a file written by ``save`` or a run's checkpoint
        (a run directory works too)."""
        return cls.from_checkpoint(load_checkpoint(path, required=("model", "state")), path)

    @classmethod
    def from_checkpoint(cls, payload: Mapping[str, Any], path: Path | str) -> InfoGAN:
        """The model held by a checkpoint already read from ``path``."""
        model = cls.from_settings(payload["model"])
        try:
            model.load_state_dict(payload["state"])
        except RuntimeError as error:
            detail = " ".join(str(error).split())[:300]
            raise CheckpointError(f"checkpoint {path} does not fit its model: {detail}") from None
        broken = [name for name, value in model.state_dict().items()
                  if value.is_floating_point() and not torch.isfinite(value).all()]
        if broken:
            # Every image and figure from such a model would be NaN or noise.
            more = f" and {len(broken) - 1} more" if len(broken) > 1 else ""
            raise CheckpointError(
                f"checkpoint {path} holds weights that are not finite ({broken[0]}{more}): "
                "training had diverged when it was saved; train again with lower learning rates"
            )
        return model

    def fit(
        self,
        data: ImageData | str = "mnist",
        out: Path | str | None = None,
        data_dir: Path | str | None = None,
        progress: bool = False,
        **config: Any,
    ) -> Summary:
        """Train on ``data`` (a dataset name or ``ImageData``).

        Keyword arguments are ``RunConfig`` fields (``steps``, ``batch_size``,
        ``lr_g``, ...); ``out`` is an optional run directory and ``data_dir``
        the folder of a named dataset's files.
        """
        from latentcodes.config import RunConfig
        from latentcodes.trainer import train_model

        # What the model is was fixed when it was built; fit only trains it.
        misplaced = sorted({*CONFIG_FIELDS, "dataset"} & set(config))
        if misplaced:
            raise ConfigError(
                f"fit() does not take {', '.join(misplaced)}: they describe the model; give "
                "them to InfoGAN(...) (and the data as fit's first argument)"
            )
        values = {**self.config_fields(), **config}
        from latentcodes.data import ImageData

        if not isinstance(data, (str, ImageData)):
            raise ConfigError(
                f"data={type(data).__name__} is not allowed; pass a dataset name such as "
                "'mnist' or an ImageData"
            )
        values["dataset"] = data if isinstance(data, str) else data.name
        run_config = RunConfig.build(values)
        return train_model(self, run_config, data, out, data_dir, progress)


def _as_code(code: LatentCode | str) -> LatentCode:
    if isinstance(code, LatentCode):
        return code
    if isinstance(code, str):
        return parse_code(code)
    raise LatentCodesError(f"code {code!r} is not allowed; pass a LatentCode or a spec string")
