"""The latent space: noise plus an ordered list of codes.

It draws batches from the prior, lays noise and codes side by side as the
generator input, builds the Q head from the codes' head widths and turns the Q
head's output into the weighted MI loss, with each code's term and MI bound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch import Tensor, nn

from latentcodes.codes import LatentCode
from latentcodes.errors import ConfigError

__all__ = ["LatentSpace", "LatentBatch", "MILoss", "Noise"]

Noise = Literal["normal", "uniform"]


@dataclass
class LatentBatch:
    """One batch from the latent space: noise ``(n, noise_dim)`` and one
    tensor ``(n, code.input_dim)`` per code."""

    noise: Tensor
    codes: list[Tensor]

    def input(self) -> Tensor:
        """The generator input, ``(n, noise_dim + sum of code widths)``."""
        return torch.cat([self.noise, *self.codes], dim=1)

    def to(self, device: torch.device | str) -> LatentBatch:
        move = {"device": device, "non_blocking": True}
        return LatentBatch(self.noise.to(**move), [c.to(**move) for c in self.codes])


@dataclass
class MILoss:
    """The weighted MI loss and, per code name, its NLL term and MI bound.

    All values are tensors so that reading them does not force a host sync.
    """

    total: Tensor
    terms: dict[str, Tensor]
    bounds: dict[str, Tensor]


class LatentSpace:
    """Noise plus codes, in the order the generator sees them.

    Args:
        codes: the codes, each with its own lambda (``code.weight``).
        noise_dim: width of the unstructured noise.
        noise: ``"uniform"`` (U(-1, 1), the paper; the default) or
            ``"normal"`` (N(0, 1), the tutorial).
        noise_scale: multiplies the noise: the standard deviation of normal
            noise, the half-width of uniform noise (ClusterGAN draws its noise
            with a small scale; not measured here).

    Example:
        >>> from latentcodes import Categorical, Uniform
        >>> LatentSpace([Categorical(10), Uniform(1), Uniform(1)], 62).input_dim
        74
    """

    def __init__(
        self,
        codes: Sequence[LatentCode],
        noise_dim: int = 62,
        noise: Noise = "uniform",
        noise_scale: float = 1.0,
    ) -> None:
        whole = not isinstance(noise_dim, bool) and isinstance(noise_dim, int)
        if not (whole and 0 <= noise_dim <= 65_536):
            message = f"noise_dim={noise_dim!r} is not allowed; use an integer from 0 to 65536"
            raise ConfigError(message)
        if noise not in ("normal", "uniform"):
            raise ConfigError(f"noise={noise!r} is not allowed; use 'normal' or 'uniform'")
        if (
            isinstance(noise_scale, bool)
            or not isinstance(noise_scale, (int, float))
            or not math.isfinite(noise_scale)
            or noise_scale <= 0
        ):
            raise ConfigError(f"noise_scale={noise_scale!r} is not allowed; use a number > 0")
        if not codes:
            raise ConfigError("codes: at least one code is needed, e.g. Categorical(10)")
        for code in codes:
            if not isinstance(code, LatentCode):
                raise ConfigError(f"code {code!r} is not a LatentCode instance")
        self.codes = list(codes)
        self.entropies = [code.entropy() for code in self.codes]  # H(c), fixed
        self.noise_dim = noise_dim
        self.noise = noise
        self.noise_scale = float(noise_scale)

    @property
    def names(self) -> list[str]:
        """One name per code, e.g. ``c0_categorical``, used in logs and metrics."""
        return [f"c{i}_{code.type_name}" for i, code in enumerate(self.codes)]

    @property
    def input_dim(self) -> int:
        return self.noise_dim + sum(code.input_dim for code in self.codes)

    @property
    def head_dim(self) -> int:
        return sum(code.head_dim for code in self.codes)

    def sample(self, n: int, generator: torch.Generator | None = None) -> LatentBatch:
        """Draw ``n`` noise vectors and codes from their priors."""
        if self.noise == "normal":
            noise = torch.randn(n, self.noise_dim, generator=generator)
        else:
            noise = torch.rand(n, self.noise_dim, generator=generator) * 2 - 1
        if self.noise_scale != 1.0:
            noise = noise * self.noise_scale
        return LatentBatch(noise, [code.sample(n, generator) for code in self.codes])

    def with_values(self, batch: LatentBatch, values: Mapping[int, Any]) -> LatentBatch:
        """A copy of ``batch`` with code ``i`` set to ``values[i]`` in every row."""
        codes = list(batch.codes)
        for index, value in values.items():
            if not 0 <= index < len(self.codes):
                raise ConfigError(
                    f"code index {index} is not allowed; this latent space has codes "
                    f"0 to {len(self.codes) - 1}: {self.describe()}"
                )
            encoded = self.codes[index].encode(value)
            codes[index] = encoded.expand(batch.noise.shape[0], -1).clone()
        return LatentBatch(batch.noise, codes)

    def build_q_head(self, features: int, hidden: int = 128) -> nn.Module:
        """Q head over the trunk's features: dense, BN, LeakyReLU, code outputs."""
        return nn.Sequential(
            nn.Linear(features, hidden),
            nn.BatchNorm1d(hidden),
            nn.LeakyReLU(0.1),
            nn.Linear(hidden, self.head_dim),
        )

    @property
    def has_data_information(self) -> bool:
        """Whether any code has a data-side estimate (see ``data_information``)."""
        return any(
            type(code).data_information is not LatentCode.data_information for code in self.codes
        )

    def data_information(self, head_out: Tensor, other: Tensor | None = None) -> Tensor:
        """Sum over codes of ``weight * code.data_information`` for Q's output
        on real images (and on a second view of them); codes without a
        data-side estimate (the continuous ones) add nothing."""
        widths = [code.head_dim for code in self.codes]
        parts = torch.split(head_out, widths, dim=1)
        others = torch.split(other, widths, dim=1) if other is not None else [None] * len(widths)
        total = head_out.new_zeros((), dtype=torch.float32)
        for code, part, part_other in zip(self.codes, parts, others, strict=True):
            information = code.data_information(part, part_other)
            if information is not None:
                total = total + code.weight * information
        return total

    def mi_loss(self, head_out: Tensor, codes: Sequence[Tensor]) -> MILoss:
        """Weighted MI loss of the Q head output ``(n, head_dim)`` for the codes
        that generated the images."""
        parts = torch.split(head_out, [code.head_dim for code in self.codes], dim=1)
        total = head_out.new_zeros((), dtype=torch.float32)
        terms: dict[str, Tensor] = {}
        bounds: dict[str, Tensor] = {}
        per_code = zip(self.names, self.codes, self.entropies, parts, codes, strict=True)
        for name, code, entropy, part, value in per_code:
            term = code.nll(part, value).mean()
            terms[name] = term
            bounds[name] = entropy - term.detach()
            total = total + code.weight * term
        return MILoss(total, terms, bounds)

    def describe(self) -> str:
        codes = ", ".join(repr(code) for code in self.codes)
        return f"{self.noise_dim} {self.noise} noise + [{codes}]"
