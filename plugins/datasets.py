"""Built-in datasets: MNIST and Fashion-MNIST from the four standard IDX files."""

from __future__ import annotations

from latentcodes.data import IdxDataset, torchvision_download

mnist = IdxDataset(
    folder="mnist",
    description="MNIST handwritten digits, 60,000 train + 10,000 test, 28x28 grey",
    download=torchvision_download("MNIST"),
)

fashion_mnist = IdxDataset(
    folder="fashion-mnist",
    description="Fashion-MNIST clothing, 60,000 train + 10,000 test, 28x28 grey",
    download=torchvision_download("FashionMNIST"),
)
