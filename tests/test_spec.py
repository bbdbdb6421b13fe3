"""Code specs as written on the command line."""

from __future__ import annotations

import pytest

from latentcodes import Categorical, ConfigError, Gaussian, LatentCodesError, Uniform
from latentcodes.spec import parse_code, parse_codes


def test_parse_a_list_of_codes() -> None:
    codes = parse_codes("Categorical(10), Uniform(2, weight=0.5), gaussian(1, std=2)")
    assert codes == [Categorical(10), Uniform(2, weight=0.5), Gaussian(1, std=2)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Categorical(1)", "k=1 is not allowed"),
        ("Cauchy(2)", "unknown code type 'cauchy'; known code types: categorical, gaussian"),
        ("Uniform(2, colour=3)", "unexpected keyword argument 'colour'; Uniform takes"),
        ("Uniform(__import__('os'))", "arguments must be literal numbers or strings"),
        ("Uniform(2", "cannot be read"),
        ("3 + 4", "cannot be read"),
    ],
)
def test_bad_specs_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(LatentCodesError, match=message.replace("(", r"\(")):
        parse_codes(text)


def test_parse_code_wants_exactly_one() -> None:
    with pytest.raises(ConfigError, match="holds 2 codes; give exactly one"):
        parse_code("Uniform(1), Uniform(1)")
