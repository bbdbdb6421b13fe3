"""A code type from another package, found through its entry point."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import torch

from latentcodes import CODE_TYPES, InfoGAN
from latentcodes.spec import parse_code

HERE = Path(__file__).parent / "third_party"


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lay out ``mycodes`` as pip would: the module plus a dist-info folder
    whose entry_points.txt declares the code type."""
    shutil.copy(HERE / "mycodes.py", tmp_path / "mycodes.py")
    info = tmp_path / "mycodes-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mycodes\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[latentcodes.codes]\nbernoulli = mycodes:Bernoulli\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    # Forget what the registry loaded so that it looks at entry points again.
    monkeypatch.setattr(CODE_TYPES, "_entries", {})
    monkeypatch.setattr(CODE_TYPES, "_failures", {})
    monkeypatch.setattr(CODE_TYPES, "_loaded", False)
    yield
    sys.modules.pop("mycodes", None)


def test_third_party_code_type_is_a_first_class_citizen(
    installed_plugin: None, tmp_path: Path
) -> None:
    assert "bernoulli" in CODE_TYPES
    assert "mycodes" in next(e.source for e in CODE_TYPES.entries() if e.name == "bernoulli")

    code = parse_code("Bernoulli(3, weight=0.5)")
    gan = InfoGAN(codes=["Categorical(10)", code], backbone="paper")
    assert gan.space.input_dim == 62 + 10 + 3
    assert gan.space.head_dim == 13

    path = gan.save(tmp_path / "gan.pt")
    again = InfoGAN.load(path)
    assert repr(again.codes[1]) == "Bernoulli(3, weight=0.5)"
    assert torch.equal(again.generate(3, {1: 1.0}), gan.generate(3, {1: 1.0}))
