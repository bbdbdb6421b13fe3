"""Publishing a file written beside its target under a temporary name."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["publish"]


def publish(scratch: Path | str, path: Path) -> None:
    """Rename ``scratch`` over ``path``. The result keeps an existing file's
    permissions, or gets a new file's usual ones (0666 less the umask), since
    the temporary file was created readable by its owner only."""
    if path.is_file():
        mode = path.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(scratch, mode)
    os.replace(scratch, path)
