"""Training speed of latentcodes against the two plain PyTorch peers, in one run.

    python benchmarks/speed.py                      # the table for docs/performance.md
    python benchmarks/speed.py --only latentcodes   # skip the peers
    python benchmarks/speed.py --one paper --precision bf16   # one measurement

Each program runs in its own process, one at a time, so that its peak RSS is
its own: steps/s over steps 21 to 220 at batch 64 (the peers' protocol), FLOPs
of one step from ``torch.utils.flop_counter`` and the achieved GFLOP/s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEERS = REPO.parent / "shared" / "bench" / "peers"


# What each latentcodes row trains: the tutorial's model with the tutorial's
# schedule (the seed_torch.py peer's), the paper's (the paper_torch.py
# peer's), and the default recipe, which is the paper's model plus the
# real-image MI term (a second trunk pass on a moved copy of the real batch).
RECIPE_OF = {
    "tutorial": "mnist-infogan-tutorial",
    "paper": "mnist-infogan-paper",
    "default": "mnist-infogan",
}


def measure_one(args: argparse.Namespace) -> dict[str, object]:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from latentcodes.config import RunConfig
    from latentcodes.model import InfoGAN
    from latentcodes.registries import DATASETS, RECIPES
    from latentcodes.trainer import Trainer

    torch.set_num_threads(args.threads)
    recipe = RECIPE_OF[args.one]
    values = RECIPES.get(recipe).config.model_dump()
    values.update(steps=args.steps, precision=args.precision, device="cpu",
                  channels_last=args.channels_last, compile=args.compile)
    config = RunConfig.build(values)
    data = DATASETS.get("mnist").load("train", args.data_dir)
    torch.manual_seed(0)
    model = InfoGAN.from_config(config)
    trainer = Trainer(model, data, config)

    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        trainer.train_step().tolist()  # a host sync per step, as the peers' .item() calls
        times.append(time.perf_counter() - start)
    timed = times[args.warmup:]

    with FlopCounterMode(display=False) as counter:
        trainer.train_step()
    flops = counter.get_total_flops()
    steps_per_s = len(timed) / sum(timed)
    return {
        "program": f"latentcodes {args.one}",
        "precision": trainer.precision.name,
        "channels_last": args.channels_last,
        "compile": args.compile,
        "steps_per_s": round(steps_per_s, 3),
        "gflop_per_step": round(flops / 1e9, 2),
        "gflop_per_s": round(flops / 1e9 * steps_per_s, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "first_step_s": round(times[0], 2),
    }


def run_child(command: list[str], env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", choices=list(RECIPE_OF), help="measure one recipe here")
    parser.add_argument("--only", choices=["latentcodes", "peers"], default=None)
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--steps", type=int, default=220)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data" / "mnist")
    parser.add_argument("--peers-dir", type=Path, default=PEERS)
    parser.add_argument("--variants", default="fp32,bf16",
                        help="precisions to measure for latentcodes, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()

    if args.one:
        print("RESULT " + json.dumps(measure_one(args)), flush=True)
        return

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MNIST_DIR": str(args.data_dir)}
    rows = []
    if args.only != "latentcodes":
        for script in ("seed_torch.py", "paper_torch.py"):
            command = [sys.executable, str(args.peers_dir / script), "--steps", str(args.steps),
                       "--warmup", str(args.warmup), "--threads", str(args.threads)]
            row = run_child(command, {**env, "PYTHONPATH": str(args.peers_dir)})
            rows.append({"program": script, "steps_per_s": round(row["steps_per_s"], 3),
                         "peak_rss_mib": round(row["peak_rss_mib"])})
            print(json.dumps(rows[-1]), flush=True)
    if args.only != "peers":
        for model in RECIPE_OF:
            for precision in args.variants.split(","):
                command = [sys.executable, __file__, "--one", model, "--precision", precision,
                           "--steps", str(args.steps), "--warmup", str(args.warmup),
                           "--threads", str(args.threads), "--data-dir", str(args.data_dir)]
                command += ["--channels-last"] * args.channels_last + ["--compile"] * args.compile
                rows.append(run_child(command, env))
                print(json.dumps(rows[-1]), flush=True)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


def print_table(rows: list[dict[str, object]]) -> None:
    peer = {"tutorial": "seed_torch.py", "paper": "paper_torch.py", "default": "paper_torch.py"}
    speeds = {row["program"]: row["steps_per_s"] for row in rows}
    print("\n| program | precision | steps/s | vs peer | GFLOP/step | GFLOP/s | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        name = str(row["program"])
        base = speeds.get(peer.get(name.split()[-1], ""), None)
        ratio = f"{float(row['steps_per_s']) / float(base):.2f}x" if base else ""
        print(f"| {name} | {row.get('precision', 'fp32')} | {row['steps_per_s']} | {ratio} | "
              f"{row.get('gflop_per_step', '')} | {row.get('gflop_per_s', '')} | "
              f"{row['peak_rss_mib']} |")


if __name__ == "__main__":
    main()
