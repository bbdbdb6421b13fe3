"""Quality per minute: categorical accuracy on the MNIST test set against
training time, for a recipe with optional config changes.

    python benchmarks/quality.py mnist-infogan --minutes 15 --eval-every 500 \
        --set lr_g=1e-3 --set mi_trunk=true --seed 1 --curve curve.json

Evaluation time is left out of the training time it reports.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import torch

from latentcodes.config import RunConfig, parse_setting
from latentcodes.evaluation import categorical_accuracy
from latentcodes.model import InfoGAN
from latentcodes.registries import DATASETS, RECIPES
from latentcodes.report import code_control
from latentcodes.trainer import Trainer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--max-steps", type=int, default=None,
                        help="stop after this many steps (default: the recipe's steps)")
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--curve", type=Path, required=True)
    parser.add_argument("--name", default=None, help="configuration name for the results page")
    parser.add_argument("--save", type=Path, default=None, help="save the final model here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)

    changes = dict(parse_setting(item) for item in args.set)
    values = {**RECIPES.get(args.recipe).config.model_dump(), "seed": args.seed}
    values.update(changes)
    if args.max_steps is not None:
        values["steps"] = args.max_steps
    config = RunConfig.build(values)

    dataset = DATASETS.get(config.dataset)
    train = dataset.load("train", args.data_dir)
    test = dataset.load("test", args.data_dir)
    torch.manual_seed(config.seed)
    model = InfoGAN.from_config(config, train.image_shape)
    trainer = Trainer(model, train, config)

    curve, train_seconds = [], 0.0
    while train_seconds < 60 * args.minutes and trainer.step < trainer.total_steps:
        start = time.perf_counter()
        for _ in range(args.eval_every):
            figures = trainer.train_step()
            trainer.step += 1
        figures.tolist()  # wait for the device before reading the clock
        train_seconds += time.perf_counter() - start
        match = categorical_accuracy(model, test)
        point = {
            "step": trainer.step,
            "train_minutes": round(train_seconds / 60, 3),
            "accuracy": round(match.accuracy, 4),
            "losses": [round(v, 4) for v in figures.tolist()],
            "class_of_category": match.class_of_category,
        }
        if any(not code.discrete for code in model.codes):
            # What each continuous code moves at this step, to see when control settles.
            point["control"] = {
                name: [c["controls"], round(c["rank_correlation"][c["controls"]], 3)]
                for name, c in code_control(model).items()
            }
        curve.append(point)
        logging.info("%s", json.dumps(point))
        args.curve.write_text(json.dumps(
            {"recipe": args.recipe, "config_name": args.name or args.recipe,
             "changes": changes, "seed": args.seed,
             "config": config.model_dump(), "curve": curve}, indent=1))
    if args.save:
        model.save(args.save)


if __name__ == "__main__":
    main()
