"""The InfoGAN training loop.

One step (Chen et al. 2016; the tutorial's schedule in ``docs/design.md``):

1. G makes one batch of images from a fresh latent batch.
2. D is updated on real images and on (a part of) that batch, detached;
   with ``real_mi``, Q's categories on the real images (and on a moved copy
   of them) must also carry information about them (docs/design.md).
3. G and Q are updated together on the whole batch through the updated D:
   the adversarial loss with flipped labels plus the weighted MI loss.

G runs once per step: the images D sees in 2 are the same ones step 3 trains
G on, since G has not changed in between. D's BatchNorm layers stay in
training mode in step 3 so that D sees the generated batch there exactly as it
does in its own update (Keras' frozen-BN inference mode collapses training;
see ``../shared/bench/peers/README.md``).

``mi_trunk`` says which networks the MI loss trains. False (the tutorial):
the Q head learns in G's optimiser and the trunk is frozen in step 3. True
(the paper's code): Q's loss on D's generated images also trains the trunk
and the Q head in D's optimiser.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from latentcodes.augment import random_view
from latentcodes.checkpoint import save_checkpoint
from latentcodes.config import RunConfig
from latentcodes.data import ImageData, IndexSampler
from latentcodes.device import Precision, resolve_device
from latentcodes.errors import ConfigError, TrainingError
from latentcodes.guards import StopRequests, frozen
from latentcodes.images import code_grid, grid_code_index, save_grid
from latentcodes.model import InfoGAN
from latentcodes.progress import RunProgress
from latentcodes.registries import DATASETS
from latentcodes.run_dir import RunDirectory, write_json

logger = logging.getLogger(__name__)

__all__ = ["Trainer", "Summary", "train_model"]


@dataclass
class Summary:
    """Figures of a finished (or interrupted) run."""

    steps: int
    seconds: float
    steps_per_s: float
    final: dict[str, Any]
    run_dir: str | None = None
    interrupted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "seconds": round(self.seconds, 2),
            "steps_per_s": round(self.steps_per_s, 3),
            "interrupted": self.interrupted,
            "final": self.final,
            "run_dir": self.run_dir,
        }


@dataclass
class _LogWindow:
    """Figures summed on the device since the last log line."""

    sums: Tensor
    started: float = field(default_factory=time.perf_counter)
    opened: float = field(default_factory=time.perf_counter)
    first_step: int = 0
    record: dict[str, Any] = field(default_factory=dict)


class Trainer:
    """Trains an ``InfoGAN`` on in-memory images according to a ``RunConfig``."""

    def __init__(
        self,
        model: InfoGAN,
        data: ImageData,
        config: RunConfig,
        run: RunDirectory | None = None,
    ) -> None:
        # The config a checkpoint records must describe this model, whatever
        # the caller's config said about the model's shape.
        config = config.updated(**model.config_fields())
        self.config = config
        self.run = run
        self.data = data
        self.device = resolve_device(config.device)
        self.precision = Precision.choose(config.precision, self.device)
        self.model = model.to(self.device)
        self.memory_format = torch.channels_last if config.channels_last else torch.preserve_format
        if config.channels_last:
            self.model.to(memory_format=torch.channels_last)  # type: ignore[call-arg]
        self.nets = _Nets(model, compiled=config.compile)
        self.space = model.space
        self.total_steps = config.total_steps(len(data))
        self.generator = torch.Generator().manual_seed(config.seed)
        self.sampler = IndexSampler(len(data), self.generator)
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.precision.needs_scaler)
        self.opt_d, self.opt_g = self._optimizers()
        self.frozen_in_g_step = self._frozen_in_g_step()
        # Only categorical codes say anything about real images; without one
        # the real-image term would cost a trunk pass and add nothing.
        self.real_mi_weight = config.real_mi if self.space.has_data_information else 0.0
        if config.real_mi > 0 and not self.space.has_data_information:
            logger.warning(
                "real_mi=%s does nothing here: none of the codes (%s) has a real-image "
                "estimate; only categorical codes do", config.real_mi, self.space.describe(),
            )
        self.step = 0
        self.seconds_before = 0.0  # training time before this call to train(): resumed runs
        self._clock: float | None = None  # perf_counter() when the training time was 0
        self._alarmed: set[str] = set()
        self._check_shapes()

    def _optimizers(self) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
        model, config = self.model, self.config
        d_modules: list[nn.Module] = [model.trunk, model.d_head]
        g_modules: list[nn.Module] = [model.generator]
        (d_modules if config.mi_trunk else g_modules).append(model.q_head)
        betas = (config.beta1, config.beta2)

        def adam(modules: list[nn.Module], lr: float) -> torch.optim.Optimizer:
            # Fused Adam: one kernel per parameter instead of a dozen; on the
            # CPU the unfused update took over half of a paper-model step.
            params = [p for module in modules for p in module.parameters()]
            return torch.optim.Adam(params, lr=lr, betas=betas, fused=True)

        return adam(d_modules, config.lr_d), adam(g_modules, config.lr_g)

    def _frozen_in_g_step(self) -> list[nn.Parameter]:
        modules = [self.model.trunk, self.model.d_head]
        if self.config.mi_trunk:
            modules.append(self.model.q_head)
        return [p for module in modules for p in module.parameters()]

    def _check_shapes(self) -> None:
        if self.config.batch_size > len(self.data):
            raise ConfigError(
                f"batch_size={self.config.batch_size} is not allowed for {self.data.name}: "
                f"it has only {len(self.data)} images"
            )
        if self.data.image_shape != self.model.image_shape:
            raise ConfigError(
                f"dataset images are {self.data.image_shape} but the model expects "
                f"{self.model.image_shape}"
            )

    # One step ------------------------------------------------------------------

    def train_step(self) -> Tensor:
        """One InfoGAN step; returns the step's figures as one detached tensor
        (see ``metric_names``) so that nothing here waits on the device."""
        batch_size = self.config.batch_size
        d_size = batch_size // 2 if self.config.d_batch == "half" else batch_size

        # Phase 1: one batch of generated images.
        latent = self.space.sample(batch_size, self.generator).to(self.device)
        with self.precision.autocast():
            fake = self.nets.generator(latent.input())

        # Phase 2: D (and, with mi_trunk, the trunk and Q head) on real and generated.
        real = self.data.batch(self.sampler.take(d_size)).to(
            self.device, non_blocking=True, memory_format=self.memory_format
        )
        d_codes = [code[:d_size] for code in latent.codes]
        d_loss, information = self._update_d(real, fake[:d_size].detach(), d_codes)

        # Phase 3: G (and, without mi_trunk, the Q head) through the updated D.
        g_loss, mi = self._update_g(fake, latent.codes)
        terms = list(mi.terms.values())
        bounds = list(mi.bounds.values())
        extra = [information.float()] if information is not None else []
        return torch.stack([d_loss, g_loss, *terms, *bounds, *extra]).detach()

    def _update_d(
        self, real: Tensor, fake: Tensor, codes: list[Tensor]
    ) -> tuple[Tensor, Tensor | None]:
        """D's update; returns its loss without the real-image term, and that
        term's information estimate (None when ``real_mi`` is off)."""
        model = self.nets
        with self.precision.autocast():
            real_features = model.trunk(real)
            real_logit = model.d_head(real_features)
            fake_features = model.trunk(fake)
            fake_logit = model.d_head(fake_features)
            loss = _bce(real_logit, 1.0) + _bce(fake_logit, 0.0)
            if self.config.mi_trunk:
                loss = loss + self.space.mi_loss(model.q_head(fake_features), codes).total
            information = None
            if self.real_mi_weight > 0:
                information = self._real_information(real, real_features)
        # Maximised: the term is subtracted. d_loss is logged without it, so
        # that it reads the same with and without real_mi.
        if information is None:
            self._apply(self.opt_d, loss)
        else:
            self._apply(self.opt_d, loss - self.real_mi_weight * information)
        return loss, information

    def _real_information(self, real: Tensor, real_features: Tensor) -> Tensor:
        """What Q's categories say about real images: read from the batch and
        from a randomly transformed copy, so that they must agree on both."""
        model = self.nets
        other = None
        if self.config.real_views != "same":
            moved = random_view(real, self.config.real_views, self.generator)
            moved = moved.contiguous(memory_format=self.memory_format)
            other = model.q_head(model.trunk(moved))
        return self.space.data_information(model.q_head(real_features), other)

    def _update_g(self, fake: Tensor, codes: list[Tensor]) -> tuple[Tensor, Any]:
        model = self.nets
        with frozen(self.frozen_in_g_step):
            with self.precision.autocast():
                features = model.trunk(fake)
                adversarial = _bce(model.d_head(features), 1.0)
                mi = self.space.mi_loss(model.q_head(features), codes)
            self._apply(self.opt_g, adversarial + mi.total)
        self.scaler.update()
        return adversarial, mi

    def _apply(self, optimizer: torch.optim.Optimizer, loss: Tensor) -> None:
        optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(optimizer)

    @property
    def metric_names(self) -> list[str]:
        names = self.space.names
        terms = [f"mi_loss/{n}" for n in names]
        extra = ["real_information"] if self.real_mi_weight > 0 else []
        return ["d_loss", "g_loss", *terms, *[f"mi_bound/{n}" for n in names], *extra]

    # The loop ------------------------------------------------------------------

    def train(self, progress: bool = True) -> Summary:
        """Run all steps, logging, drawing grids and checkpointing on the way."""
        logger.info(
            "training %s%d steps on %s (%s, %s): %s",
            f"from step {self.step} to " if self.step else "", self.total_steps, self.device,
            self.precision.name, self.data.name, self.space.describe(),
        )
        window = _LogWindow(torch.zeros(len(self.metric_names), device=self.device),
                            first_step=self.step)
        window.started = self._clock = time.perf_counter() - self.seconds_before
        self.model.train()
        with StopRequests() as stop:
            try:
                with RunProgress(self.total_steps, live=progress, first=self.step) as bar:
                    while self.step < self.total_steps:
                        window.sums += self.train_step()
                        self.step += 1
                        bar.advance(self.step)
                        if self.step % self.config.log_every == 0 or self.step == self.total_steps:
                            bar.report(self.step, self._close_window(window))
                        self._periodic_outputs()
                        if stop.requested:
                            raise KeyboardInterrupt
            except KeyboardInterrupt:
                where = f" in {self.run.path}" if self.run is not None else ""
                logger.warning("interrupted at step %d; saving a checkpoint%s", self.step, where)
                # Still inside StopRequests: a second Ctrl-C cannot cut this save short.
                if self.step > window.first_step:
                    self._close_window(window)
                self._finish(window, interrupted=True)
                raise
            return self._finish(window, interrupted=False)

    def _close_window(self, window: _LogWindow) -> dict[str, Any]:
        """Log the means over the steps since the last log, and start anew."""
        now = time.perf_counter()
        steps = self.step - window.first_step
        rate = steps / (now - window.opened)
        window.record = self._log(window.sums / steps, rate, now - window.started)
        window.sums.zero_()
        window.opened, window.first_step = now, self.step
        return window.record

    def _log(self, means: Tensor, rate: float, elapsed: float) -> dict[str, Any]:
        values = dict(zip(self.metric_names, means.tolist(), strict=True))
        broken = [name for name, value in values.items() if not math.isfinite(value)]
        if broken:
            raise TrainingError(
                f"training diverged by step {self.step}: {', '.join(broken)} is not finite; "
                f"lower the learning rates (lr_d={self.config.lr_d}, lr_g={self.config.lr_g}) "
                f"or check real_mi={self.config.real_mi}, noise_scale={self.config.noise_scale} "
                "and the code weights"
            )
        record: dict[str, Any] = {
            "step": self.step,
            "epoch": round(self.step * self.config.batch_size / len(self.data), 3),
            "seconds": round(elapsed, 2),
            "steps_per_s": round(rate, 3),
            "d_loss": values["d_loss"],
            "real_information": values.get("real_information"),
            "g_loss": values["g_loss"],
            "mi_loss": {n: values[f"mi_loss/{n}"] for n in self.space.names},
            "mi_bound": {n: values[f"mi_bound/{n}"] for n in self.space.names},
        }
        record["ignored"] = self._ignored_codes(record["mi_loss"])
        if self.run is not None:
            self.run.append_metrics(record)
        return record

    def _ignored_codes(self, losses: dict[str, float]) -> list[str]:
        """Codes whose MI loss is within 2% of what Q scores without looking at
        the image, after the warm-up; each is reported once, by name."""
        if self.step < self.config.alarm_after:
            return []
        ignored = []
        for name, code in zip(self.space.names, self.space.codes, strict=True):
            chance = code.uninformed_nll()
            if losses[name] > chance - 0.02 * abs(chance):
                ignored.append(name)
                if name not in self._alarmed:
                    self._alarmed.add(name)
                    logger.warning(
                        "code %s (%r) is being ignored: after %d steps its MI loss %.3f is "
                        "no better than %.3f, what Q scores without the image; raise its "
                        "weight or check the recipe", name, code, self.step, losses[name], chance,
                    )
        return ignored

    def _periodic_outputs(self) -> None:
        if self.run is None or self.step == self.total_steps:
            return
        if self.step % self.config.grid_every == 0:
            self.save_grid(self.run.grid_path(self.step))
        if self.step % self.config.checkpoint_every == 0:
            self.save_checkpoint()

    def _finish(self, window: _LogWindow, interrupted: bool) -> Summary:
        seconds = time.perf_counter() - window.started
        summary = Summary(
            steps=self.step,
            seconds=seconds,
            steps_per_s=self.step / seconds if seconds > 0 else 0.0,
            final=window.record,
            run_dir=str(self.run.path) if self.run else None,
            interrupted=interrupted,
        )
        if self.run is not None:
            self.save_checkpoint()
            self.save_grid(self.run.grid_path(None))
            write_json(self.run.summary_path, summary.as_dict())
        return summary

    # Outputs -----------------------------------------------------------------

    def save_grid(self, path: Path) -> Path:
        index = grid_code_index(self.model)
        images, columns = code_grid(self.model, index, seed=self.config.seed)
        return save_grid(images, path, columns)

    def save_checkpoint(self) -> Path:
        assert self.run is not None
        return save_checkpoint(
            self.run.checkpoint_path,
            {
                "model": self.model.settings(),
                "state": self.model.state_dict(),
                "config": self.config.model_dump(),
                **self.training_state(),
            },
        )

    def training_state(self) -> dict[str, Any]:
        """Everything besides the weights that a resumed run needs in order to
        continue exactly as an uninterrupted one would."""
        seconds = self.seconds_before if self._clock is None else time.perf_counter() - self._clock
        return {
            "step": self.step,
            "seconds": round(seconds, 3),
            "optim_d": self.opt_d.state_dict(),
            "optim_g": self.opt_g.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": self.generator.get_state(),
            "sampler": self.sampler.state(),
        }


class _Nets:
    """The four networks as the step calls them: the model's own modules, or
    ``torch.compile`` wrappers that share their parameters (the model's
    state_dict keys stay the same either way)."""

    def __init__(self, model: InfoGAN, compiled: bool) -> None:
        wrap = torch.compile if compiled else (lambda module: module)
        self.generator = wrap(model.generator)
        self.trunk = wrap(model.trunk)
        self.d_head = wrap(model.d_head)
        self.q_head = wrap(model.q_head)


def _bce(logit: Tensor, target: float) -> Tensor:
    logit = logit.float()
    return F.binary_cross_entropy_with_logits(logit, torch.full_like(logit, target))


def train_model(
    model: InfoGAN,
    config: RunConfig,
    data: ImageData | str,
    out: Path | str | None = None,
    data_dir: Path | str | None = None,
    progress: bool = False,
) -> Summary:
    """Train ``model`` as ``config`` says, writing a run directory if ``out`` is set."""
    if isinstance(data, str):
        data = DATASETS.get(data).load("train", data_dir)
    trainer = Trainer(model, data, config)  # checks everything before a file is written
    if out is not None:
        trainer.run = RunDirectory.create(out)
        write_json(trainer.run.config_path, trainer.config.model_dump())
    return trainer.train(progress)
