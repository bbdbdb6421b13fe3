"""How well a categorical code recovers the classes, without using labels in training.

Q's most likely category for each test image is compared with the true label
after the best one-to-one matching of categories to classes (the Hungarian
algorithm), since category k is not class k: the mapping is learned and
arbitrary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from latentcodes.data import ImageData
from latentcodes.model import InfoGAN

__all__ = [
    "CategoryMatch",
    "match_categories",
    "normalized_mutual_info",
    "nmi_from_counts",
    "predict_categories",
]


@dataclass
class CategoryMatch:
    """The result of matching categories to classes.

    Attributes:
        accuracy: share of images whose category is matched to their class.
        class_of_category: for each category, its matched class (-1: none).
        confusion: counts ``(categories, classes)``.
        merged: for each category that is the most common category of more
            than one class, those classes.
    """

    accuracy: float
    class_of_category: list[int]
    confusion: np.ndarray
    merged: dict[int, list[int]]


def match_categories(
    categories: np.ndarray, labels: np.ndarray, k: int, classes: int
) -> CategoryMatch:
    """Best one-to-one matching of ``k`` categories to ``classes`` classes."""
    confusion = np.zeros((k, classes), dtype=np.int64)
    np.add.at(confusion, (categories, labels), 1)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    class_of_category = [-1] * k
    for row, col in zip(rows, cols, strict=True):
        class_of_category[int(row)] = int(col)
    accuracy = float(confusion[rows, cols].sum() / max(len(labels), 1))
    return CategoryMatch(accuracy, class_of_category, confusion, _merged(confusion))


def _merged(confusion: np.ndarray) -> dict[int, list[int]]:
    home = confusion.argmax(axis=0)  # each class's most common category
    merged: dict[int, list[int]] = {}
    for category in range(confusion.shape[0]):
        members = [int(c) for c in np.flatnonzero(home == category)]
        if len(members) > 1:
            merged[category] = members
    return merged


def normalized_mutual_info(a: np.ndarray, b: np.ndarray) -> float:
    """NMI of two labelings, normalised by the arithmetic mean of their entropies."""
    _, a_index = np.unique(a, return_inverse=True)
    _, b_index = np.unique(b, return_inverse=True)
    counts = np.zeros((a_index.max() + 1, b_index.max() + 1))
    np.add.at(counts, (a_index, b_index), 1)
    return nmi_from_counts(counts)


def nmi_from_counts(counts: np.ndarray) -> float:
    """NMI from a contingency table (e.g. a confusion matrix)."""
    joint = counts / counts.sum()
    pa, pb = joint.sum(axis=1), joint.sum(axis=0)
    nonzero = joint > 0
    mutual = float((joint[nonzero] * np.log(joint[nonzero] / np.outer(pa, pb)[nonzero])).sum())
    entropy_a = float(-(pa[pa > 0] * np.log(pa[pa > 0])).sum())
    entropy_b = float(-(pb[pb > 0] * np.log(pb[pb > 0])).sum())
    mean_entropy = (entropy_a + entropy_b) / 2
    return 1.0 if mean_entropy == 0 else mutual / mean_entropy


def predict_categories(
    model: InfoGAN, data: ImageData, code_index: int, batch_size: int = 1000
) -> np.ndarray:
    """Q's most likely value of categorical code ``code_index`` for every image."""
    code = model.codes[code_index]
    start = sum(c.head_dim for c in model.codes[:code_index])
    predictions = []
    for first in range(0, len(data), batch_size):
        index = torch.arange(first, min(first + batch_size, len(data)))
        head = model.read_codes(data.batch(index))[:, start : start + code.head_dim]
        predictions.append(head.argmax(dim=1))
    return torch.cat(predictions).numpy()


def categorical_accuracy(model: InfoGAN, data: ImageData, classes: int = 10) -> CategoryMatch:
    """Match the first categorical code of ``model`` to ``data``'s labels."""
    index = next(i for i, code in enumerate(model.codes) if code.discrete)
    k = model.codes[index].head_dim
    categories = predict_categories(model, data, index)
    return match_categories(categories, data.labels.numpy(), k, classes)
