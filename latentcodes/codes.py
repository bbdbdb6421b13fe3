"""Code types: everything that is specific to one kind of code.

A code type knows its prior, how wide it is in the generator input and in the
Q head, how to read a posterior from the Q head's output, and the MI-loss term
that follows from that posterior. Nothing else in latentcodes knows any of
this, so a new code type (a plugin) is one subclass of ``LatentCode``.

The MI bound of Chen et al. (2016) is ``H(c) - E[-log Q(c | x)]``; ``entropy``
gives the first term and ``nll`` the second, per sample. Probability maths is
delegated to ``torch.distributions``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import (
    Distribution,
    Independent,
    Normal,
    OneHotCategorical,
)
from torch.distributions import Categorical as TorchCategorical
from torch.distributions import Uniform as TorchUniform

from latentcodes.errors import ConfigError

__all__ = ["LatentCode", "Categorical", "Uniform", "Gaussian", "ContinuousCode"]

QStd = float | Literal["learned"]


def _require(ok: bool, owner: str, message: str) -> None:
    if not ok:
        raise ConfigError(f"{owner}: {message}")


def _check_int(owner: str, name: str, value: Any, minimum: int) -> int:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    _require(
        is_int and value >= minimum,
        owner,
        f"{name}={value!r} is not allowed; {name} must be an integer >= {minimum}",
    )
    return int(value)


def _check_float(owner: str, name: str, value: Any) -> float:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    _require(
        is_number and math.isfinite(value),
        owner,
        f"{name}={value!r} is not allowed; {name} must be a finite number",
    )
    return float(value)


class LatentCode(ABC):
    """One structured latent variable fed to the generator beside the noise.

    Args:
        weight: lambda, the weight of this code's MI-loss term.

    Class attributes say what a code type supports: ``discrete`` codes have a
    finite set of values (traversed one by one); continuous ones are traversed
    along each dimension.
    """

    type_name: ClassVar[str]
    discrete: ClassVar[bool]

    def __init__(self, weight: float = 1.0) -> None:
        weight = _check_float(self._owner, "weight", weight)
        _require(
            weight >= 0, self._owner, f"weight={weight!r} is not allowed; weight must be >= 0"
        )
        self.weight = weight

    @property
    def _owner(self) -> str:
        return type(self).__name__

    # Sizes -------------------------------------------------------------------

    @property
    @abstractmethod
    def input_dim(self) -> int:
        """Width of this code in the generator input."""

    @property
    @abstractmethod
    def head_dim(self) -> int:
        """Width of this code's part of the Q head output."""

    # Prior -------------------------------------------------------------------

    @property
    @abstractmethod
    def prior(self) -> Distribution:
        """The prior p(c) as a distribution over one code value."""

    @abstractmethod
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Draw ``n`` codes from the prior, shape ``(n, input_dim)``."""

    def entropy(self) -> float:
        """Prior entropy H(c) in nats, the first term of the MI bound."""
        return float(self.prior.entropy())

    # Posterior ---------------------------------------------------------------

    @abstractmethod
    def uninformed_nll(self) -> float:
        """The MI-loss term of the best Q that ignores the image: a code whose
        loss stays here carries no information about the image."""

    @abstractmethod
    def posterior(self, head_out: Tensor) -> Distribution:
        """Q(c | x) from this code's head output ``(n, head_dim)``."""

    def nll(self, head_out: Tensor, value: Tensor) -> Tensor:
        """MI-loss term: ``-log Q(value | x)`` per sample, shape ``(n,)``."""
        return -self.posterior(head_out).log_prob(value)

    # User-facing values -----------------------------------------------------

    @abstractmethod
    def encode(self, value: Any) -> Tensor:
        """Turn a user value (category 3, or 0.5) into a code, ``(input_dim,)``."""

    @abstractmethod
    def traversal(self, steps: int = 10, reach: float = 2.0) -> Tensor:
        """Code values to sweep in a traversal, ``(m, input_dim)``."""

    # Spec --------------------------------------------------------------------

    @abstractmethod
    def arguments(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this code, in signature order."""

    def spec(self) -> dict[str, Any]:
        """A JSON-ready description: the registered type name plus arguments."""
        return {"type": self.type_name, **self.arguments()}

    def __repr__(self) -> str:
        args = list(self.arguments().items())
        first = [repr(args[0][1])] if args else []
        rest = [f"{key}={value!r}" for key, value in args[1:]]
        return f"{type(self).__name__}({', '.join(first + rest)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LatentCode) and self.spec() == other.spec()

    def __hash__(self) -> int:
        return hash(repr(self))


class Categorical(LatentCode):
    """A k-way categorical code, fed to the generator one-hot.

    Args:
        k: number of categories, at least 2.
        weight: lambda for its MI-loss term (the paper uses 1).

    Example:
        >>> code = Categorical(10)
        >>> code.sample(4, torch.Generator().manual_seed(0)).sum(dim=1).tolist()
        [1.0, 1.0, 1.0, 1.0]
        >>> round(code.entropy(), 6)
        2.302585
    """

    type_name = "categorical"
    discrete = True

    def __init__(self, k: int, weight: float = 1.0) -> None:
        self.k = _check_int("Categorical", "k", k, minimum=2)
        super().__init__(weight)

    @property
    def input_dim(self) -> int:
        return self.k

    @property
    def head_dim(self) -> int:
        return self.k

    @property
    def prior(self) -> Distribution:
        return OneHotCategorical(probs=torch.full((self.k,), 1.0 / self.k))

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        index = torch.randint(self.k, (n,), generator=generator)
        return F.one_hot(index, self.k).float()

    def posterior(self, head_out: Tensor) -> Distribution:
        # Logits go in raw: a softmax before the loss would count it twice.
        return TorchCategorical(logits=head_out.float())

    def nll(self, head_out: Tensor, value: Tensor) -> Tensor:
        # float64: in float32 the log-sum-exp of confident logits (about 10)
        # cancels to 3 digits; the cost is nothing at k values per sample.
        loss = F.cross_entropy(head_out.double(), value.argmax(dim=1), reduction="none")
        return loss.float()

    def uninformed_nll(self) -> float:
        return math.log(self.k)

    def encode(self, value: Any) -> Tensor:
        category = value
        ok = isinstance(category, int) and not isinstance(category, bool)
        _require(
            ok and 0 <= category < self.k,
            repr(self),
            f"category {value!r} is not allowed; choose an integer from 0 to {self.k - 1}",
        )
        return F.one_hot(torch.tensor(category), self.k).float()

    def traversal(self, steps: int = 10, reach: float = 2.0) -> Tensor:
        return torch.eye(self.k)

    def arguments(self) -> dict[str, Any]:
        return {"k": self.k, "weight": self.weight}


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
        self.n = _check_int(owner, "n", n, minimum=1)
        if q_std != "learned":
            q_std = _check_float(owner, "q_std", q_std)
            _require(
                q_std > 0, owner, f"q_std={q_std!r} is not allowed; use a number > 0 or 'learned'"
            )
        self.q_std: QStd = q_std
        self.min_std = _check_float(owner, "min_std", min_std)
        _require(
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
        _require(
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
        self.low = _check_float("Uniform", "low", low)
        self.high = _check_float("Uniform", "high", high)
        _require(
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
        self.mean = _check_float("Gaussian", "mean", mean)
        self.std = _check_float("Gaussian", "std", std)
        _require(self.std > 0, "Gaussian", f"std={std!r} is not allowed; std must be > 0")
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
