"""Context managers the training loop wraps around its critical steps."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from torch import nn

__all__ = ["frozen", "uninterruptible"]


@contextlib.contextmanager
def uninterruptible() -> Iterator[None]:
    """Hold off Ctrl-C and SIGTERM while the last checkpoint is written, so a
    second press cannot leave the run directory half-written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def frozen(params: list[nn.Parameter]) -> Iterator[None]:
    """Stop gradients into ``params`` (BatchNorm stays in training mode)."""
    for param in params:
        param.requires_grad_(False)
    try:
        yield
    finally:
        for param in params:
            param.requires_grad_(True)
