"""Device and precision choice.

``auto`` picks CUDA when present. Precision ``auto`` means bf16 autocast on a
CUDA device that supports it and fp32 elsewhere; fp16 uses a gradient scaler
and is offered on CUDA only, where it is the fallback for older cards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from latentcodes.errors import ConfigError

__all__ = ["resolve_device", "Precision"]


def resolve_device(name: str = "auto") -> torch.device:
    """``auto``, ``cpu``, ``cuda`` or ``cuda:N``, checked against this machine."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(
            f"device {name!r} is not allowed; use auto, cpu, cuda or cuda:N"
        ) from None
    if device.type not in ("cpu", "cuda"):
        raise ConfigError(f"device {name!r} is not allowed; use auto, cpu, cuda or cuda:N")
    if device.type == "cuda":
        count = torch.cuda.device_count()
        if count == 0:
            raise ConfigError(f"device {name!r} asked for, but this machine has no CUDA GPU")
        if device.index is not None and device.index >= count:
            raise ConfigError(f"device {name!r} asked for, but this machine has {count} GPU(s)")
    return device


@dataclass(frozen=True)
class Precision:
    """How forward passes run: a dtype for autocast, or None for plain fp32."""

    device: torch.device
    dtype: torch.dtype | None

    @classmethod
    def choose(cls, name: str, device: torch.device) -> Precision:
        if name == "auto":
            bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
            name = "bf16" if bf16 else "fp32"
        if name == "fp16" and device.type != "cuda":
            raise ConfigError("precision 'fp16' needs a CUDA device; on CPU use bf16 or fp32")
        dtypes = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
        if name not in dtypes:
            raise ConfigError(f"precision {name!r} is not allowed; use auto, fp32, bf16 or fp16")
        return cls(device, dtypes[name])

    @property
    def name(self) -> str:
        return {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]

    @property
    def needs_scaler(self) -> bool:
        return self.dtype is torch.float16

    @contextlib.contextmanager
    def autocast(self) -> Iterator[None]:
        if self.dtype is None:
            yield
            return
        with torch.autocast(self.device.type, dtype=self.dtype):
            yield
