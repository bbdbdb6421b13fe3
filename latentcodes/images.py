"""Image grids: pictures of what the codes do.

In a code grid each row holds one value of a code and each column one noise
vector (with the other codes fixed), so the code's effect reads down a column
and the noise's effect along a row.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from einops import repeat
from torch import Tensor
from torchvision.utils import save_image

from latentcodes.atomic import write_atomically
from latentcodes.continuous import ContinuousCode

if TYPE_CHECKING:
    from latentcodes.model import InfoGAN

__all__ = ["code_grid", "save_grid", "grid_code_index"]


def grid_code_index(model: InfoGAN) -> int | None:
    """The code that a run's grids vary: the first categorical one, else the first."""
    for index, code in enumerate(model.codes):
        if code.discrete:
            return index
    return 0 if model.codes else None


def code_grid(
    model: InfoGAN,
    index: int | None,
    columns: int = 10,
    seed: int = 0,
    dim: int = 0,
    steps: int | None = None,
    reach: float = 2.0,
) -> tuple[Tensor, int]:
    """Images ``(rows * columns, C, H, W)`` in [-1, 1] and the row length.

    Row r sets code ``index`` to its r-th traversal value (dimension ``dim`` of
    a continuous code, the others at its center); every row shares the same
    noise and other codes. A continuous code takes ``steps`` values (default
    ``columns``) from ``center - reach * half_range`` to ``center + reach *
    half_range``. With ``index`` None the grid is plain samples.
    """
    generator = torch.Generator().manual_seed(seed)
    batch = model.space.sample(columns, generator)
    if index is None:
        return model.decode(model.space.sample(columns * columns, generator).input()), columns

    code = model.codes[index]
    values = code.traversal(steps=steps or columns, reach=reach)  # (rows, 1) or (k, k) one-hot rows
    if isinstance(code, ContinuousCode):
        full = torch.full((values.shape[0], code.input_dim), code.center)
        full[:, dim] = values[:, 0]
        values = full
    rows = values.shape[0]

    parts = [repeat(part, "c d -> (r c) d", r=rows) for part in [batch.noise, *batch.codes]]
    parts[1 + index] = repeat(values, "r d -> (r c) d", c=columns)
    return model.decode(torch.cat(parts, dim=1)), columns


def save_grid(images: Tensor, path: Path | str, columns: int) -> Path:
    """Save images in [-1, 1] as a PNG grid with ``columns`` per row, written
    to a temporary file and renamed, so an interruption leaves no broken PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda stream: save_image(
        images, stream, format="png", nrow=columns, normalize=True, value_range=(-1, 1), padding=2
    ))
    return path

