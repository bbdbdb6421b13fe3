"""Continuing a stopped run from its last checkpoint.

The checkpoint holds, besides the weights, what decides every later step:
both optimisers, the grad scaler, the run's random generator (latents and
real-image views) and the sampler's place in its epoch. Restoring all of it
makes a resumed run the same, bit for bit, as one that never stopped, on the
same data, device and thread count.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import torch

from latentcodes.checkpoint import load_checkpoint
from latentcodes.config import RunConfig
from latentcodes.data import ImageData
from latentcodes.errors import CheckpointError, ConfigError
from latentcodes.model import InfoGAN
from latentcodes.registries import DATASETS
from latentcodes.run_dir import RunDirectory, write_json
from latentcodes.trainer import Summary, Trainer

logger = logging.getLogger(__name__)

__all__ = ["resume_run", "TRAINING_STATE"]

# What a checkpoint must hold, besides the model, for a run to be resumed
# (``Trainer.training_state`` writes it).
TRAINING_STATE = ("step", "seconds", "optim_d", "optim_g", "scaler", "rng", "sampler")


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
    _check_training_state(payload, run.checkpoint_path)
    config = RunConfig.build(payload["config"]).updated(steps=steps)
    done = payload["step"]
    if config.steps is not None:
        _check_more_to_do(run, done, config.steps)
    model = InfoGAN.from_checkpoint(payload, run.checkpoint_path)
    _check_config_fits(config, model, run.checkpoint_path)

    if data is None:
        data = DATASETS.get(config.dataset).load("train", data_dir, download=download)
    trainer = Trainer(model, data, config, run=run)
    _restore(trainer, payload, run.checkpoint_path)
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
    for key, in_model in model.config_fields().items():
        in_config = getattr(config, key)
        if in_config != in_model:
            raise CheckpointError(
                f"checkpoint {source} says {key}={in_config!r} in its config but its model "
                f"has {in_model!r}; it was edited or damaged"
            )


def _check_training_state(payload: dict[str, Any], source: Path) -> None:
    """Refuse a checkpoint that lacks the training state or holds a bad step."""
    missing = [key for key in TRAINING_STATE if key not in payload]
    if missing:
        raise CheckpointError(
            f"checkpoint {source} lacks {', '.join(missing)}: it was written before runs "
            "could be resumed, so it can be evaluated and sampled but not trained on"
        )
    step, seconds = payload["step"], payload["seconds"]
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise CheckpointError(f"checkpoint {source} holds step={step!r}; a step count is needed")
    if not isinstance(seconds, (int, float)) or not 0 <= seconds < math.inf:
        raise CheckpointError(f"checkpoint {source} holds seconds={seconds!r}; a time is needed")


def _restore(trainer: Trainer, payload: dict[str, Any], source: Path) -> None:
    """Put the training state of a checked checkpoint back into ``trainer``."""
    try:
        for optimizer, key in ((trainer.opt_d, "optim_d"), (trainer.opt_g, "optim_g")):
            optimizer.load_state_dict(payload[key])
            _check_moments(optimizer)
        if not isinstance(payload["scaler"], dict):
            raise TypeError(f"scaler state is a {type(payload['scaler']).__name__}")
        trainer.scaler.load_state_dict(payload["scaler"])
        trainer.generator.set_state(payload["rng"])
    except (RuntimeError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        detail = " ".join(str(error).split())[:200] or type(error).__name__
        raise CheckpointError(f"checkpoint {source} cannot be resumed: {detail}") from None
    trainer.sampler.restore(payload["sampler"])
    trainer.step = payload["step"]
    trainer.seconds_before = float(payload["seconds"])


def _check_moments(optimizer: torch.optim.Optimizer) -> None:
    """Adam's moments must have their parameters' shapes: a mismatch would
    otherwise surface deep in the fused kernel, or not at all."""
    for param, state in optimizer.state.items():
        for key in ("exp_avg", "exp_avg_sq"):
            if key in state and state[key].shape != param.shape:
                raise ValueError(
                    f"optimiser {key} has shape {tuple(state[key].shape)} for a parameter "
                    f"of shape {tuple(param.shape)}"
                )
