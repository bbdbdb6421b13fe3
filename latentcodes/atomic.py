"""Writing a file atomically: into a temporary file beside it, then renamed
over it, so that a crash or a signal mid-write never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomically"]


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write`` on a temporary file beside ``path`` and rename it over
    ``path``; on failure nothing is left over."""
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.chmod(scratch, _mode_for(path))
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """An existing file's permissions, or a new file's usual ones (0666 less
    the umask): mkstemp makes the scratch file readable by its owner only."""
    if path.is_file():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
