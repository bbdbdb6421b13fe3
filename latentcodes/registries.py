"""The four plugin registries and the entry-point groups that fill them.

| registry      | entry-point group        | what an entry point names      |
| ------------- | ------------------------ | ------------------------------ |
| ``CODE_TYPES``| ``latentcodes.codes``    | a ``LatentCode`` subclass      |
| ``BACKBONES`` | ``latentcodes.backbones``| a ``Backbone``                 |
| ``DATASETS``  | ``latentcodes.datasets`` | an ``IdxDataset``              |
| ``RECIPES``   | ``latentcodes.recipes``  | a ``Recipe``                   |
"""

from __future__ import annotations

from latentcodes.backbone import Backbone
from latentcodes.codes import LatentCode
from latentcodes.config import Recipe
from latentcodes.data import IdxDataset
from latentcodes.registry import Check, Registry

__all__ = ["CODE_TYPES", "BACKBONES", "DATASETS", "RECIPES", "ALL"]


def _instance_of(kind: type) -> Check:
    def check(value: object) -> str | None:
        if isinstance(value, kind):
            return None
        return f"expected a {kind.__name__}, got {type(value).__name__}"

    return check


def _code_type(value: object) -> str | None:
    if isinstance(value, type) and issubclass(value, LatentCode):
        return None
    return f"expected a LatentCode subclass, got {value!r}"


CODE_TYPES: Registry[type[LatentCode]] = Registry(
    "code type", "latentcodes.codes", _code_type
)
BACKBONES: Registry[Backbone] = Registry(
    "backbone", "latentcodes.backbones", _instance_of(Backbone)
)
DATASETS: Registry[IdxDataset] = Registry(
    "dataset", "latentcodes.datasets", _instance_of(IdxDataset)
)
RECIPES: Registry[Recipe] = Registry(
    "recipe", "latentcodes.recipes", _instance_of(Recipe)
)

ALL: dict[str, Registry] = {  # type: ignore[type-arg]
    "code types": CODE_TYPES,
    "backbones": BACKBONES,
    "datasets": DATASETS,
    "recipes": RECIPES,
}
