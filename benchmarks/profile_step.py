"""Where a training step's time goes: torch.profiler over 30 steps.

    python benchmarks/profile_step.py --recipe mnist-infogan-paper --precision bf16
    python benchmarks/profile_step.py --recipe mnist-infogan-tutorial --precision fp32 --unfused

``--unfused`` swaps in the for-each Adam to show what the fused one saves.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

from latentcodes.config import RunConfig
from latentcodes.model import InfoGAN
from latentcodes.registries import DATASETS, RECIPES
from latentcodes.trainer import Trainer

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="mnist-infogan", help="recipe to profile")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--unfused", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", type=int, default=15)
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data" / "mnist")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    values = {**RECIPES.get(args.recipe).config.model_dump(), "precision": args.precision}
    config = RunConfig.build(values)
    data = DATASETS.get("mnist").load("train", args.data_dir)
    model = InfoGAN.from_config(config)
    trainer = Trainer(model, data, config)
    if args.unfused:
        for optimizer in (trainer.opt_d, trainer.opt_g):
            for group in optimizer.param_groups:
                group["fused"], group["foreach"] = False, True

    for _ in range(20):
        trainer.train_step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(30):
            trainer.train_step().tolist()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.rows))


if __name__ == "__main__":
    main()
