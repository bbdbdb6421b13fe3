"""The random affine views used by the real-image MI term."""

from __future__ import annotations

import pytest
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
    # The same draws: rotation first, then the shear.
    draws = torch.Generator().manual_seed(1)
    torch.rand(1, generator=draws)
    shear = float(-0.3 + 0.6 * torch.rand(1, generator=draws))

    ink = (slanted[0, 0] + 1) / 2
    columns = torch.arange(28.0)
    top = (ink[8] * columns).sum() / ink[8].sum()
    bottom = (ink[20] * columns).sum() / ink[20].sum()
    # Twelve rows apart, the bar's centre has moved by shear * 12 columns.
    assert abs(shear) > 0.05
    assert abs(float(top - bottom)) == pytest.approx(12 * abs(shear), abs=0.3)


def test_stroke_views_thicken_or_thin_by_the_drawn_amount() -> None:
    images = digits()
    generator = torch.Generator().manual_seed(0)
    thicken = torch.rand(4, generator=generator) < 0.5
    amount = 0.7 * torch.rand(4, generator=generator)
    moved = random_stroke(images, torch.Generator().manual_seed(0), strength=0.7)
    assert moved.min() >= -1 and moved.max() <= 1

    ink_before = (images + 1).sum(dim=(1, 2, 3))
    ink_after = (moved + 1).sum(dim=(1, 2, 3))
    for i in range(4):
        if thicken[i]:  # the bar gains a blend of its dilated border
            assert ink_after[i] > ink_before[i]
        else:  # thinning is capped at half the strength
            assert ink_after[i] < ink_before[i]
        # A 16x4 bar: dilation makes it 18x6 (44 more pixels), erosion 14x2
        # (36 fewer); ink counts 2 per pixel on the [-1, 1] scale.
        change = 2 * 44 if thicken[i] else 2 * 36
        share = amount[i] if thicken[i] else amount[i] / 2
        expected = float(share) * change
        assert abs(float(ink_after[i] - ink_before[i])) == pytest.approx(expected, rel=1e-4)
    assert torch.equal(random_stroke(images, strength=0.0), images)


def test_random_view_names_the_views() -> None:
    images = digits()
    affine = random_view(images, "affine", torch.Generator().manual_seed(0))
    assert torch.equal(affine, random_affine(images, torch.Generator().manual_seed(0)))
    both = random_view(images, "affine-stroke", torch.Generator().manual_seed(0))
    generator = torch.Generator().manual_seed(0)
    assert torch.equal(both, random_affine(random_stroke(images, generator), generator))
    with pytest.raises(ValueError, match="view 'same' is not allowed"):
        random_view(images, "same")


def test_what_moves_in_from_outside_is_background() -> None:
    white = torch.ones(2, 1, 28, 28)
    small = random_affine(white, degrees=0, shear=0, scale=(0.5, 0.5), shift=0)
    # Shrunk to half: the middle is still white, the ring around it black.
    assert torch.all(small[:, :, 10:18, 10:18] == 1)
    assert torch.all(small[:, :, :5, :] == -1) and torch.all(small[:, :, :, -5:] == -1)
