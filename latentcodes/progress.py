"""Live progress of a run: a rich bar on a terminal, log lines elsewhere.

Both show steps, steps/s, the ETA and the latest logged losses. On a terminal
the bar updates every step; in a log file (CI, ``nohup``) one line is written
per logging interval, so a long background run can be followed with ``tail``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

logger = logging.getLogger(__name__)

__all__ = ["RunProgress", "format_losses"]


def format_losses(record: dict[str, Any]) -> str:
    """``D 1.21 G 0.83 c0_categorical 0.41`` from a metrics record."""
    parts = [f"D {record['d_loss']:.3f}", f"G {record['g_loss']:.3f}"]
    parts += [f"{name} {value:.3f}" for name, value in record["mi_loss"].items()]
    if record.get("real_information") is not None:
        parts.append(f"real I {record['real_information']:.3f}")
    return "  ".join(parts)


class RunProgress:
    """Shows a run's progress; use as a context manager."""

    def __init__(
        self, total: int, live: bool, console: Console | None = None, first: int = 0
    ) -> None:
        self.total = total
        self.first = first  # the step a resumed run starts from; the ETA counts from it
        self.console = console or Console(stderr=True)
        self.live = live and self.console.is_terminal
        self._start = time.perf_counter()
        self._bar: Progress | None = None
        self._task = 0

    def __enter__(self) -> RunProgress:
        if self.live:
            self._bar = Progress(
                TextColumn("[bold]train"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[losses]}"),
                console=self.console,
            )
            self._bar.start()
            self._task = self._bar.add_task(
                "train", total=self.total, completed=self.first, rate="", losses=""
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, step: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=step)

    def report(self, step: int, record: dict[str, Any]) -> None:
        """Show the losses of a freshly logged metrics record."""
        rate = f"{record['steps_per_s']:.2f} steps/s"
        if self._bar is not None:
            self._bar.update(self._task, completed=step, rate=rate, losses=format_losses(record))
            return
        elapsed = time.perf_counter() - self._start
        eta = (self.total - step) * elapsed / max(step - self.first, 1)
        logger.info(
            "step %d/%d  %s  ETA %s  %s",
            step, self.total, rate, _clock(eta), format_losses(record),
        )


def _clock(seconds: float) -> str:
    minutes, second = divmod(int(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}"
