"""Continuous code types: ``Uniform`` and ``Gaussian``, with factored Gaussian
posteriors whose scale is fixed or learned."""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import Distribution, Independent, Normal
from torch.distributions import Uniform as TorchUniform

from latentcodes.codes import LatentCode, check_float, check_int, require

__all__ = ["ContinuousCode", "Uniform", "Gaussian", "QStd"]

QStd = float | Literal["learned"]


class ContinuousCode(LatentCode):
    """Shared parts of codes with ``n`` real dimensions.

    The posterior is a factored Gaussian. With ``q_std`` a number its scale is
    fixed (the MI loss is then a scaled squared error plus a constant); with
    ``q_std="learned"`` the Q head also outputs one scale per dimension,
    ``softplus(raw) + min_std`` so that it can never underflow to zero.
    """

    discrete = False

    def __init__(
        self, n: int, weight: float, q_std: QStd, min_std: float
    ) -> None:
        owner = type(self).__name__
        self.n = check_int(owner, "n", n, minimum=1)
        if q_std != "learned":
            q_std = check_float(owner, "q_std", q_std)
            require(
                q_std > 0, owner, f"q_std={q_std!r} is not allowed; use a number > 0 or 'learned'"
            )
        self.q_std: QStd = q_std
        self.min_std = check_float(owner, "min_std", min_std)
        require(
            self.min_std > 0, owner, f"min_std={min_std!r} is not allowed; min_std must be > 0"
        )
        super().__init__(weight)

    @property
    def input_dim(self) -> int:
        return self.n

    @property
    def head_dim(self) -> int:
        return 2 * self.n if self.q_std == "learned" else self.n

    @property
    @abstractmethod
    def center(self) -> float:
        """The middle of the prior, where other dimensions sit in a traversal."""

    @property
    @abstractmethod
    def half_range(self) -> float:
        """The distance from the center that a traversal at reach 1 covers."""

    @property
    @abstractmethod
    def variance(self) -> float:
        """The prior's variance in each dimension."""

    def uninformed_nll(self) -> float:
        # The best constant Gaussian Q: the prior mean, with the prior's
        # variance if the scale is learned.
        if self.q_std == "learned":
            return self.n * 0.5 * math.log(2 * math.pi * math.e * self.variance)
        scale = float(self.q_std)
        per_dim = 0.5 * math.log(2 * math.pi * scale**2) + self.variance / (2 * scale**2)
        return self.n * per_dim

    def posterior(self, head_out: Tensor) -> Distribution:
        head_out = head_out.float()
        loc = head_out[:, : self.n]
        if self.q_std == "learned":
            scale = F.softplus(head_out[:, self.n :]) + self.min_std
        else:
            scale = torch.full_like(loc, self.q_std)
        return Independent(Normal(loc, scale), 1)

    def encode(self, value: Any) -> Tensor:
        values = list(value) if isinstance(value, Sequence) else [value] * self.n
        ok = len(values) == self.n and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in values
        )
        require(
            ok,
            repr(self),
            f"value {value!r} is not allowed; give one finite number or {self.n} of them",
        )
        return torch.tensor(values, dtype=torch.float32)

    def traversal(self, steps: int = 10, reach: float = 2.0) -> Tensor:
        """Values of one dimension, ``center +/- reach * half_range``, ``(steps, 1)``."""
        span = reach * self.half_range
        values = torch.linspace(self.center - span, self.center + span, steps)
        return values.unsqueeze(1)

    def _posterior_arguments(self) -> dict[str, Any]:
        return {"q_std": self.q_std, "min_std": self.min_std}


class Uniform(ContinuousCode):
    """``n`` independent codes uniform on ``[low, high]``.

    Args:
        n: number of dimensions.
        low: lower bound of the prior.
        high: upper bound of the prior, greater than ``low``.
        weight: lambda for its MI-loss term.
        q_std: fixed posterior scale, or ``"learned"``.
        min_std: floor of a learned posterior scale.

    Example:
        >>> Uniform(2).sample(3).shape
        torch.Size([3, 2])
    """

    type_name = "uniform"

    def __init__(
        self,
        n: int,
        low: float = -1.0,
        high: float = 1.0,
        weight: float = 1.0,
        q_std: QStd = 1.0,
        min_std: float = 0.01,
    ) -> None:
        self.low = check_float("Uniform", "low", low)
        self.high = check_float("Uniform", "high", high)
        require(
            self.high > self.low,
            "Uniform",
            f"low={low!r}, high={high!r} is not allowed; high must be greater than low",
        )
        super().__init__(n, weight, q_std, min_std)

    @property
    def prior(self) -> Distribution:
        low = torch.full((self.n,), self.low)
        return Independent(TorchUniform(low, torch.full((self.n,), self.high)), 1)

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        unit = torch.rand(n, self.n, generator=generator)
        return self.low + (self.high - self.low) * unit

    @property
    def center(self) -> float:
        return (self.low + self.high) / 2

    @property
    def half_range(self) -> float:
        return (self.high - self.low) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def arguments(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "low": self.low,
            "high": self.high,
            "weight": self.weight,
            **self._posterior_arguments(),
        }


class Gaussian(ContinuousCode):
    """``n`` independent codes drawn from ``Normal(mean, std)``.

    Args:
        n: number of dimensions.
        mean: mean of the prior.
        std: standard deviation of the prior, greater than 0.
        weight: lambda for its MI-loss term.
        q_std: fixed posterior scale, or ``"learned"``.
        min_std: floor of a learned posterior scale.

    Example:
        >>> round(Gaussian(1).entropy(), 6)
        1.418939
    """

    type_name = "gaussian"

    def __init__(
        self,
        n: int,
        mean: float = 0.0,
        std: float = 1.0,
        weight: float = 1.0,
        q_std: QStd = 1.0,
        min_std: float = 0.01,
    ) -> None:
        self.mean = check_float("Gaussian", "mean", mean)
        self.std = check_float("Gaussian", "std", std)
        require(self.std > 0, "Gaussian", f"std={std!r} is not allowed; std must be > 0")
        super().__init__(n, weight, q_std, min_std)

    @property
    def prior(self) -> Distribution:
        loc = torch.full((self.n,), self.mean)
        return Independent(Normal(loc, torch.full((self.n,), self.std)), 1)

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return self.mean + self.std * torch.randn(n, self.n, generator=generator)

    @property
    def center(self) -> float:
        return self.mean

    @property
    def half_range(self) -> float:
        return self.std

    @property
    def variance(self) -> float:
        return self.std**2

    def arguments(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "std": self.std,
            "weight": self.weight,
            **self._posterior_arguments(),
        }
