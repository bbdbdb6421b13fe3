"""Context managers the training loop wraps around its critical steps."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from torch import nn

__all__ = ["frozen", "StopRequests"]


class StopRequests:
    """Turns Ctrl-C and SIGTERM into a request that the loop honours between
    steps, so that a checkpoint written at a stop always holds the state after
    a whole step (BatchNorm statistics, random draws and data order included)
    and a save is never cut off half-way."""

    signals = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopRequests:
        # Only the main thread may set handlers; elsewhere signals reach the
        # main thread anyway, and this is a no-op.
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._note) for sig in self.signals}
        return self

    def _note(self, signum: int, frame: object) -> None:
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self._previous = {}


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
