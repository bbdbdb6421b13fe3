"""Training: one step's mechanics on random images, and a short real MNIST run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from latentcodes import Categorical, CheckpointError, InfoGAN, RunConfig, Uniform
from latentcodes.cli import main
from latentcodes.data import ImageData
from latentcodes.trainer import Trainer


def small_config(**changes: object) -> RunConfig:
    values = {"backbone": "paper", "steps": 4, "batch_size": 8, "log_every": 2, **changes}
    return RunConfig.build(values)


@pytest.mark.parametrize("mi_trunk", [False, True])
def test_a_step_updates_what_it_should(tiny_images: ImageData, mi_trunk: bool) -> None:
    torch.manual_seed(0)
    model = InfoGAN([Categorical(10), Uniform(2)], backbone="paper")
    trainer = Trainer(model, tiny_images, small_config(mi_trunk=mi_trunk, real_mi=float(mi_trunk)))
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    figures = trainer.train_step()

    changed = {n for n, p in model.named_parameters() if not torch.equal(before[n], p)}
    # d_loss, g_loss, two MI terms, two bounds, and the real-image estimate with real_mi.
    assert figures.shape == (2 + 2 * 2 + int(mi_trunk),) and torch.isfinite(figures).all()
    assert {n.split(".")[0] for n in changed} == {"generator", "trunk", "d_head", "q_head"}
    assert all(p.requires_grad for p in model.parameters())  # unfrozen after the G step


def test_trunk_gets_no_mi_gradient_without_mi_trunk(tiny_images: ImageData) -> None:
    torch.manual_seed(0)
    model = InfoGAN([Categorical(10)], backbone="paper")
    trainer = Trainer(model, tiny_images, small_config(mi_trunk=False, real_mi=0))
    assert not any(p is q for p in trainer.opt_d.param_groups[0]["params"]
                   for q in model.q_head.parameters())
    trainer_trunk = Trainer(model, tiny_images, small_config(mi_trunk=True))
    d_params = trainer_trunk.opt_d.param_groups[0]["params"]
    assert any(p is q for p in d_params for q in model.q_head.parameters())


def test_fit_save_load_generate(tiny_images: ImageData, tmp_path: Path) -> None:
    torch.manual_seed(0)
    gan = InfoGAN(codes=[Categorical(10), Uniform(2)], backbone="paper")
    summary = gan.fit(tiny_images, steps=3, batch_size=8, log_every=1)
    assert summary.steps == 3 and set(summary.final["mi_loss"]) == {"c0_categorical", "c1_uniform"}

    path = gan.save(tmp_path / "gan.pt")
    again = InfoGAN.load(path)
    assert again.settings() == gan.settings()
    assert torch.equal(again.generate(5, {0: 3}, seed=2), gan.generate(5, {0: 3}, seed=2))


def test_damaged_checkpoint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.pt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot be read"):
        InfoGAN.load(path)


def test_checkpoint_with_nan_weights_is_refused(tmp_path: Path) -> None:
    gan = InfoGAN([Categorical(10)], backbone="paper")
    with torch.no_grad():
        next(gan.generator.parameters()).fill_(float("nan"))
    path = gan.save(tmp_path / "diverged.pt")
    with pytest.raises(CheckpointError, match=r"not finite \(generator\.[^ ]+\): training had"):
        InfoGAN.load(path)


@pytest.mark.slow
def test_short_real_mnist_run(mnist_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", "mnist-infogan", "--data-dir", str(mnist_dir), "--steps", "200",
            "--out", str(out), "--log-every", "20", "--grid-every", "100",
            "--checkpoint-every", "100", "--no-progress", "--add-code", "Uniform(2)"]
    assert main(args) == 0

    # The run directory holds what the README says it holds.
    config = json.loads((out / "config.json").read_text())
    assert config["codes"] == ["Categorical(10, weight=1.0)", "Uniform(2, low=-1.0, high=1.0, "
                               "weight=1.0, q_std=1.0, min_std=0.01)"]
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == list(range(20, 201, 20))
    assert (out / "grids" / "step_000100.png").is_file()
    assert (out / "grids" / "final.png").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 200 and not summary["interrupted"]

    # Q has started to read the categorical code from the images (ln 10 = 2.303).
    first, last = records[0]["mi_loss"]["c0_categorical"], records[-1]["mi_loss"]["c0_categorical"]
    assert last < first and last < 2.2

    # The checkpoint reloads and generates with a chosen category.
    gan = InfoGAN.load(out)
    images = gan.generate(25, codes={0: 1}, seed=0)
    assert images.shape == (25, 1, 28, 28) and torch.isfinite(images).all()
    assert torch.equal(images, InfoGAN.load(out / "checkpoints" / "last.pt").generate(25, {0: 1}))


def test_an_ignored_code_is_reported_by_name(
    tiny_images: ImageData, caplog: pytest.LogCaptureFixture
) -> None:
    torch.manual_seed(0)
    model = InfoGAN([Categorical(10), Uniform(1, weight=0.0)], backbone="paper")
    trainer = Trainer(model, tiny_images, small_config(alarm_after=0, real_mi=0))
    with caplog.at_level("WARNING"):
        trainer.step = 5
        record = trainer._log(torch.tensor([1.0, 1.0, 0.5, 1.09, 1.8, -0.3]), 1.0, 1.0)
    assert record["ignored"] == ["c1_uniform"]
    assert "code c1_uniform (Uniform(1," in caplog.text and "is being ignored" in caplog.text
    assert "c0_categorical" not in caplog.text


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_precisions_train_on_cpu(tiny_images: ImageData, precision: str) -> None:
    torch.manual_seed(0)
    model = InfoGAN([Categorical(10), Uniform(1)], backbone="tutorial")
    trainer = Trainer(model, tiny_images, small_config(precision=precision, channels_last=True))
    figures = torch.stack([trainer.train_step() for _ in range(2)])
    assert trainer.precision.name == precision
    assert torch.isfinite(figures).all()
    assert all(p.dtype == torch.float32 for p in model.parameters())  # master weights stay fp32


def test_fp16_needs_cuda(tiny_images: ImageData) -> None:
    from latentcodes import ConfigError

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the CPU refusal cannot be seen here")
    with pytest.raises(ConfigError, match="precision 'fp16' needs a CUDA device"):
        Trainer(InfoGAN(backbone="paper"), tiny_images, small_config(precision="fp16"))


def test_diverged_training_stops_with_a_clear_error(tiny_images: ImageData) -> None:
    from latentcodes import TrainingError

    trainer = Trainer(InfoGAN(backbone="paper"), tiny_images, small_config(real_mi=0))
    trainer.step = 10
    with pytest.raises(TrainingError, match="diverged by step 10: d_loss is not finite"):
        trainer._log(torch.tensor([float("nan"), 1.0, 1.0, 0.1]), 1.0, 1.0)


def test_infinite_learning_rate_is_refused() -> None:
    from latentcodes import ConfigError

    with pytest.raises(ConfigError, match="config value lr_g=inf is not allowed"):
        small_config(lr_g=float("inf"))


def test_real_mi_trains_q_on_real_images(tiny_images: ImageData) -> None:
    torch.manual_seed(0)
    model = InfoGAN([Categorical(10), Uniform(2)], backbone="paper")
    trainer = Trainer(model, tiny_images, small_config(mi_trunk=True, real_mi=1.0))
    seen: list[torch.Tensor] = []
    model.q_head.register_forward_hook(lambda _m, inputs, _o: seen.append(inputs[0]))
    assert torch.isfinite(trainer.train_step()).all()
    # D's update runs Q on the generated batch, the real one and its moved
    # copy; G's update on the generated batch again.
    assert len(seen) == 4


def test_real_mi_on_one_view_reads_real_images_once(tiny_images: ImageData) -> None:
    torch.manual_seed(0)
    model = InfoGAN([Categorical(10)], backbone="paper")
    config = small_config(mi_trunk=True, real_mi=1.0, real_views="same")
    trainer = Trainer(model, tiny_images, config)
    seen: list[torch.Tensor] = []
    model.q_head.register_forward_hook(lambda _m, inputs, _o: seen.append(inputs[0]))
    assert torch.isfinite(trainer.train_step()).all()
    assert len(seen) == 3


def test_real_mi_needs_mi_trunk() -> None:
    from latentcodes import ConfigError

    with pytest.raises(ConfigError, match="real_mi=1.0 needs mi_trunk=true"):
        small_config(real_mi=1.0, mi_trunk=False)


def test_real_mi_raises_what_q_says_about_real_images(tiny_images: ImageData) -> None:
    torch.manual_seed(0)
    model = InfoGAN([Categorical(10)], backbone="paper")
    config = small_config(real_mi=5.0, real_views="same", precision="fp32", lr_d=1e-2)
    trainer = Trainer(model, tiny_images, config)
    real = tiny_images.batch(torch.arange(8))
    fake = model.generate(8, seed=0)
    codes = [Categorical(10).sample(8, torch.Generator().manual_seed(0))]

    _, before = trainer._update_d(real, fake, codes)
    for _ in range(30):
        _, after = trainer._update_d(real, fake, codes)
    # D's update maximises the estimate (the term is subtracted from its loss).
    assert after.item() > before.item() + 0.2


def test_fit_refuses_what_describes_the_model(tiny_images: ImageData) -> None:
    from latentcodes import ConfigError

    with pytest.raises(ConfigError, match="fit\\(\\) does not take noise_dim, q_hidden"):
        InfoGAN(backbone="paper").fit(tiny_images, steps=1, noise_dim=3, q_hidden=8)


def test_checkpoints_from_before_noise_scale_load(tmp_path: Path) -> None:
    from latentcodes.checkpoint import load_checkpoint, save_checkpoint

    path = InfoGAN([Categorical(10)], backbone="paper").save(tmp_path / "gan.pt")
    payload = load_checkpoint(path, required=("model", "state"))
    del payload["model"]["noise_scale"]
    save_checkpoint(tmp_path / "old.pt", payload)
    assert InfoGAN.load(tmp_path / "old.pt").space.noise_scale == 1.0


def test_model_arguments_are_checked(tiny_images: ImageData) -> None:
    from latentcodes import ConfigError

    assert len(InfoGAN("Categorical(10), Uniform(2)").codes) == 2  # one spec string
    with pytest.raises(ConfigError, match="q_hidden=-5 is not allowed"):
        InfoGAN(q_hidden=-5)
    with pytest.raises(ConfigError, match="codes=5 is not allowed"):
        InfoGAN(codes=5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="data=int is not allowed"):
        InfoGAN().fit(123, steps=1)  # type: ignore[arg-type]
