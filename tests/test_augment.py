"""The random affine views used by the real-image MI term."""

from __future__ import annotations

import torch

from latentcodes.augment import random_affine, random_stroke, random_view


def digits() -> torch.Tensor:
    images = -torch.ones(4, 1, 28, 28)
    images[:, :, 6:22, 12:16] = 1.0  # a vertical bar, a "1"
    return images


def test_no_change_is_the_identity() -> None:
    images = digits()
    same = random_affine(images, degrees=0, shear=0, scale=(1, 1), shift=0)
    assert torch.allclose(same, images, atol=1e-5)


def test_views_are_seeded_in_range_and_differ_per_image() -> None:
    images = digits()
    a = random_affine(images, torch.Generator().manual_seed(0))
    b = random_affine(images, torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    assert a.shape == images.shape and a.min() >= -1 and a.max() <= 1
    assert not torch.allclose(a[0], a[1])


def test_shear_slants_a_vertical_bar() -> None:
    images = digits()[:1]
    slanted = random_affine(images, degrees=0, shear=0.3, scale=(1, 1), shift=0,
                            generator=torch.Generator().manual_seed(1))
    ink = (slanted[0, 0] + 1) / 2
    rows = torch.arange(28.0)
    top = (ink[8] * rows).sum() / ink[8].sum()
    bottom = (ink[20] * rows).sum() / ink[20].sum()
    assert abs(float(top - bottom)) > 1.0  # the bar's centre moves across rows


def test_stroke_views_thicken_or_thin_and_keep_the_range() -> None:
    images = digits()
    moved = random_stroke(images, torch.Generator().manual_seed(0), strength=0.7)
    assert moved.min() >= -1 and moved.max() <= 1
    ink_before = (images + 1).sum(dim=(1, 2, 3))
    ink_after = (moved + 1).sum(dim=(1, 2, 3))
    changed = ~torch.isclose(ink_after, ink_before)
    assert changed.any()
    assert torch.equal(random_stroke(images, strength=0.0), images)


def test_random_view_names_the_views() -> None:
    images = digits()
    affine = random_view(images, "affine", torch.Generator().manual_seed(0))
    assert torch.equal(affine, random_affine(images, torch.Generator().manual_seed(0)))
    both = random_view(images, "affine-stroke", torch.Generator().manual_seed(0))
    assert both.shape == images.shape and not torch.equal(both, affine)
