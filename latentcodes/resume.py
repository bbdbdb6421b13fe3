"""Continuing a stopped run from its last checkpoint.

The checkpoint holds, besides the weights, what decides every later step:
both optimisers, the grad scaler, the run's random generator (latents and
real-image views) and the sampler's place in its epoch. Restoring all of it
makes a resumed run the same, bit for bit, as one that never stopped, on the
same data, device and thread count.
"""

from __future__ import annotations

import logging
from pathlib import Path

from latentcodes.checkpoint import load_checkpoint
from latentcodes.config import RunConfig
from latentcodes.data import ImageData
from latentcodes.errors import CheckpointError, ConfigError
from latentcodes.model import InfoGAN
from latentcodes.registries import DATASETS
from latentcodes.run_dir import RunDirectory, write_json
from latentcodes.trainer import Summary, Trainer, check_resumable

logger = logging.getLogger(__name__)

__all__ = ["resume_run"]


def resume_run(
    run_dir: Path | str,
    steps: int | None = None,
    data: ImageData | None = None,
    data_dir: Path | str | None = None,
    download: bool = True,
    progress: bool = False,
) -> Summary:
    """Continue the run in ``run_dir`` to its own length, or to ``steps`` in
    all, on ``data`` or else the run's own dataset (found as ``run`` finds it)."""
    run = RunDirectory(run_dir)
    run.check_resumable()
    payload = load_checkpoint(run.checkpoint_path, required=("model", "state", "config"))
    check_resumable(payload, run.checkpoint_path)
    config = RunConfig.build(payload["config"]).updated(steps=steps)
    done = payload["step"]
    if config.steps is not None:
        _check_more_to_do(run, done, config.steps)
    model = InfoGAN.load(run.checkpoint_path)
    _check_config_fits(config, model, run.checkpoint_path)

    if data is None:
        data = DATASETS.get(config.dataset).load("train", data_dir, download=download)
    trainer = Trainer(model, data, config, run=run)
    trainer.restore(payload, run.checkpoint_path)
    _check_more_to_do(run, done, trainer.total_steps)

    # Lines logged after the checkpoint (a run killed without its final save)
    # are dropped, so that metrics.jsonl reads as one run.
    run.drop_metrics_after(done)
    write_json(run.config_path, config.model_dump())
    logger.info("resuming %s at step %d of %d", run.path, done, trainer.total_steps)
    return trainer.train(progress)


def _check_more_to_do(run: RunDirectory, done: int, total: int) -> None:
    if total <= done:
        raise ConfigError(
            f"run {run.path} has already trained {done} steps of {total}; give steps above "
            f"{done} (--steps on the command line) to train it further"
        )


def _check_config_fits(config: RunConfig, model: InfoGAN, source: Path) -> None:
    """The checkpoint's config must describe its model; if not, the file was
    edited or damaged, and training on would record one model as another."""
    settings = model.settings()
    pairs = [("codes", list(config.codes), [repr(code) for code in model.codes])]
    pairs += [(key, getattr(config, key), settings[key])
              for key in ("backbone", "noise_dim", "noise", "noise_scale", "q_hidden")]
    for key, in_config, in_model in pairs:
        if in_config != in_model:
            raise CheckpointError(
                f"checkpoint {source} says {key}={in_config!r} in its config but its model "
                f"has {in_model!r}; it was edited or damaged"
            )
