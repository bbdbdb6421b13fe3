"""IDX files: found, read gzipped or not, and refused clearly when broken."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from latentcodes import DATASETS, DataError
from latentcodes.data import ALL_FILES, read_idx

MNIST = DATASETS.get("mnist")


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> Path:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def fake_split(folder: Path, n: int = 6, compress: bool = False, split: str = "test") -> None:
    images = np.arange(n * 28 * 28).reshape(n, 28, 28) % 256
    prefix = "t10k" if split == "test" else "train"
    suffix = ".gz" if compress else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images, compress)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", np.arange(n) % 10, compress)


def test_real_mnist_loads_with_the_known_first_labels(mnist_dir: Path) -> None:
    train = MNIST.load("train", mnist_dir)
    assert len(train) == 60_000 and train.image_shape == (1, 28, 28)
    assert train.labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    batch = train.batch(np.arange(64))
    assert batch.min().item() == -1.0 and batch.max().item() == 1.0


def test_data_root_with_dataset_subfolder_works(mnist_dir: Path) -> None:
    assert len(MNIST.load("test", mnist_dir.parent)) == 10_000


@pytest.mark.parametrize("compress", [False, True])
def test_gzipped_or_not(tmp_path: Path, compress: bool) -> None:
    fake_split(tmp_path, compress=compress)
    data = MNIST.load("test", tmp_path)
    assert data.labels.tolist() == [0, 1, 2, 3, 4, 5]
    assert int(data.images[0, 0, 0, 5]) == 5


def test_environment_variable_is_a_data_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mnist").mkdir()
    fake_split(tmp_path / "mnist")
    monkeypatch.setenv("LATENTCODES_DATA", str(tmp_path))
    assert len(MNIST.load("test")) == 6


def test_missing_files_name_the_folder_and_the_four_files(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        MNIST.load("train", tmp_path)
    message = str(error.value)
    assert str(tmp_path) in message and "\n" not in message
    assert all(name in message for name in ALL_FILES)


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=f"data folder {tmp_path / 'nope'} does not exist"):
        MNIST.load("train", tmp_path / "nope")


def test_download_is_used_when_files_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LATENTCODES_OFFLINE")
    fetched: list[Path] = []

    def download(target: Path) -> None:
        fetched.append(target)
        fake_split(target, compress=True)

    dataset = type(MNIST)(folder="mnist", description="test", download=download)
    assert len(dataset.load("test", tmp_path)) == 6
    assert fetched == [tmp_path]


def test_truncated_file_is_refused(tmp_path: Path, mnist_dir: Path) -> None:
    fake_split(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError, match="truncated or padded: its header says shape"):
        MNIST.load("test", tmp_path)


def test_corrupt_gzip_is_refused(tmp_path: Path, mnist_dir: Path) -> None:
    shutil.copy(mnist_dir / "t10k-labels-idx1-ubyte.gz", tmp_path)
    source = (mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes()
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(source[: len(source) // 2])
    with pytest.raises(DataError, match="cannot read IDX file"):
        MNIST.load("test", tmp_path)


def test_wrong_header_is_refused(tmp_path: Path) -> None:
    path = write_idx(tmp_path / "x", np.zeros((2, 3)))
    with pytest.raises(DataError, match="not an unsigned-byte IDX file with 3 dimensions"):
        read_idx(path, ndim=3)


def test_images_and_labels_must_match(tmp_path: Path) -> None:
    fake_split(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.arange(5))
    with pytest.raises(DataError, match="6 images but 5 labels"):
        MNIST.load("test", tmp_path)
