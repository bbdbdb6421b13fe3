"""A third-party code type, as docs/plugins.md shows it: a Bernoulli code."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.distributions import Bernoulli as TorchBernoulli
from torch.distributions import Distribution, Independent

from latentcodes import LatentCode


class Bernoulli(LatentCode):
    """n independent on/off codes."""

    type_name = "bernoulli"
    discrete = True

    def __init__(self, n: int, weight: float = 1.0) -> None:
        self.n = n
        super().__init__(weight)

    input_dim = property(lambda self: self.n)
    head_dim = property(lambda self: self.n)

    @property
    def prior(self) -> Distribution:
        return Independent(TorchBernoulli(probs=torch.full((self.n,), 0.5)), 1)

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return torch.randint(0, 2, (n, self.n), generator=generator).float()

    def uninformed_nll(self) -> float:
        return self.entropy()

    def posterior(self, head_out: Tensor) -> Distribution:
        return Independent(TorchBernoulli(logits=head_out.float()), 1)

    def encode(self, value: Any) -> Tensor:
        return torch.tensor(value, dtype=torch.float32).expand(self.n)

    def traversal(self, steps: int = 10, reach: float = 2.0) -> Tensor:
        return torch.tensor([[0.0] * self.n, [1.0] * self.n])

    def arguments(self) -> dict[str, Any]:
        return {"n": self.n, "weight": self.weight}
