"""Code types: everything that is specific to one kind of code.

A code type knows its prior, how wide it is in the generator input and in the
Q head, how to read a posterior from the Q head's output, and the MI-loss term
that follows from that posterior. Nothing else in latentcodes knows any of
this, so a new code type (a plugin) is one subclass of ``LatentCode``. This
module holds the base class and the categorical code; ``continuous.py`` holds
the codes with real values.

The MI bound of Chen et al. (2016) is ``H(c) - E[-log Q(c | x)]``; ``entropy``
gives the first term and ``nll`` the second, per sample. Probability maths is
delegated to ``torch.distributions``.
"""

from __future__ import annotations

import contextlib
import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import (
    Distribution,
    OneHotCategorical,
)
from torch.distributions import Categorical as TorchCategorical

from latentcodes.errors import ConfigError

__all__ = ["LatentCode", "Categorical"]


def require(ok: bool, owner: str, message: str) -> None:
    if not ok:
        raise ConfigError(f"{owner}: {message}")


def check_int(owner: str, name: str, value: Any, minimum: int) -> int:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    require(
        is_int and value >= minimum,
        owner,
        f"{name}={value!r} is not allowed; {name} must be an integer >= {minimum}",
    )
    return int(value)


def check_float(owner: str, name: str, value: Any) -> float:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    require(
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
        weight = check_float(self._owner, "weight", weight)
        require(
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

    def data_information(self, head_out: Tensor, other: Tensor | None = None) -> Tensor | None:
        """How much Q's reading of this code on a batch of *real* images says
        about the images, in nats, or None when this code type has no such
        estimate (the default). ``other`` is Q's output on a second view of
        the same images (e.g. ``random_affine``); see ``RunConfig.real_mi``."""
        return None

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
        self.k = check_int("Categorical", "k", k, minimum=2)
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

    def data_information(self, head_out: Tensor, other: Tensor | None = None) -> Tensor:
        # I(c; c') between the categories Q reads from two views of each image
        # (Ji et al. 2019, "invariant information clustering"). It is ln k when
        # Q is sure, uses all k categories equally and agrees across views,
        # and 0 when Q ignores the image or puts every image in one category.
        with _exact_if_fp16(head_out.device.type):
            q = F.softmax(head_out.float(), dim=1)
            q_other = q if other is None else F.softmax(other.float(), dim=1)
            joint = q.T @ q_other / q.shape[0]
            joint = ((joint + joint.T) / 2).clamp_min(1e-12)
            row = joint.sum(dim=1, keepdim=True)
            column = joint.sum(dim=0, keepdim=True)
            return (joint * (joint.log() - row.log() - column.log())).sum()

    def encode(self, value: Any) -> Tensor:
        category = value
        ok = isinstance(category, int) and not isinstance(category, bool)
        require(
            ok and 0 <= category < self.k,
            repr(self),
            f"category {value!r} is not allowed; choose an integer from 0 to {self.k - 1}",
        )
        return F.one_hot(torch.tensor(category), self.k).float()

    def traversal(self, steps: int = 10, reach: float = 2.0) -> Tensor:
        return torch.eye(self.k)

    def arguments(self) -> dict[str, Any]:
        return {"k": self.k, "weight": self.weight}


def _exact_if_fp16(device_type: str) -> contextlib.AbstractContextManager[None]:
    """Turn fp16 autocast off: a confident Q's joint has entries far below
    fp16's smallest number, whose log is then -inf. bf16 has float32's
    exponent range and is left as it is."""
    fp16 = (
        torch.is_autocast_enabled(device_type)
        and torch.get_autocast_dtype(device_type) == torch.float16
    )
    return torch.autocast(device_type, enabled=False) if fp16 else contextlib.nullcontext()
