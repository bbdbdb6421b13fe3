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
import os
import tempfile
from pathlib import Path
from typing import Any

from latentcodes.errors import ConfigError

__all__ = ["RunDirectory", "write_json"]


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as indented JSON, atomically."""
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w") as stream:
        json.dump(value, stream, indent=2)
        stream.write("\n")
    os.replace(scratch, path)


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

    def drop_metrics_after(self, step: int) -> None:
        """Keep only the records up to ``step``; a line cut short by a kill
        mid-write is dropped too. Rewritten atomically."""
        if not self.metrics_path.exists():
            return
        kept = []
        for line in self.metrics_path.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("step", 0) <= step:
                kept.append(line + "\n")
        handle, scratch = tempfile.mkstemp(prefix=f".{self.metrics_path.name}.", dir=self.path)
        with os.fdopen(handle, "w") as stream:
            stream.writelines(kept)
        os.replace(scratch, self.metrics_path)
