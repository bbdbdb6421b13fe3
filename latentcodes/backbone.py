"""What a backbone plugin provides: a generator and a discriminator trunk.

A backbone is sized from the image shape and the generator's input width; the
D head and the Q head sit on top of the trunk and belong to the model, so a
backbone knows nothing about codes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["Backbone", "ImageShape", "init_normal", "trunk_features", "evaluating"]

ImageShape = tuple[int, int, int]


@dataclass(frozen=True)
class Backbone:
    """A registered generator/trunk pair.

    Attributes:
        description: one line for ``latentcodes list``.
        generator: builds G from ``(input_dim, image_shape)``; G maps
            ``(n, input_dim)`` to images ``(n, *image_shape)`` in [-1, 1].
        trunk: builds D's trunk from ``image_shape``; it maps images to flat
            features ``(n, features)``.
    """

    description: str
    generator: Callable[[int, ImageShape], nn.Module]
    trunk: Callable[[ImageShape], nn.Module]


@contextlib.contextmanager
def evaluating(*modules: nn.Module) -> Iterator[None]:
    """Run ``modules`` in inference mode (BatchNorm running statistics, no
    gradients), then put each back in the mode it was in."""
    modes = [module.training for module in modules]
    for module in modules:
        module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        for module, mode in zip(modules, modes, strict=True):
            module.train(mode)


def trunk_features(trunk: nn.Module, image_shape: ImageShape) -> int:
    """Width of the trunk's output, found by running it once on zeros."""
    with evaluating(trunk):
        return int(trunk(torch.zeros(1, *image_shape)).shape[1])


def init_normal(module: nn.Module, std: float = 0.02) -> nn.Module:
    """Weights of conv and dense layers from N(0, std), biases 0 (DCGAN's init);
    BatchNorm scales from N(1, std)."""
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            nn.init.normal_(layer.weight, 0.0, std)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm1d | nn.BatchNorm2d):
            nn.init.normal_(layer.weight, 1.0, std)
            nn.init.zeros_(layer.bias)
    return module
