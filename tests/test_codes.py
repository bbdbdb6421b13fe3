"""Exact values of the built-in code types."""

from __future__ import annotations

import math

import pytest
import torch

from latentcodes import Categorical, ConfigError, Gaussian, Uniform
from latentcodes.codes import LatentCode

LN10 = math.log(10)


def one_hot(index: int, k: int = 10) -> torch.Tensor:
    return torch.nn.functional.one_hot(torch.tensor([index]), k).float()


class TestCategorical:
    def test_confident_logits_give_small_loss(self) -> None:
        logits = torch.tensor([[10.0] + [0.0] * 9])
        loss = Categorical(10).nll(logits, one_hot(0))
        assert loss.item() == pytest.approx(4.0852e-4, rel=1e-4)

    def test_equal_logits_give_ln_k(self) -> None:
        loss = Categorical(10).nll(torch.zeros(1, 10), one_hot(3))
        assert loss.item() == pytest.approx(2.302585, abs=1e-6)

    def test_logits_are_not_softmaxed_twice(self) -> None:
        # A softmax applied before the loss would give 1.461499 here.
        logits = torch.tensor([[10.0] + [0.0] * 9])
        assert Categorical(10).nll(logits, one_hot(0)).item() < 1e-3

    def test_nll_matches_posterior_log_prob(self) -> None:
        code = Categorical(4)
        logits = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))
        values = code.sample(5, torch.Generator().manual_seed(1))
        expected = -code.posterior(logits).log_prob(values.argmax(dim=1))
        assert torch.allclose(code.nll(logits, values), expected)

    def test_mi_bound_is_ln_k_for_perfect_q_and_zero_for_uniform_q(self) -> None:
        code = Categorical(10)
        values = torch.eye(10)
        perfect = code.entropy() - code.nll(values * 1e4, values).mean().item()
        uniform = code.entropy() - code.nll(torch.zeros(10, 10), values).mean().item()
        assert perfect == pytest.approx(LN10, abs=1e-6)
        assert uniform == pytest.approx(0.0, abs=1e-6)

    def test_mi_bound_never_exceeds_ln_k(self) -> None:
        code = Categorical(10)
        generator = torch.Generator().manual_seed(0)
        values = code.sample(1000, generator)
        logits = 20 * torch.randn(1000, 10, generator=generator)
        bound = code.entropy() - code.nll(logits, values)
        assert bound.max().item() <= LN10 + 1e-6

    def test_samples_are_one_hot_and_balanced(self) -> None:
        # 100,000 draws: the standard error of each share is 0.00095, so the
        # tolerance of 0.005 is more than five standard errors.
        samples = Categorical(10).sample(100_000, torch.Generator().manual_seed(0))
        assert torch.all(samples.sum(dim=1) == 1)
        assert set(samples.unique().tolist()) == {0.0, 1.0}
        shares = samples.mean(dim=0)
        assert torch.all((shares - 0.1).abs() <= 0.005), shares

    def test_same_generator_seed_same_samples(self) -> None:
        first = Categorical(10).sample(50, torch.Generator().manual_seed(7))
        second = Categorical(10).sample(50, torch.Generator().manual_seed(7))
        assert torch.equal(first, second)

    def test_encode_and_traversal(self) -> None:
        code = Categorical(5)
        assert code.encode(3).tolist() == [0, 0, 0, 1, 0]
        assert torch.equal(code.traversal(), torch.eye(5))


class TestGaussianPosterior:
    @pytest.mark.parametrize(
        ("x", "std", "expected"),
        [(0.0, 1.0, 0.918939), (1.0, 1.0, 1.418939), (1.0, 2.0, 1.737086)],
    )
    def test_nll_per_sample(self, x: float, std: float, expected: float) -> None:
        code = Uniform(1, q_std=std)
        loss = code.nll(torch.zeros(1, 1), torch.tensor([[x]]))
        assert loss.item() == pytest.approx(expected, abs=1e-6)

    def test_small_std_gives_negative_nll(self) -> None:
        # A density above 1 has a negative log: this is right, not a bug.
        loss = Gaussian(1, q_std=0.1).nll(torch.tensor([[0.3]]), torch.tensor([[0.3]]))
        assert loss.item() == pytest.approx(-1.383647, abs=1e-6)

    def test_learned_std_uses_second_half_of_head(self) -> None:
        code = Uniform(1, q_std="learned")
        raw = math.log(math.expm1(2.0 - code.min_std))  # softplus(raw) + floor = 2
        loss = code.nll(torch.tensor([[0.0, raw]]), torch.tensor([[1.0]]))
        assert code.head_dim == 2
        assert loss.item() == pytest.approx(1.737086, abs=1e-5)

    def test_learned_std_never_underflows(self) -> None:
        code = Gaussian(1, q_std="learned", min_std=0.01)
        posterior = code.posterior(torch.tensor([[0.0, -1e4]]))
        scale = posterior.base_dist.scale  # type: ignore[attr-defined]
        assert scale.item() == pytest.approx(0.01)
        assert torch.isfinite(code.nll(torch.tensor([[0.0, -1e4]]), torch.tensor([[0.0]])))

    def test_nll_sums_over_dimensions(self) -> None:
        loss = Uniform(3).nll(torch.zeros(1, 3), torch.zeros(1, 3))
        assert loss.item() == pytest.approx(3 * 0.918939, abs=1e-5)


class TestPriors:
    def test_entropies(self) -> None:
        assert Categorical(10).entropy() == pytest.approx(LN10)
        assert Uniform(2, low=-1, high=1).entropy() == pytest.approx(2 * math.log(2))
        expected = 0.5 * math.log(2 * math.pi * math.e * 4)
        assert Gaussian(1, std=2).entropy() == pytest.approx(expected, abs=1e-6)

    def test_uniform_samples_stay_in_range(self) -> None:
        samples = Uniform(3, low=2, high=5).sample(10_000, torch.Generator().manual_seed(0))
        assert samples.shape == (10_000, 3)
        assert samples.min() >= 2 and samples.max() <= 5
        assert samples.mean().item() == pytest.approx(3.5, abs=0.05)

    def test_gaussian_samples_have_the_prior_moments(self) -> None:
        samples = Gaussian(1, mean=1, std=3).sample(100_000, torch.Generator().manual_seed(0))
        assert samples.mean().item() == pytest.approx(1.0, abs=0.05)
        assert samples.std().item() == pytest.approx(3.0, abs=0.05)

    def test_continuous_traversal_goes_past_the_range(self) -> None:
        values = Uniform(1).traversal(steps=5).squeeze(1).tolist()
        assert values == pytest.approx([-2.0, -1.0, 0.0, 1.0, 2.0])
        assert Gaussian(1, mean=1, std=0.5).traversal(steps=3).squeeze(1).tolist() == [0, 1, 2]


# One table of valid and one of invalid constructions, as torch.distributions does.
VALID: list[LatentCode] = [
    Categorical(2),
    Categorical(10, weight=0.5),
    Uniform(1),
    Uniform(2, low=0, high=3, weight=0.1, q_std="learned"),
    Gaussian(4, mean=1, std=0.5, q_std=0.5),
]

INVALID = [
    (lambda: Categorical(1), "k=1 is not allowed; k must be an integer >= 2"),
    (lambda: Categorical(2.5), "k=2.5 is not allowed"),
    (lambda: Categorical(True), "k=True is not allowed"),
    (lambda: Uniform(2, low=1, high=1), "high must be greater than low"),
    (lambda: Uniform(0), "n=0 is not allowed"),
    (lambda: Uniform(1, low=float("nan")), "low=nan is not allowed"),
    (lambda: Gaussian(1, std=0), "std=0 is not allowed; std must be > 0"),
    (lambda: Gaussian(1, q_std=-1), "q_std=-1.0 is not allowed"),
    (lambda: Gaussian(1, q_std="wide"), "q_std='wide' is not allowed"),
    (lambda: Categorical(3, weight=-1), "weight=-1.0 is not allowed"),
]


@pytest.mark.parametrize("code", VALID, ids=repr)
def test_valid_codes_have_consistent_shapes(code: LatentCode) -> None:
    generator = torch.Generator().manual_seed(0)
    samples = code.sample(8, generator)
    head = torch.randn(8, code.head_dim, generator=generator)
    assert samples.shape == (8, code.input_dim)
    assert code.nll(head, samples).shape == (8,)
    assert code.traversal(steps=4).shape[1] in (1, code.input_dim)


@pytest.mark.parametrize("code", VALID, ids=repr)
def test_repr_round_trips_through_the_spec_parser(code: LatentCode) -> None:
    from latentcodes.spec import code_from_spec, parse_code

    assert parse_code(repr(code)) == code
    assert code_from_spec(code.spec()) == code


@pytest.mark.parametrize(("build", "message"), INVALID)
def test_invalid_codes_name_the_value(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build()


def test_encode_rejects_values_out_of_range() -> None:
    message = "category 10 is not allowed; choose an integer from 0 to 9"
    with pytest.raises(ConfigError, match=message):
        Categorical(10).encode(10)
    with pytest.raises(ConfigError, match="give one finite number or 2 of them"):
        Uniform(2).encode([1.0, 2.0, 3.0])


def test_uninformed_nll_is_what_a_blind_q_scores() -> None:
    assert Categorical(10).uninformed_nll() == pytest.approx(LN10)
    assert Uniform(1).uninformed_nll() == pytest.approx(0.918939 + 1 / 6, abs=1e-6)
    blind = Gaussian(2, std=3, q_std="learned").uninformed_nll()
    assert blind == pytest.approx(2 * 0.5 * math.log(2 * math.pi * math.e * 9))


def test_data_information_of_a_categorical_code() -> None:
    code = Categorical(4)
    # Q that cannot tell images apart: no information.
    assert code.data_information(torch.zeros(6, 4)).item() == pytest.approx(0.0, abs=1e-6)
    # Sure of each image and every category used equally: H(c) = ln 4.
    sure = 30 * torch.eye(4)
    assert code.data_information(sure).item() == pytest.approx(math.log(4), abs=1e-6)
    # Sure, but every image in category 0: no information either.
    one = 30 * torch.eye(4)[[0, 0, 0, 0]]
    assert code.data_information(one).item() == pytest.approx(0.0, abs=1e-6)
    # Two categories used equally with certainty: ln 2.
    two = 30 * torch.eye(4)[[0, 1, 0, 1]]
    assert code.data_information(two).item() == pytest.approx(math.log(2), abs=1e-6)
    assert Uniform(2).data_information(torch.zeros(3, 2)) is None


def test_data_information_of_two_views() -> None:
    code = Categorical(4)
    sure = 30 * torch.eye(4).repeat(2, 1)  # 8 images, two of each category
    # The views agree: ln 4.
    assert code.data_information(sure, sure).item() == pytest.approx(math.log(4), abs=1e-6)
    # The second view reads a different category for half the images: less.
    moved = 30 * torch.eye(4)[[0, 1, 2, 3, 1, 0, 3, 2]]
    assert code.data_information(sure, moved).item() < math.log(4) - 0.3
    # The second view says nothing about the first: 0.
    first = 30 * torch.eye(4)[[0, 0, 1, 1]]
    second = 30 * torch.eye(4)[[0, 1, 0, 1]]
    assert code.data_information(first, second).item() == pytest.approx(0.0, abs=1e-6)


def test_data_information_is_finite_under_autocast() -> None:
    code = Categorical(10)
    head = (40 * torch.eye(10)).requires_grad_()  # a very sure Q
    with torch.autocast("cpu", dtype=torch.bfloat16):
        value = code.data_information(head, head * 1.0)
    value.float().backward()
    assert math.isfinite(value.item()) and torch.isfinite(head.grad).all()
    with torch.autocast("cpu", dtype=torch.float16):
        half = code.data_information(head.detach().half(), head.detach().half())
    assert half.dtype == torch.float32 and half.item() == pytest.approx(math.log(10), abs=1e-4)
