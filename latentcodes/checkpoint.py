"""Checkpoints: written atomically, read back without unpickling objects.

A checkpoint is a dict of plain values and tensors. It is written to a
temporary file in the same folder and renamed over the target, so a crash
mid-write never leaves a half-written checkpoint. It is read with
``torch.load(weights_only=True)``, which refuses arbitrary pickled objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from latentcodes.atomic import write_atomically
from latentcodes.errors import CheckpointError

__all__ = ["save_checkpoint", "load_checkpoint", "FORMAT"]

FORMAT = "latentcodes-checkpoint-v1"


def save_checkpoint(path: Path | str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` (plus a format tag) to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda stream: torch.save({"format": FORMAT, **payload}, stream))
    return path


def load_checkpoint(path: Path | str, required: tuple[str, ...] = ("model",)) -> dict[str, Any]:
    """Read a checkpoint written by ``save_checkpoint`` and check its keys."""
    path = Path(path)
    if path.is_dir():
        path = path / "checkpoints" / "last.pt"
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for a damaged file
        # torch's own text suggests weights_only=False, which would run pickled
        # code from the file: only the error's type is passed on.
        raise CheckpointError(
            f"checkpoint {path} cannot be read ({type(error).__name__}); it is damaged "
            "or not a latentcodes checkpoint"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a latentcodes checkpoint (expected format {FORMAT})")
    missing = [key for key in required if key not in payload]
    if missing:
        raise CheckpointError(f"checkpoint {path} lacks {', '.join(missing)}")
    return payload
