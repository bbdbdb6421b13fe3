"""Fréchet distance between real and generated images, in the feature space of
a small classifier that latentcodes trains once per dataset and caches.

Inception features (FID) need downloaded weights and mean little on 28x28
digits; a small CNN trained on the dataset's own labels is the usual stand-in
for MNIST. Its 128-wide penultimate layer gives the features; the distance is

    |mu_a - mu_b|^2 + trace(S_a + S_b - 2 (S_a S_b)^(1/2))

over those features. Figures are comparable only between runs that use the
same cached classifier (its file name carries the dataset and a version).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from scipy import linalg
from torch import Tensor, nn

from latentcodes.checkpoint import load_checkpoint, save_checkpoint
from latentcodes.data import ImageData, default_cache_dir
from latentcodes.errors import CheckpointError

logger = logging.getLogger(__name__)

__all__ = ["FeatureNet", "frechet_distance", "feature_net", "features"]

VERSION = 1


class FeatureNet(nn.Module):
    """conv 32, conv 64, dense 128 (the features), dense to the classes."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (n, 32, 14, 14)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (n, 64, 7, 7)
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
        )
        self.classify = nn.Linear(128, classes)

    def forward(self, images: Tensor) -> Tensor:
        return self.classify(self.body(images))


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature rows ``a`` and ``b``."""
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    # ReLU features have dead units, so the covariances are often singular; a
    # tiny ridge keeps the square root stable and leaves d(a, a) exactly 0.
    ridge = 1e-6 * np.eye(a.shape[1])
    cov_a = np.cov(a, rowvar=False) + ridge
    cov_b = np.cov(b, rowvar=False) + ridge
    root = linalg.sqrtm(cov_a @ cov_b)
    distance = ((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root.real)
    return float(max(distance, 0.0))


@torch.no_grad()
def features(net: FeatureNet, images: Tensor, batch_size: int = 1000) -> np.ndarray:
    """Features ``(n, 128)`` of images in [-1, 1]."""
    net.eval()
    parts = [net.body(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
    return torch.cat(parts).double().numpy()


def feature_net(dataset: str, train: ImageData, cache: Path | None = None) -> FeatureNet:
    """The cached classifier for ``dataset``, trained on ``train`` at first use."""
    path = (cache or default_cache_dir()) / f"frechet-{dataset}-v{VERSION}.pt"
    net = FeatureNet()
    if path.is_file():
        try:
            net.load_state_dict(load_checkpoint(path, required=("state",))["state"])
            return net
        except (CheckpointError, RuntimeError) as error:
            logger.warning("retraining the Fréchet classifier: %s", error)
    accuracy = _train(net, train)
    save_checkpoint(path, {"state": net.state_dict(), "train_accuracy": accuracy})
    logger.info("Fréchet classifier for %s cached at %s", dataset, path)
    return net


def _train(net: FeatureNet, data: ImageData, epochs: int = 1) -> float:
    """One seeded epoch of Adam; about a minute on two CPU cores."""
    logger.info("training the Fréchet-distance classifier once (about a minute)")
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    net.train()
    correct = 0
    for _ in range(epochs):
        order = torch.randperm(len(data), generator=generator)
        correct = 0
        for index in order.split(128):
            logits = net(data.batch(index))
            loss = F.cross_entropy(logits, data.labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            correct += int((logits.argmax(dim=1) == data.labels[index]).sum())
    return correct / len(data)
