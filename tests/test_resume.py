"""Resuming a stopped run: it must end exactly where an unstopped run ends."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import torch

from latentcodes import Categorical, CheckpointError, ConfigError, InfoGAN, RunConfig, Uniform
from latentcodes.checkpoint import load_checkpoint, save_checkpoint
from latentcodes.data import ImageData
from latentcodes.resume import resume_run
from latentcodes.run_dir import RunDirectory, write_json
from latentcodes.trainer import Trainer, train_model


def config(steps: int) -> RunConfig:
    # real_mi on, so the views' random draws must be restored too; batch 96 of
    # 256 images, so the sampler is mid-epoch at the stop.
    return RunConfig.build({"backbone": "paper", "steps": steps, "batch_size": 96,
                            "log_every": 1, "real_mi": 2.0, "seed": 3})


def fresh_model() -> InfoGAN:
    torch.manual_seed(0)
    return InfoGAN([Categorical(10), Uniform(2)], backbone="paper")


def two_step_run(data: ImageData, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A finished 2-step run, and its checkpoint's contents to damage."""
    run = tmp_path / "run"
    train_model(fresh_model(), config(2), data, out=run)
    payload = load_checkpoint(run)
    del payload["format"]
    return run, payload


def replace_checkpoint(run: Path, payload: dict[str, Any]) -> None:
    save_checkpoint(run / "checkpoints" / "last.pt", payload)


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
    run, payload = two_step_run(tiny_images, tmp_path)
    replace_checkpoint(run, {**payload, "step": "2"})
    with pytest.raises(CheckpointError, match="holds step='2'; a step count is needed"):
        resume_run(run, steps=4, data=tiny_images)
    del payload["rng"], payload["sampler"]
    replace_checkpoint(run, payload)
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


def test_a_stop_mid_step_finishes_the_step_first(tiny_images: ImageData, tmp_path: Path) -> None:
    train_model(fresh_model(), config(3), tiny_images, out=tmp_path / "straight")
    run = RunDirectory.create(tmp_path / "stopped")
    trainer = Trainer(fresh_model(), tiny_images, config(5), run=run)
    update_g = trainer._update_g

    def update_g_after_a_signal(*args: object) -> object:  # D has stepped, G not yet
        if trainer.step == 2:
            signal.raise_signal(signal.SIGINT)
        return update_g(*args)

    trainer._update_g = update_g_after_a_signal  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        trainer.train(progress=False)

    stopped, straight = load_checkpoint(run.path), load_checkpoint(tmp_path / "straight")
    assert stopped["step"] == 3 and stopped["seconds"] > 0
    for name, value in straight["state"].items():
        assert torch.equal(value, stopped["state"][name]), name
    assert torch.equal(straight["rng"], stopped["rng"])
    assert torch.equal(straight["sampler"]["order"], stopped["sampler"]["order"])


def test_training_time_carries_over(tiny_images: ImageData, tmp_path: Path) -> None:
    run = tmp_path / "run"
    train_model(fresh_model(), config(2), tiny_images, out=run)
    before = load_checkpoint(run)["seconds"]
    resume_run(run, steps=3, data=tiny_images)
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert records[-1]["step"] == 3 and records[-1]["seconds"] > before
    assert load_checkpoint(run)["seconds"] > before


def test_only_lines_past_the_checkpoint_are_dropped(
    tiny_images: ImageData, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    train_model(fresh_model(), config(2), tiny_images, out=run)
    metrics = run / "metrics.jsonl"
    lines = metrics.read_bytes().splitlines(keepends=True)
    # A note and an undecodable line among the records are the user's: kept.
    metrics.write_bytes(lines[0] + b"# my note\n\xff\xfe\n" + lines[1]
                        + b'{"step": "x"}\n{"step": 3}\n{"step": 4, "d_')
    metrics.chmod(0o644)
    resume_run(run, steps=3, data=tiny_images)
    kept = metrics.read_bytes().splitlines()
    assert kept[1:3] == [b"# my note", b"\xff\xfe"] and kept[4] == b'{"step": "x"}'
    assert json.loads(kept[5])["step"] == 3 and len(kept) == 6
    assert metrics.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    "sampler",
    ["x", {"next": 0}, {"order": list(range(256)), "next": 0},
     {"order": torch.arange(256.0), "next": 0}, {"order": torch.arange(256) + 1, "next": 0},
     {"order": torch.arange(256), "next": 10**9}, {"order": torch.arange(256), "next": "1"}],
)
def test_a_damaged_data_order_is_refused(
    sampler: object, tiny_images: ImageData, tmp_path: Path
) -> None:
    run, payload = two_step_run(tiny_images, tmp_path)
    replace_checkpoint(run, {**payload, "sampler": sampler})
    with pytest.raises(CheckpointError, match="data order is damaged: it must be an order of all"):
        resume_run(run, steps=3, data=tiny_images)
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 2  # nothing was trained


def test_damaged_optimiser_state_and_edited_config_are_refused(
    tiny_images: ImageData, tmp_path: Path
) -> None:
    run, payload = two_step_run(tiny_images, tmp_path)
    moments = payload["optim_g"]["state"][0]
    moments["exp_avg"] = moments["exp_avg"][:1]
    replace_checkpoint(run, payload)
    with pytest.raises(CheckpointError, match="cannot be resumed: optimiser exp_avg has shape"):
        resume_run(run, steps=3, data=tiny_images)

    payload = load_checkpoint(run)
    payload["config"]["codes"] = ["Categorical(10)"]
    replace_checkpoint(run, payload)
    with pytest.raises(CheckpointError, match="says codes=.* in its config but its model has"):
        resume_run(run, steps=3, data=tiny_images)


def test_misshapen_run_directories_are_refused(tiny_images: ImageData, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigError, match="a-file is a file, not a folder"):
        resume_run(tmp_path / "a-file", steps=3, data=tiny_images)
    run = tmp_path / "run"
    train_model(fresh_model(), config(2), tiny_images, out=run)
    (run / "summary.json").unlink()
    (run / "summary.json").mkdir()
    with pytest.raises(ConfigError, match="summary.json is a folder; the run directory needs"):
        resume_run(run, steps=3, data=tiny_images)


def test_write_json_names_a_folder_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "eval.json").mkdir()
    with pytest.raises(ConfigError, match="cannot write .*eval.json: it is a folder"):
        write_json(tmp_path / "eval.json", {"a": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval.json"]


def test_run_files_get_the_usual_permissions(tiny_images: ImageData, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        run, _ = two_step_run(tiny_images, tmp_path)
    finally:
        os.umask(umask)
    for name in ("config.json", "summary.json", "metrics.jsonl", "checkpoints/last.pt"):
        assert (run / name).stat().st_mode & 0o777 == 0o644, name
