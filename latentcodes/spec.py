"""Code specs: text such as ``"Uniform(2, low=-1, high=1, weight=0.5)"``.

Specs are how codes travel through the command line, recipes and run
directories. They are parsed with ``ast`` and only literal arguments are
accepted, so a spec can never run code.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from latentcodes.codes import LatentCode
from latentcodes.errors import ConfigError
from latentcodes.registries import CODE_TYPES

__all__ = ["parse_code", "parse_codes", "code_from_spec", "code_type"]


def code_type(name: str) -> type[LatentCode]:
    """The registered code type called ``name`` (any case: ``Uniform`` or ``uniform``)."""
    return CODE_TYPES.get(name.lower())


def parse_codes(text: str) -> list[LatentCode]:
    """Parse a comma-separated list of code specs."""
    try:
        tree = ast.parse(f"[{text}]", mode="eval").body
    except SyntaxError:
        raise ConfigError(_bad_syntax(text)) from None
    assert isinstance(tree, ast.List)  # guaranteed by the brackets above
    return [_build(text, node) for node in tree.elts]


def parse_code(text: str) -> LatentCode:
    """Parse one code spec such as ``"Categorical(10)"``."""
    codes = parse_codes(text)
    if len(codes) != 1:
        raise ConfigError(f"code spec {text!r} holds {len(codes)} codes; give exactly one")
    return codes[0]


def code_from_spec(spec: dict[str, Any]) -> LatentCode:
    """Rebuild a code from ``LatentCode.spec()`` (as saved in checkpoints)."""
    arguments = dict(spec)
    name = str(arguments.pop("type", ""))
    return _construct(code_type(name), f"{name}{arguments}", [], arguments)


def _build(text: str, node: ast.expr) -> LatentCode:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ConfigError(_bad_syntax(text))
    names = [kw.arg for kw in node.keywords]
    if None in names or len(set(names)) != len(names):
        raise ConfigError(
            f"code spec {ast.unparse(node)!r}: each argument may be given once, by name"
        )
    try:
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    except ValueError:
        source = ast.unparse(node)
        raise ConfigError(
            f"code spec {source!r}: arguments must be literal numbers or strings"
        ) from None
    return _construct(code_type(node.func.id), ast.unparse(node), args, kwargs)


def _construct(
    cls: type[LatentCode], source: str, args: list[Any], kwargs: dict[str, Any]
) -> LatentCode:
    signature = inspect.signature(cls)
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        allowed = ", ".join(signature.parameters)
        raise ConfigError(
            f"code spec {source!r}: {error}; {cls.__name__} takes ({allowed})"
        ) from None
    return cls(*args, **kwargs)


def _bad_syntax(text: str) -> str:
    return (
        f"code spec {text!r} cannot be read; write code types as calls, "
        f"e.g. 'Categorical(10), Uniform(2, weight=0.5)'; known code types: "
        f"{', '.join(CODE_TYPES.names())}"
    )
