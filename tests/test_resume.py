"""Resuming a stopped run: it must end exactly where an unstopped run ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from latentcodes import Categorical, CheckpointError, ConfigError, InfoGAN, RunConfig, Uniform
from latentcodes.checkpoint import load_checkpoint, save_checkpoint
from latentcodes.data import ImageData
from latentcodes.resume import resume_run
from latentcodes.trainer import train_model


def config(steps: int) -> RunConfig:
    # real_mi on, so the views' random draws must be restored too; batch 96 of
    # 256 images, so the sampler is mid-epoch at the stop.
    return RunConfig.build({"backbone": "paper", "steps": steps, "batch_size": 96,
                            "log_every": 1, "real_mi": 2.0, "seed": 3})


def fresh_model() -> InfoGAN:
    torch.manual_seed(0)
    return InfoGAN([Categorical(10), Uniform(2)], backbone="paper")


def test_stop_and_resume_equals_one_run(tiny_images: ImageData, tmp_path: Path) -> None:
    train_model(fresh_model(), config(5), tiny_images, out=tmp_path / "straight")
    train_model(fresh_model(), config(2), tiny_images, out=tmp_path / "stopped")
    summary = resume_run(tmp_path / "stopped", steps=5, data=tiny_images)

    straight = load_checkpoint(tmp_path / "straight")
    resumed = load_checkpoint(tmp_path / "stopped")
    assert summary.steps == 5 and resumed["step"] == 5
    assert straight["state"].keys() == resumed["state"].keys()
    for name, value in straight["state"].items():
        assert torch.equal(value, resumed["state"][name]), name
    assert torch.equal(straight["rng"], resumed["rng"])

    # The log reads as one run, and config.json records the new length.
    records = (tmp_path / "stopped" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["step"] for line in records] == [1, 2, 3, 4, 5]
    assert json.loads((tmp_path / "stopped" / "config.json").read_text())["steps"] == 5


def test_lines_logged_after_the_checkpoint_are_dropped(
    tiny_images: ImageData, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    train_model(fresh_model(), config(2), tiny_images, out=run)
    with (run / "metrics.jsonl").open("a") as stream:  # as if killed after step 3's log
        stream.write(json.dumps({"step": 3, "d_loss": 1.0}) + "\n" + '{"step": 4, "d_')
    resume_run(run, steps=3, data=tiny_images)
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3]


def test_a_finished_run_needs_more_steps(tiny_images: ImageData, tmp_path: Path) -> None:
    train_model(fresh_model(), config(2), tiny_images, out=tmp_path / "run")
    with pytest.raises(ConfigError, match="already trained 2 steps of 2; give steps above 2"):
        resume_run(tmp_path / "run", data=tiny_images)
    with pytest.raises(ConfigError, match="already trained 2 steps of 1"):
        resume_run(tmp_path / "run", steps=1, data=tiny_images)


def test_checkpoints_without_training_state_are_refused(
    tiny_images: ImageData, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    train_model(fresh_model(), config(2), tiny_images, out=run)
    payload = load_checkpoint(run)
    del payload["format"]
    save_checkpoint(run / "checkpoints" / "last.pt", {**payload, "step": "2"})
    with pytest.raises(CheckpointError, match="holds step='2'; a step count is needed"):
        resume_run(run, steps=4, data=tiny_images)
    del payload["rng"], payload["sampler"]
    save_checkpoint(run / "checkpoints" / "last.pt", payload)
    with pytest.raises(CheckpointError, match="lacks rng, sampler: it was written before"):
        resume_run(run, steps=4, data=tiny_images)


def test_resume_on_other_data_is_refused(tiny_images: ImageData, tmp_path: Path) -> None:
    train_model(fresh_model(), config(2), tiny_images, out=tmp_path / "run")
    smaller = ImageData(tiny_images.images[:200], tiny_images.labels[:200], "random")
    with pytest.raises(CheckpointError, match="drawing from 256 images and this data has 200"):
        resume_run(tmp_path / "run", steps=4, data=smaller)


def test_cli_resume_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from latentcodes.cli import main

    assert main(["resume", str(tmp_path / "nowhere")]) == 1
    assert f"error: run directory {tmp_path / 'nowhere'} does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["resume", str(tmp_path / "empty")]) == 1
    assert "checkpoints/last.pt does not exist" in capsys.readouterr().err
