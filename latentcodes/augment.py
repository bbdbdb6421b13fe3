"""Random views of real images, for the real-image MI term.

A category that Q reads the same way from an image and from a slightly
rotated, sheared, stretched, shifted, thickened or thinned copy cannot encode
slant, width, position or stroke weight, which leaves the digit's identity as
the thing to encode. This is the only place real images are changed; D itself
always sees them as they are.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["random_affine", "random_stroke", "random_view"]


def random_affine(
    images: Tensor,
    generator: torch.Generator | None = None,
    degrees: float = 15.0,
    shear: float = 0.3,
    scale: tuple[float, float] = (0.85, 1.15),
    shift: float = 0.1,
) -> Tensor:
    """Each image of ``(n, c, h, w)`` in [-1, 1] under its own random affine map.

    Args:
        degrees: rotation drawn from [-degrees, degrees].
        shear: horizontal shear (slant) drawn from [-shear, shear].
        scale: width and height factors, each drawn from this range.
        shift: translation drawn from [-shift, shift] of the half-size.
    """
    n = images.shape[0]

    def draw(low: float, high: float) -> Tensor:
        return low + (high - low) * torch.rand(n, generator=generator)

    angle = draw(-degrees, degrees) * (math.pi / 180)
    slant = draw(-shear, shear)
    sx, sy = draw(*scale), draw(*scale)
    cos, sin = torch.cos(angle), torch.sin(angle)

    # theta maps output coordinates to input ones: rotation @ shear @ 1/scale.
    a = torch.stack([cos / sx, (cos * slant - sin) / sy], dim=1)
    b = torch.stack([sin / sx, (sin * slant + cos) / sy], dim=1)
    offset = torch.stack([draw(-shift, shift), draw(-shift, shift)], dim=1)
    theta = torch.stack([torch.cat([a, offset[:, :1]], 1), torch.cat([b, offset[:, 1:]], 1)], 1)

    # Drawn on the CPU (the training generator lives there) and copied once,
    # without waiting for the device.
    theta = theta.to(device=images.device, dtype=torch.float32, non_blocking=True)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    # Background is -1 (black): pad with it by shifting to [0, 2] and back.
    moved = F.grid_sample(images.float() + 1, grid, align_corners=False, padding_mode="zeros")
    return (moved - 1).to(images.dtype)


def random_stroke(
    images: Tensor, generator: torch.Generator | None = None, strength: float = 0.7
) -> Tensor:
    """Each image of ``(n, c, h, w)`` in [-1, 1] with its strokes thickened or
    thinned by a random amount: a coin flip per image picks a blend towards a
    3x3 grey dilation, by a factor up to ``strength``, or towards an erosion,
    by up to ``strength / 2`` (erosion removes whole strokes of a thin digit)."""
    n = images.shape[0]
    x = images.float()
    dilated = F.max_pool2d(x, 3, stride=1, padding=1)
    eroded = -F.max_pool2d(-x, 3, stride=1, padding=1)

    thicken = torch.rand(n, generator=generator) < 0.5
    amount = strength * torch.rand(n, generator=generator)
    amount = torch.where(thicken, amount, amount / 2)
    drawn = torch.stack([thicken.float(), amount], dim=1)
    drawn = drawn.to(images.device, non_blocking=True).view(n, 2, 1, 1, 1)

    target = torch.where(drawn[:, 0] > 0, dilated, eroded)
    return (x + drawn[:, 1] * (target - x)).to(images.dtype)


def random_view(images: Tensor, kind: str, generator: torch.Generator | None = None) -> Tensor:
    """The second view ``RunConfig.real_views`` names: ``"affine"`` or ``"affine-stroke"``."""
    if kind not in ("affine", "affine-stroke"):
        raise ValueError(f"view {kind!r} is not allowed; use 'affine' or 'affine-stroke'")
    if kind == "affine-stroke":
        images = random_stroke(images, generator)
    return random_affine(images, generator)
