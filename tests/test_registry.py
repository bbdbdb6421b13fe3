"""Registries: every registered plugin works, names are strict, failures are isolated."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
import torch

from latentcodes import BACKBONES, CODE_TYPES, DATASETS, RECIPES, InfoGAN, PluginError
from latentcodes.backbone import trunk_features
from latentcodes.codes import LatentCode
from latentcodes.registries import ALL
from latentcodes.registry import Registry


def test_builtins_are_registered() -> None:
    assert CODE_TYPES.names() == ["categorical", "gaussian", "uniform"]
    assert {"tutorial", "paper"} <= set(BACKBONES.names())
    assert {"mnist", "fashion-mnist"} <= set(DATASETS.names())
    assert {"mnist-infogan", "fashion-mnist-infogan", "mnist-infogan-paper"} <= set(RECIPES.names())
    assert all(not registry.failures() for registry in ALL.values())


@pytest.mark.parametrize("name", CODE_TYPES.names())
def test_every_code_type_builds_with_one_argument(name: str) -> None:
    code = CODE_TYPES.get(name)(3)
    assert isinstance(code, LatentCode)
    assert code.type_name == name


@pytest.mark.parametrize("name", BACKBONES.names())
def test_every_backbone_builds_and_fits_28x28(name: str) -> None:
    backbone = BACKBONES.get(name)
    generator = backbone.generator(72, (1, 28, 28))
    trunk = backbone.trunk((1, 28, 28))
    images = generator(torch.randn(4, 72))
    assert images.shape == (4, 1, 28, 28)
    assert images.abs().max() <= 1
    assert trunk(images).shape == (4, trunk_features(trunk, (1, 28, 28)))


@pytest.mark.parametrize("name", RECIPES.names())
def test_every_recipe_assembles_a_model(name: str) -> None:
    config = RECIPES.get(name).config
    assert config.dataset in DATASETS
    model = InfoGAN.from_config(config)
    assert model.generate(2).shape == (2, *DATASETS.get(config.dataset).image_shape)


@pytest.mark.parametrize("name", DATASETS.names())
def test_every_dataset_declares_a_shape_and_download(name: str) -> None:
    dataset = DATASETS.get(name)
    assert dataset.image_shape == (1, 28, 28)
    assert dataset.description and dataset.download is not None


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(PluginError, match="unknown recipe 'nope'; known recipes: .*mnist-infogan"):
        RECIPES.get("nope")


def _registry(monkeypatch: pytest.MonkeyPatch, points: list[EntryPoint]) -> Registry[int]:
    monkeypatch.setattr("latentcodes.registry.entry_points", lambda group: points)
    return Registry("number", "test.group", lambda v: None if isinstance(v, int) else "not an int")


def test_a_broken_plugin_is_reported_and_the_others_work(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [
        EntryPoint("good", "math:pi", "test.group"),
        EntryPoint("broken", "no_such_module_xyz:thing", "test.group"),
        EntryPoint("wrong", "math:e", "test.group"),
    ]
    registry = _registry(monkeypatch, points)
    registry.register("seven", 7)
    assert registry.names() == ["seven"]
    assert set(registry.failures()) == {"good", "broken", "wrong"}
    assert "not an int" in registry.failures()["good"]
    with pytest.raises(PluginError, match="number 'broken' failed to load: .*no_such_module_xyz"):
        registry.get("broken")


def test_a_duplicate_name_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = _registry(monkeypatch, [])
    registry.register("one", 1)
    with pytest.raises(PluginError, match="number 'one' from python is already registered"):
        registry.register("one", 2)
    assert registry.get("one") == 1


def test_names_filter_with_globs(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = _registry(monkeypatch, [])
    for name, value in [("mnist-a", 1), ("mnist-b", 2), ("other", 3)]:
        registry.register(name, value)
    assert registry.names("mnist-*") == ["mnist-a", "mnist-b"]
    assert "other" in registry and "missing" not in registry
