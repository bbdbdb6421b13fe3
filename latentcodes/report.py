"""``latentcodes eval``: what a trained model's codes do, measured.

- categorical accuracy, NMI, the category-to-class table and the confusion
  matrix (labels are used here only, never in training);
- each code's MI bound ``H(c) - NLL`` on fresh samples, and its ratio to H(c);
- for each continuous code, the rank correlation between its value along a
  traversal and simple image properties (ink, width, height, slant);
- the Fréchet distance between real test images and generated ones.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch
from scipy.stats import spearmanr
from torch import Tensor

from latentcodes.continuous import ContinuousCode
from latentcodes.data import ImageData
from latentcodes.evaluation import categorical_accuracy, nmi_from_counts
from latentcodes.frechet import feature_net, features, frechet_distance
from latentcodes.images import code_grid
from latentcodes.model import InfoGAN

logger = logging.getLogger(__name__)

__all__ = ["evaluate_run", "image_properties", "mi_bounds", "code_control"]

PROPERTIES = ("ink", "width", "height", "slant", "thickness")


def image_properties(images: Tensor) -> dict[str, np.ndarray]:
    """Ink, width, height, slant and stroke thickness of images in [-1, 1],
    one value each.

    Ink is the mean intensity; width and height are the standard deviations of
    the ink's x and y positions; slant is the x-on-y regression slope of the
    ink (positive: leaning right, since y grows downward). Thickness is
    2 * area / perimeter of the pixels brighter than mid-grey: a stroke of
    width w and length L has area w * L and a perimeter of 2 * (L + w), so
    for a long stroke it reads w.
    """
    weight = ((images[:, 0].double() + 1) / 2).clamp(min=0)  # (n, h, w)
    total = weight.sum(dim=(1, 2)).clamp(min=1e-9)
    height, width = weight.shape[1:]
    ys = torch.arange(height, dtype=torch.float64).view(1, height, 1)
    xs = torch.arange(width, dtype=torch.float64).view(1, 1, width)
    cy = (weight * ys).sum(dim=(1, 2)) / total
    cx = (weight * xs).sum(dim=(1, 2)) / total
    dy = ys - cy.view(-1, 1, 1)
    dx = xs - cx.view(-1, 1, 1)
    var_y = (weight * dy**2).sum(dim=(1, 2)) / total
    var_x = (weight * dx**2).sum(dim=(1, 2)) / total
    cov = (weight * dx * dy).sum(dim=(1, 2)) / total
    return {
        "ink": weight.mean(dim=(1, 2)).numpy(),
        "width": var_x.sqrt().numpy(),
        "height": var_y.sqrt().numpy(),
        "slant": (-cov / var_y.clamp(min=1e-9)).numpy(),
        "thickness": _thickness(images[:, 0].double() > 0).numpy(),
    }


def _thickness(ink: Tensor) -> Tensor:
    """2 * area / perimeter of boolean masks ``(n, h, w)``, the perimeter
    counted in pixel sides between ink and blank (outside counts as blank)."""
    mask = torch.nn.functional.pad(ink.double(), (1, 1, 1, 1))
    across = (mask[:, :, 1:] - mask[:, :, :-1]).abs().sum(dim=(1, 2))
    down = (mask[:, 1:, :] - mask[:, :-1, :]).abs().sum(dim=(1, 2))
    area = ink.double().sum(dim=(1, 2))
    return 2 * area / (across + down).clamp(min=1)


def mi_bounds(model: InfoGAN, samples: int = 2000, seed: int = 0) -> dict[str, dict[str, float]]:
    """Each code's MI bound on fresh samples, Q and D in inference mode."""
    batch = model.space.sample(samples, torch.Generator().manual_seed(seed))
    head = model.read_codes(model.decode(batch.input()))
    mi = model.space.mi_loss(head, batch.codes)
    report = {}
    for name, entropy in zip(model.space.names, model.space.entropies, strict=True):
        bound = float(mi.bounds[name])
        report[name] = {
            "entropy": entropy,
            "nll": float(mi.terms[name]),
            "bound": bound,
            "ratio": bound / entropy if entropy > 0 else float("nan"),
        }
    return report


def code_control(
    model: InfoGAN, columns: int = 16, steps: int = 9, reach: float = 1.0, seed: int = 0
) -> dict[str, dict[str, Any]]:
    """For each dimension of each continuous code, the mean (over noise
    columns) Spearman correlation between the code value and each property."""
    report: dict[str, dict[str, Any]] = {}
    for index, (name, code) in enumerate(zip(model.space.names, model.codes, strict=True)):
        if not isinstance(code, ContinuousCode):
            continue
        for dim in range(code.n):
            images, _ = code_grid(model, index, columns, seed, dim, steps=steps, reach=reach)
            props = image_properties(images)
            values = np.arange(steps)
            rho = {
                prop: float(np.nanmean([
                    _spearman(values, props[prop].reshape(steps, columns)[:, c])
                    for c in range(columns)
                ]))
                for prop in PROPERTIES
            }
            best = max(rho, key=lambda prop: abs(rho[prop]))
            report[f"{name}[{dim}]"] = {"rank_correlation": rho, "controls": best,
                                        "strength": abs(rho[best])}
    return report


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    if np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def evaluate_run(
    model: InfoGAN, train: ImageData, test: ImageData, dataset: str, samples: int = 5000
) -> dict[str, Any]:
    """The full evaluation of one model, JSON-ready."""
    report: dict[str, Any] = {}
    if any(code.discrete for code in model.codes):
        match = categorical_accuracy(model, test)
        report["categorical"] = {
            "accuracy": match.accuracy,
            "nmi": nmi_from_counts(match.confusion),
            "class_of_category": match.class_of_category,
            "merged": {str(k): v for k, v in match.merged.items()},
            "confusion": match.confusion.tolist(),
        }
    report["mi"] = mi_bounds(model, samples=min(samples, 2000))
    report["control"] = code_control(model)

    logger.info("computing the Fréchet distance on %d generated images", samples)
    net = feature_net(dataset, train)
    real = features(net, test.batch(torch.arange(min(samples, len(test)))))
    fake = features(net, model.generate(samples, seed=1))
    report["frechet_distance"] = frechet_distance(real, fake)
    return report

