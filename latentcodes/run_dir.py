"""The run directory: everything one training run writes.

    run_dir/
      config.json        the resolved config (the recipe after overrides)
      metrics.jsonl      one JSON object per logged step
      grids/step_*.png   image grids during training, grids/final.png at the end
      checkpoints/last.pt  the latest checkpoint (written atomically)
      summary.json       figures at the end of the run

A run never writes into a directory that already holds a run, so nothing
written before is lost.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from latentcodes.atomic import write_atomically
from latentcodes.errors import ConfigError

__all__ = ["RunDirectory", "write_json"]


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as indented JSON, atomically."""
    if path.is_dir():
        raise ConfigError(f"cannot write {path}: it is a folder; move it out of the way")
    text = json.dumps(value, indent=2) + "\n"
    write_atomically(path, lambda stream: stream.write(text.encode()))


class RunDirectory:
    """Paths and writers of one run directory."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @staticmethod
    def check_free(path: Path | str) -> None:
        """Refuse a path that already holds files, so nothing is overwritten."""
        path = Path(path)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise ConfigError(
                f"run directory {path} already exists and is not empty; "
                "choose another --out so that nothing is overwritten"
            )

    @classmethod
    def create(cls, path: Path | str) -> RunDirectory:
        """Make a new run directory; an existing non-empty one is refused."""
        path = Path(path)
        cls.check_free(path)
        for sub in ("grids", "checkpoints"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        return cls(path)

    @property
    def config_path(self) -> Path:
        return self.path / "config.json"

    @property
    def metrics_path(self) -> Path:
        return self.path / "metrics.jsonl"

    @property
    def checkpoint_path(self) -> Path:
        return self.path / "checkpoints" / "last.pt"

    @property
    def summary_path(self) -> Path:
        return self.path / "summary.json"

    def grid_path(self, step: int | None) -> Path:
        name = "final.png" if step is None else f"step_{step:06d}.png"
        return self.path / "grids" / name

    def append_metrics(self, record: dict[str, Any]) -> None:
        with self.metrics_path.open("a") as stream:
            stream.write(json.dumps(record) + "\n")

    def read_metrics(self) -> list[dict[str, Any]]:
        if not self.metrics_path.exists():
            return []
        return [json.loads(line) for line in self.metrics_path.read_text().splitlines() if line]

    def check_resumable(self) -> None:
        """Refuse, before any training, a run directory whose parts are not
        what a run writes (a file where a folder belongs, or the reverse)."""
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError(f"run directory {self.path} is a file, not a folder")
        if not self.path.is_dir():
            raise ConfigError(f"run directory {self.path} does not exist")
        for folder in (self.path / "grids", self.checkpoint_path.parent):
            if folder.exists() and not folder.is_dir():
                raise ConfigError(f"{folder} is a file; the run directory needs a folder there")
        for file in (self.config_path, self.metrics_path, self.summary_path, self.checkpoint_path):
            if file.is_dir():
                raise ConfigError(f"{file} is a folder; the run directory needs a file there")
        (self.path / "grids").mkdir(exist_ok=True)

    def drop_metrics_after(self, step: int) -> None:
        """Drop the records at the end of metrics.jsonl that are past ``step``
        (logged after the last checkpoint by a run that was killed), and a
        last line cut short mid-write. Every other line is kept as it is."""
        if not self.metrics_path.is_file():
            return
        lines = self.metrics_path.read_bytes().splitlines(keepends=True)
        keep = len(lines)
        while keep > 0 and _past(lines[keep - 1], step, last=keep == len(lines)):
            keep -= 1
        if keep < len(lines):
            kept = b"".join(lines[:keep])
            write_atomically(self.metrics_path, lambda stream: stream.write(kept))


def _past(line: bytes, step: int, last: bool) -> bool:
    """Whether a metrics line is a record past ``step``, or (the last line
    only) a record cut short by a kill."""
    try:
        record = json.loads(line)
    except ValueError:  # JSON and Unicode errors alike
        return last and not line.endswith(b"\n")
    value = record.get("step") if isinstance(record, dict) else None
    return type(value) is int and value > step
