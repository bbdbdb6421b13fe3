"""Shared fixtures: the real MNIST files and a small in-memory dataset."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from latentcodes.data import ImageData

REPO = Path(__file__).resolve().parents[1]


def data_root() -> Path:
    """``$LATENTCODES_DATA``, else ``../shared/data`` beside the checkout."""
    root = Path(os.environ.get("LATENTCODES_DATA", REPO.parent / "shared" / "data"))
    if not (root / "mnist").is_dir():
        pytest.fail(
            f"MNIST IDX files not found under {root}; set LATENTCODES_DATA to a folder "
            "holding mnist/ (see README)"
        )
    return root


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    return data_root() / "mnist"


@pytest.fixture
def tiny_images() -> ImageData:
    """256 random 28x28 images, for fast unit tests of the training step."""
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (256, 1, 28, 28), generator=generator, dtype=torch.uint8)
    return ImageData(images, torch.zeros(256, dtype=torch.int64), "random")


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never reach for the network, whatever the machine allows.
    monkeypatch.setenv("LATENTCODES_OFFLINE", "1")
