"""Device and precision choice.

``auto`` picks CUDA when present. Precision ``auto`` means bf16 autocast where
the hardware runs bf16 natively (CUDA cards that support it; CPUs with
AVX512-BF16 or AMX), fp16 with a gradient scaler on older CUDA cards, and
fp32 elsewhere. fp16 is offered on CUDA only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


def cpu_has_native_bf16() -> bool:
    """Whether this CPU multiplies bf16 in hardware (Linux flags; False elsewhere)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _auto_precision(device: torch.device) -> str:
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    # Measured on a 2-core Zen 4: bf16 autocast trains the tutorial model 1.7x
    # and the paper model 2x as fast as fp32 (docs/performance.md).
    return "bf16" if cpu_has_native_bf16() else "fp32"


@dataclass(frozen=True)
class Precision:
    """How forward passes run: a dtype for autocast, or None for plain fp32."""

    device: torch.device
    dtype: torch.dtype | None

    @classmethod
    def choose(cls, name: str, device: torch.device) -> Precision:
        if name == "auto":
            name = _auto_precision(device)
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
