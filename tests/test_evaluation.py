"""Evaluation logic, pinned with exact values."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from latentcodes import Categorical, InfoGAN, Uniform
from latentcodes.evaluation import match_categories, normalized_mutual_info
from latentcodes.frechet import frechet_distance
from latentcodes.report import code_control, image_properties, mi_bounds

LABELS = np.repeat(np.arange(10), 100)


def test_permuted_perfect_clustering_scores_one() -> None:
    permutation = np.random.default_rng(0).permutation(10)
    match = match_categories(permutation[LABELS], LABELS, 10, 10)
    assert match.accuracy == 1.0
    assert [match.class_of_category[permutation[c]] for c in range(10)] == list(range(10))
    assert match.merged == {}
    assert normalized_mutual_info(permutation[LABELS], LABELS) == pytest.approx(1.0)


def test_two_classes_merged_into_one_category_score_point_nine() -> None:
    categories = np.where(LABELS == 9, 8, LABELS)  # classes 8 and 9 share category 8
    match = match_categories(categories, LABELS, 10, 10)
    assert match.accuracy == pytest.approx(0.9)
    assert match.merged == {8: [8, 9]}
    assert match.confusion[8].tolist() == [0] * 8 + [100, 100]


@pytest.mark.parametrize("seed", range(5))
def test_matching_agrees_with_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 5, 300)
    categories = rng.integers(0, 5, 300)
    best = max(
        np.mean([perm[c] == y for c, y in zip(categories, labels, strict=True)])
        for perm in itertools.permutations(range(5))
    )
    assert match_categories(categories, labels, 5, 5).accuracy == pytest.approx(best)


def test_nmi_of_independent_labelings_is_near_zero() -> None:
    rng = np.random.default_rng(0)
    assert normalized_mutual_info(rng.integers(0, 10, 20_000), rng.integers(0, 10, 20_000)) < 0.01


def test_frechet_distance_of_a_set_to_itself_is_zero() -> None:
    features = np.random.default_rng(0).normal(size=(500, 16))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_of_shifted_gaussians_is_the_squared_shift() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20_000, 4))
    b = rng.normal(size=(20_000, 4)) + np.array([3.0, 0, 0, 0])
    assert frechet_distance(a, b) == pytest.approx(9.0, rel=0.02)


def _image(pixels: list[tuple[int, int]]) -> torch.Tensor:
    image = -torch.ones(1, 1, 28, 28)
    for y, x in pixels:
        image[0, 0, y, x] = 1.0
    return image


def test_image_properties_read_slant_and_width() -> None:
    leaning_right = _image([(y, 20 - y // 2) for y in range(4, 24)])
    upright = _image([(y, 14) for y in range(4, 24)])
    wide = _image([(14, x) for x in range(4, 24)])
    slant = image_properties(torch.cat([leaning_right, upright]))["slant"]
    assert slant[0] > 0.4 and slant[1] == pytest.approx(0.0)
    widths = image_properties(torch.cat([upright, wide]))["width"]
    assert widths[0] == pytest.approx(0.0) and widths[1] > 5


def test_thickness_is_the_stroke_width() -> None:
    # Vertical bars 20 pixels long and 1, 2 and 4 pixels wide.
    bars = [_image([(y, x) for y in range(4, 24) for x in range(12, 12 + w)]) for w in (1, 2, 4)]
    thickness = image_properties(torch.cat(bars))["thickness"]
    # 2 * area / perimeter, the perimeter being 2 * (20 + w) pixel sides.
    assert thickness.tolist() == pytest.approx([40 / 42, 80 / 44, 160 / 48])


def test_mi_bounds_and_control_report_every_code() -> None:
    torch.manual_seed(0)
    gan = InfoGAN([Categorical(10), Uniform(1)], backbone="paper")
    bounds = mi_bounds(gan, samples=64)
    assert set(bounds) == {"c0_categorical", "c1_uniform"}
    assert bounds["c0_categorical"]["bound"] <= np.log(10) + 1e-6
    control = code_control(gan, columns=4, steps=5)
    assert set(control) == {"c1_uniform[0]"}
    assert control["c1_uniform[0]"]["controls"] in ("ink", "width", "height", "slant", "thickness")


def test_sample_is_byte_identical_for_a_seed(tmp_path: Path) -> None:
    from latentcodes.cli import main

    torch.manual_seed(0)
    InfoGAN([Categorical(10)], backbone="paper").save(tmp_path / "gan.pt")
    for name in ("a.png", "b.png"):
        assert main(["sample", str(tmp_path / "gan.pt"), "--code", "0=1", "--seed", "4",
                     "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_traverse_writes_one_grid_per_code_dimension(tmp_path: Path) -> None:
    from latentcodes.cli import main

    torch.manual_seed(0)
    InfoGAN([Categorical(10), Uniform(2)], backbone="paper").save(tmp_path / "gan.pt")
    assert main(["traverse", str(tmp_path / "gan.pt"), "--out", str(tmp_path / "t")]) == 0
    written = sorted(p.name for p in (tmp_path / "t").iterdir())
    assert written == ["c0_categorical.png", "c1_uniform_dim0.png", "c1_uniform_dim1.png"]
