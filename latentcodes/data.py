"""Image datasets distributed as the four standard IDX files.

A data folder is found in this order: ``--data-dir`` (the folder itself, or a
subfolder named after the dataset), the environment variable
``LATENTCODES_DATA`` (likewise), then a per-user cache folder. Files may be
gzipped or not. Headers and shapes are checked; nothing is unpickled. If the
files are missing they are downloaded through torchvision when the network
allows; otherwise the error names the folder and the files it needs.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import Tensor

from latentcodes.errors import CheckpointError, DataError

logger = logging.getLogger(__name__)

__all__ = ["IdxDataset", "ImageData", "IndexSampler", "read_idx", "default_cache_dir", "Split"]

Split = Literal["train", "test"]

ENV_VAR = "LATENTCODES_DATA"
OFFLINE_VAR = "LATENTCODES_OFFLINE"

_FILES: dict[Split, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
ALL_FILES = [name for pair in _FILES.values() for name in pair]


@dataclass
class ImageData:
    """Images held in memory as uint8 ``(N, C, H, W)``, with their labels.

    Batches are drawn by index and scaled to [-1, 1] only then, which keeps
    the resident copy at one byte a pixel.
    """

    images: Tensor
    labels: Tensor
    name: str = "images"

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def image_shape(self) -> tuple[int, int, int]:
        channels, height, width = self.images.shape[1:]
        return int(channels), int(height), int(width)

    def batch(self, index: Tensor) -> Tensor:
        """Images at ``index``, float32 in [-1, 1], ``(len(index), C, H, W)``."""
        return self.images[index].float().div_(127.5).sub_(1.0)


class IndexSampler:
    """Draws real-image indices epoch by epoch, without replacement."""

    def __init__(self, size: int, generator: torch.Generator) -> None:
        self.size = size
        self.generator = generator
        self._order = torch.randperm(size, generator=generator)
        self._next = 0

    def take(self, n: int) -> Tensor:
        if self._next + n > self.size:
            self._order = torch.randperm(self.size, generator=self.generator)
            self._next = 0
        index = self._order[self._next : self._next + n]
        self._next += n
        return index

    def state(self) -> dict[str, Any]:
        """Where the sampler is in its epoch, for a checkpoint."""
        return {"order": self._order.clone(), "next": self._next}

    def restore(self, state: Any) -> None:
        """Continue from ``state()``; it must come from data of the same size."""
        order = state.get("order") if isinstance(state, dict) else None
        position = state.get("next") if isinstance(state, dict) else None
        if isinstance(order, Tensor) and order.dim() == 1 and len(order) != self.size:
            raise CheckpointError(
                f"the checkpoint was drawing from {len(order)} images and this data has "
                f"{self.size}; resume on the data the run was started on"
            )
        whole = (
            isinstance(order, Tensor) and order.dtype == torch.int64 and order.dim() == 1
            and torch.equal(order.sort().values, torch.arange(self.size))
            and type(position) is int and 0 <= position <= self.size
        )
        if not whole:
            raise CheckpointError(
                "the checkpoint's data order is damaged: it must be an order of all "
                f"{self.size} images and a position in it"
            )
        self._order, self._next = order.clone(), position


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/latentcodes`` or ``~/.cache/latentcodes``."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "latentcodes"


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """Read an unsigned-byte IDX file (gzipped or not) with ``ndim`` dimensions."""
    try:
        raw = _read_bytes(path)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"cannot read IDX file {path}: {error}") from None

    if len(raw) < 4 + 4 * ndim:
        raise DataError(f"IDX file {path} is truncated: {len(raw)} bytes, not even a header")
    zero, dtype, dims = raw[0:2], raw[2], raw[3]
    if zero != b"\x00\x00" or dtype != 0x08 or dims != ndim:
        raise DataError(
            f"{path} is not an unsigned-byte IDX file with {ndim} dimensions "
            f"(header bytes {raw[:4].hex()}, expected 000008{ndim:02x})"
        )

    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    payload = memoryview(raw)[4 + 4 * ndim :]
    expected = int(np.prod(shape))
    if len(payload) != expected:
        raise DataError(
            f"IDX file {path} is truncated or padded: its header says shape {shape} "
            f"({expected} bytes) but it holds {len(payload)} bytes"
        )
    return np.frombuffer(payload, dtype=np.uint8).reshape(shape)


def _read_bytes(path: Path) -> bytes:
    with path.open("rb") as handle:
        magic = handle.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    with opener(path, "rb") as handle:
        return handle.read()


@dataclass(frozen=True)
class IdxDataset:
    """A dataset in the MNIST distribution format, registered as a plugin.

    Attributes:
        folder: subfolder name under a data root, e.g. ``"mnist"``.
        description: one line for ``latentcodes list``.
        num_classes: number of label values (used by evaluation only).
        image_shape: ``(channels, height, width)``.
        download: fetches the gzipped files into a folder, or None.
    """

    folder: str
    description: str
    num_classes: int = 10
    image_shape: tuple[int, int, int] = (1, 28, 28)
    download: Callable[[Path], None] | None = None

    def load(
        self, split: Split = "train", data_dir: Path | str | None = None, download: bool = True
    ) -> ImageData:
        """Load ``split`` into memory, downloading it first if allowed and needed."""
        folder = self.locate(split, data_dir, download)
        image_name, label_name = _FILES[split]
        images = read_idx(_present(folder, image_name), ndim=3)
        labels = read_idx(_present(folder, label_name), ndim=1)
        self._check(folder, images, labels)
        logger.debug("loaded %d %s %s images from %s", len(images), self.folder, split, folder)
        tensor = torch.from_numpy(images.copy()).unsqueeze(1)
        return ImageData(tensor, torch.from_numpy(labels.astype(np.int64)), self.folder)

    def locate(self, split: Split, data_dir: Path | str | None, download: bool) -> Path:
        """The folder that holds ``split``'s two files."""
        candidates = self._candidates(data_dir)
        for folder in candidates:
            if all(_find(folder, name) for name in _FILES[split]):
                return folder

        target = candidates[0]
        offline = os.environ.get(OFFLINE_VAR, "") not in ("", "0")
        if download and not offline and self.download is not None:
            self._download(target)
            if all(_find(target, name) for name in _FILES[split]):
                return target
        raise DataError(self._missing_message(split, candidates, download and not offline))

    def _candidates(self, data_dir: Path | str | None) -> list[Path]:
        if data_dir is not None:
            root = Path(data_dir).expanduser()
            if not root.is_dir():
                problem = "is a file, not a folder" if root.exists() else "does not exist"
                raise DataError(
                    f"data folder {root} {problem}; pass a folder that holds the "
                    f"{self.folder} IDX files ({', '.join(ALL_FILES)})"
                )
            return [root, root / self.folder]
        if os.environ.get(ENV_VAR):
            root = Path(os.environ[ENV_VAR]).expanduser()
            return [root / self.folder, root]
        return [default_cache_dir() / self.folder]

    def _download(self, target: Path) -> None:
        assert self.download is not None
        logger.info("downloading %s into %s", self.folder, target)
        try:
            target.mkdir(parents=True, exist_ok=True)
            # torchvision prints each mirror it tries; the outcome is what counts.
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(
                io.StringIO()
            ):
                self.download(target)
        except Exception as error:  # any network or disk failure ends in one message
            logger.debug("download of %s failed: %s", self.folder, error)

    def _missing_message(self, split: Split, searched: list[Path], tried_download: bool) -> str:
        where = " or ".join(str(p) for p in searched)
        download = "download failed or the network is off; " if tried_download else ""
        return (
            f"{self.folder} {split} files ({', '.join(_FILES[split])}) not found in {where}; "
            f"{download}put the four files there (gzipped or not): {', '.join(ALL_FILES)}; "
            f"the folder comes from --data-dir, else {ENV_VAR}, else the cache"
        )

    def _check(self, folder: Path, images: np.ndarray, labels: np.ndarray) -> None:
        if tuple(images.shape[1:]) != self.image_shape[1:]:
            raise DataError(
                f"{folder}: images are {images.shape[1]}x{images.shape[2]}, "
                f"{self.folder} needs {self.image_shape[1]}x{self.image_shape[2]}"
            )
        if len(images) != len(labels):
            raise DataError(
                f"{folder}: {len(images)} images but {len(labels)} labels; the files "
                "do not belong together"
            )
        if labels.size and int(labels.max()) >= self.num_classes:
            raise DataError(
                f"{folder}: label {int(labels.max())} found, {self.folder} has "
                f"{self.num_classes} classes"
            )


def _find(folder: Path, name: str) -> Path | None:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _present(folder: Path, name: str) -> Path:
    path = _find(folder, name)
    if path is None:
        raise DataError(f"{folder} lacks {name} (or {name}.gz)")
    return path


def torchvision_download(dataset_class: str) -> Callable[[Path], None]:
    """A downloader that fetches through ``torchvision.datasets.<dataset_class>``
    and keeps only the four gzipped IDX files."""

    def download(target: Path) -> None:
        import torchvision.datasets

        with tempfile.TemporaryDirectory() as scratch:
            getattr(torchvision.datasets, dataset_class)(scratch, download=True)
            raw = Path(scratch) / dataset_class / "raw"
            for name in ALL_FILES:
                shutil.copyfile(raw / f"{name}.gz", target / f"{name}.gz")

    return download
