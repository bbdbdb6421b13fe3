"""argparse value types for the ``latentcodes`` command: each turns a bad
value into argparse's one-line error naming the value and what is allowed."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

__all__ = ["COUNT", "MAX_SEED", "SEED", "THREADS", "png", "ranged_int", "reach"]

MAX_SEED = 2**63 - 1


def ranged_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not allowed; use {low} to {high}")
        return value

    parse.__name__ = "int"
    return parse


def reach(text: str) -> float:
    """An argparse type: a finite number above 0 and at most 100."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number: {text!r}") from None
    if not 0 < value <= 100:  # NaN fails this too
        raise argparse.ArgumentTypeError(f"{text} is not allowed; use a number above 0, up to 100")
    return value


SEED = ranged_int(0, MAX_SEED)
COUNT = ranged_int(1, 1_000_000)
THREADS = ranged_int(1, 1024)


def png(text: str) -> Path:
    """An argparse type: a file name ending in .png."""
    path = Path(text)
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed; give a file name ending in .png"
        )
    return path
