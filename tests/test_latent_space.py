"""The latent space: widths, sampling, the Q head and the weighted MI loss."""

from __future__ import annotations

import math

import pytest
import torch

from latentcodes import Categorical, ConfigError, Gaussian, InfoGAN, LatentSpace, Uniform


def test_generator_input_widths() -> None:
    assert LatentSpace([Categorical(10)], 62).input_dim == 72
    assert LatentSpace([Categorical(10), Uniform(1), Uniform(1)], 62).input_dim == 74


def test_q_head_width_comes_from_the_codes() -> None:
    space = LatentSpace([Categorical(7), Uniform(2, q_std="learned"), Gaussian(3)], 10)
    head = space.build_q_head(features=32, hidden=16)
    assert space.head_dim == 7 + 4 + 3
    assert head(torch.randn(5, 32)).shape == (5, 14)


def test_sample_lays_out_noise_then_codes() -> None:
    space = LatentSpace([Categorical(3), Uniform(2)], noise_dim=4, noise="uniform")
    batch = space.sample(6, torch.Generator().manual_seed(0))
    latent = batch.input()
    assert latent.shape == (6, 9)
    assert torch.equal(latent[:, 4:7], batch.codes[0])
    assert latent[:, :4].abs().max() <= 1


def test_noise_scale_scales_only_the_noise() -> None:
    plain = LatentSpace([Uniform(2)], noise_dim=3, noise="uniform")
    scaled = LatentSpace([Uniform(2)], noise_dim=3, noise="uniform", noise_scale=0.25)
    a = plain.sample(5, torch.Generator().manual_seed(3))
    b = scaled.sample(5, torch.Generator().manual_seed(3))
    assert torch.allclose(b.noise, 0.25 * a.noise)
    assert torch.equal(b.codes[0], a.codes[0])


def test_noise_scale_survives_save_and_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    gan = InfoGAN([Categorical(10)], noise_dim=8, noise_scale=0.5)
    loaded = InfoGAN.load(gan.save(tmp_path / "gan.pt"))
    assert loaded.space.noise_scale == 0.5
    assert torch.equal(loaded.generate(3, seed=2), gan.generate(3, seed=2))


def test_mi_loss_is_the_weighted_sum_of_the_terms() -> None:
    space = LatentSpace([Categorical(10, weight=1.0), Uniform(1, weight=0.5)], 2)
    codes = [torch.eye(10)[:2], torch.tensor([[1.0], [1.0]])]
    head = torch.zeros(2, 11)  # uniform categorical Q, mean 0 for the Uniform
    mi = space.mi_loss(head, codes)
    assert mi.terms["c0_categorical"].item() == pytest.approx(math.log(10), abs=1e-6)
    assert mi.terms["c1_uniform"].item() == pytest.approx(1.418939, abs=1e-6)
    assert mi.total.item() == pytest.approx(math.log(10) + 0.5 * 1.418939, abs=1e-5)
    assert mi.bounds["c0_categorical"].item() == pytest.approx(0.0, abs=1e-6)
    assert mi.bounds["c1_uniform"].item() == pytest.approx(math.log(2) - 1.418939, abs=1e-6)


def test_with_values_fixes_a_code_in_every_row() -> None:
    space = LatentSpace([Categorical(10), Uniform(2)], 5)
    batch = space.with_values(space.sample(4), {0: 3, 1: [0.5, -0.5]})
    assert torch.all(batch.codes[0].argmax(dim=1) == 3)
    assert torch.all(batch.codes[1] == torch.tensor([0.5, -0.5]))
    with pytest.raises(ConfigError, match="code index 2 is not allowed"):
        space.with_values(space.sample(1), {2: 0})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"noise_dim": -1}, "noise_dim=-1 is not allowed"),
        ({"noise": "pink"}, "noise='pink'"),
        ({"noise_scale": 0}, "noise_scale=0 is not allowed"),
        ({"noise_scale": float("nan")}, "noise_scale=nan is not allowed"),
    ],
)
def test_bad_latent_space_arguments(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError, match=message):
        LatentSpace([Categorical(10)], **kwargs)


def test_infogan_python_api_defaults() -> None:
    gan = InfoGAN(codes=[Categorical(10), Uniform(2)])
    assert gan.space.input_dim == 74
    images = gan.generate(6, codes={0: 3}, seed=1)
    assert images.shape == (6, 1, 28, 28)
    assert images.min() >= -1 and images.max() <= 1
    assert torch.equal(images, gan.generate(6, codes={0: 3}, seed=1))
