"""The command line: listings, and bad input that ends in one clear line."""

from __future__ import annotations

import json

import subprocess
import sys
from pathlib import Path

import pytest

from latentcodes.cli import main


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env_python = [sys.executable, "-m", "latentcodes.cli"]
    return subprocess.run(
        [*env_python, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
        env={"LATENTCODES_OFFLINE": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


def test_list_shows_every_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ["categorical", "uniform", "gaussian", "tutorial", "paper", "mnist",
                 "fashion-mnist", "mnist-infogan", "fashion-mnist-infogan"]:
        assert name in out


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_unknown_recipe_lists_the_known_ones() -> None:
    result = run_cli("run", "no-such-recipe")
    assert result.returncode == 1
    line = one_error_line(result)
    assert "unknown recipe 'no-such-recipe'" in line and "mnist-infogan" in line


@pytest.mark.parametrize(
    ("args", "message", "status"),
    [
        (["--codes", "Categorical(1)"], "k=1 is not allowed; k must be an integer >= 2", 1),
        (["--codes", "Uniform(2, low=1, high=1)"], "high must be greater than low", 1),
        (["--add-code", "Gaussian(1, std=0)"], "std=0 is not allowed; std must be > 0", 1),
        (["--codes", "Bernoulli(2)"], "unknown code type 'bernoulli'", 1),
        (["--steps", "-5"], "config value steps=-5 is not allowed: Input should be greater", 1),
        (["--batch-size", "1"], "batch_size=1 is not allowed", 1),
        (["--precision", "fp8"], "precision='fp8' is not allowed", 1),
        (["--device", "tpu"], "device 'tpu' is not allowed; use auto, cpu, cuda or cuda:N", 1),
        (["--steps", "ten"], "argument --steps: invalid int value: 'ten'", 2),
        (["--seed", "9" * 25], "argument --seed: 9999999999999999999999999 is not allowed", 2),
        (["--threads", "100000"], "argument --threads: 100000 is not allowed; use 1 to 1024", 2),
        (["--codes", ""], "codes: at least one code is needed", 1),
        (["--codes", "Categorical(k=10, k=3)"], "each argument may be given once", 1),
        (["--lr-g", "inf"], "config value lr_g=inf is not allowed", 1),
        (["--batch-size", "100000"], "batch_size=100000 is not allowed for mnist", 1),
        (["--bogus"], "unrecognized arguments: --bogus", 2),
        (["--set", "real_mi"], "setting 'real_mi' is not allowed; write KEY=VALUE", 1),
        (["--set", "colour=red"], "unknown config key 'colour'; allowed keys: dataset,", 1),
        (["--set", "noise_scale=0"], "noise_scale=0 is not allowed", 1),
        (["--set", "mi_trunk=false", "--set", "real_mi=1"], "needs mi_trunk=true", 1),
        (["--set", "steps=true"], "steps=True is not allowed; steps takes a number", 1),
        (["--set", "noise_dim=1000000000"], "noise_dim=1000000000 is not allowed", 1),
        (["--lr-g", "5"], "lr_g=5.0 is not allowed: Input should be less than or equal to 1", 1),
        (["--set", "real_mi=1e6"], "real_mi=1000000.0 is not allowed", 1),
        (["--steps", "5", "--set", "steps=6"], "--steps 5 and --set steps=6 disagree", 1),
        (["--set", "lr_g=0.1", "--set", "lr_g=0.2"], "--set lr_g=0.1 and --set lr_g=0.2", 1),
        (["--no-mi-trunk", "--set", "mi_trunk=true"],
         "--no-mi-trunk and --set mi_trunk=True disagree", 1),
        (["--add-code", "Uniform(2)", "--set", 'codes=["Categorical(10)"]'],
         "--codes/--add-code and --set codes=... both set the codes", 1),
    ],
)
def test_bad_run_input_is_one_line(
    args: list[str], message: str, status: int, mnist_dir: Path, tmp_path: Path
) -> None:
    result = run_cli("run", "mnist-infogan", "--data-dir", str(mnist_dir),
                     "--out", str(tmp_path / "run"), *args)
    assert result.returncode == status
    assert message in one_error_line(result)
    assert not (tmp_path / "run").exists()


def test_missing_data_folder_is_named(tmp_path: Path) -> None:
    result = run_cli("run", "mnist-infogan", "--data-dir", str(tmp_path / "absent"))
    assert result.returncode == 1
    assert f"data folder {tmp_path / 'absent'} does not exist" in one_error_line(result)


def test_empty_data_folder_names_the_files(tmp_path: Path) -> None:
    result = run_cli("run", "mnist-infogan", "--data-dir", str(tmp_path))
    line = one_error_line(result)
    assert "train-images-idx3-ubyte" in line and "t10k-labels-idx1-ubyte" in line


def test_corrupt_idx_file_is_named(tmp_path: Path, mnist_dir: Path) -> None:
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 20)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x01\x05")
    result = run_cli("run", "mnist-infogan", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert "train-images-idx3-ubyte is truncated or padded" in one_error_line(result)


def test_existing_run_directory_is_not_overwritten(tmp_path: Path, mnist_dir: Path) -> None:
    keep = tmp_path / "run" / "notes.txt"
    keep.parent.mkdir()
    keep.write_text("mine")
    result = run_cli("run", "mnist-infogan", "--data-dir", str(mnist_dir), "--out",
                     str(keep.parent), "--steps", "5")
    assert "already exists and is not empty" in one_error_line(result)
    assert keep.read_text() == "mine"


def test_verbose_shows_the_traceback() -> None:
    result = run_cli("--verbose", "run", "no-such-recipe")
    assert result.returncode == 1
    assert "Traceback" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sample", "{ckpt}", "--out", "x.txt"], "'x.txt' is not allowed; give a file name ending"),
        (["sample", "{ckpt}", "--columns", "-3"], "argument --columns: -3 is not allowed"),
        (["traverse", "{ckpt}", "--columns", "0"], "argument --columns: 0 is not allowed"),
        (["traverse", "{ckpt}", "--reach", "nan"], "argument --reach: nan is not allowed"),
        (["eval", "{ckpt}", "--samples", "0"], "argument --samples: 0 is not allowed"),
        (["sample", "{junk}"], "junk.pt cannot be read ("),
        (["traverse", "{ckpt}", "--out", "{junk}"], "cannot use"),
    ],
)
def test_bad_output_and_count_arguments(args: list[str], message: str, tmp_path: Path) -> None:
    import torch

    from latentcodes import InfoGAN

    torch.manual_seed(0)
    InfoGAN(backbone="paper").save(tmp_path / "gan.pt")
    (tmp_path / "junk.pt").write_bytes(b"random bytes, not a checkpoint")
    paths = {"ckpt": str(tmp_path / "gan.pt"), "junk": str(tmp_path / "junk.pt")}
    result = run_cli(*[arg.format(**paths) for arg in args], cwd=tmp_path)
    assert result.returncode != 0
    line = one_error_line(result)
    assert message in line and "weights_only" not in line


def test_data_dir_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    result = run_cli("run", "mnist-infogan", "--data-dir", str(tmp_path / "f"))
    assert "is a file, not a folder" in one_error_line(result)


def test_set_reaches_the_config_and_the_model(mnist_dir: Path, tmp_path: Path) -> None:
    from latentcodes import InfoGAN
    from latentcodes.cli import main

    out = tmp_path / "run"
    args = ["run", "mnist-infogan", "--data-dir", str(mnist_dir), "--out", str(out),
            "--no-progress", "--no-mi-trunk", "--set", "real-mi=0",
            "--set", "noise_scale=0.5", "--epochs", "3", "--set", "steps=3"]
    assert main(args) == 0
    config = json.loads((out / "config.json").read_text())
    assert (config["real_mi"], config["mi_trunk"], config["noise_scale"]) == (0.0, False, 0.5)
    assert config["steps"] == 3
    assert InfoGAN.load(out).space.noise_scale == 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("real_mi=0", ("real_mi", 0)),
        ("lr_g=1e-3", ("lr_g", 1e-3)),
        ("mi_trunk=False", ("mi_trunk", False)),
        ("steps=null", ("steps", None)),
        ("real-views=affine", ("real_views", "affine")),
        ('codes=["Categorical(10)", "Uniform(2)"]', ("codes", ["Categorical(10)", "Uniform(2)"])),
    ],
)
def test_parse_setting(text: str, expected: tuple[str, object]) -> None:
    from latentcodes.config import parse_setting

    assert parse_setting(text) == expected
