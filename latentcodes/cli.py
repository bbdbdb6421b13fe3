"""The ``latentcodes`` command line.

Every user error ends in one red line naming the value and what is allowed,
and exit status 1 (2 for a malformed command line); ``--verbose`` adds the
traceback and debug logs.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from latentcodes.cli_args import COUNT, SEED, THREADS, png, ranged_int, reach
from latentcodes.errors import LatentCodesError

logger = logging.getLogger("latentcodes")
console = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False)

Command = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line, not usage plus error."""

    def error(self, message: str) -> NoReturn:
        console.print(f"[red]error:[/red] {message} (see '{self.prog} --help')")
        raise SystemExit(2)


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", help="recipe name (see 'latentcodes list')")
    length = parser.add_argument_group("length")
    length.add_argument("--steps", type=int, help="training steps (wins over --epochs)")
    length.add_argument("--epochs", type=float, help="epochs of len(dataset)//batch_size steps")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--seed", type=SEED)
    parser.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    parser.add_argument("--precision", help="auto (default), fp32, bf16 or fp16 (CUDA)")
    parser.add_argument("--out", type=Path, help="run directory (default runs/RECIPE-TIME)")
    parser.add_argument("--data-dir", type=Path, help="folder with the dataset's IDX files")
    parser.add_argument("--no-download", action="store_true", help="never download data")
    codes = parser.add_argument_group("codes")
    codes.add_argument(
        "--codes", help="replace the recipe's codes, e.g. 'Categorical(10), Uniform(2, weight=0.5)'"
    )
    codes.add_argument(
        "--add-code", action="append", default=[], metavar="SPEC",
        help="add a code to the recipe's, e.g. 'Uniform(2)' (repeatable)",
    )
    tuning = parser.add_argument_group("training")
    tuning.add_argument("--backbone", help="backbone name (see 'latentcodes list')")
    tuning.add_argument("--lr-d", type=float, help="learning rate of D")
    tuning.add_argument("--lr-g", type=float, help="learning rate of G")
    tuning.add_argument(
        "--mi-trunk", action=argparse.BooleanOptionalAction, default=None,
        help="let the MI loss train the shared trunk too (the paper) or not (the tutorial)",
    )
    tuning.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
        help="any other config value, e.g. real_mi=0 or noise_scale=0.5 (repeatable)",
    )
    tuning.add_argument("--log-every", type=int)
    tuning.add_argument("--grid-every", type=int)
    tuning.add_argument("--checkpoint-every", type=int)
    tuning.add_argument("--threads", type=THREADS, help="CPU threads for torch")
    parser.add_argument("--no-progress", action="store_true", help="log lines, no live bar")


def _read_config(path: Path) -> dict[str, Any]:
    """A run's config.json as a dict ({} when there is none)."""
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LatentCodesError(f"{path} is not valid JSON ({error}); pass --dataset") from None
    if not isinstance(config, dict):
        raise LatentCodesError(f"{path} does not hold a config object; pass --dataset")
    return config


def cmd_run(args: argparse.Namespace) -> int:
    import torch

    from latentcodes.device import Precision, resolve_device
    from latentcodes.model import InfoGAN
    from latentcodes.run_dir import RunDirectory
    from latentcodes.registries import DATASETS, RECIPES
    from latentcodes.run_options import run_config
    from latentcodes.trainer import train_model

    config = run_config(args, RECIPES.get(args.recipe))
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    # Everything that can be checked without data is checked before loading it.
    device = resolve_device(config.device)
    Precision.choose(config.precision, device)
    out = args.out or Path("runs") / f"{args.recipe}-{time.strftime('%Y%m%d-%H%M%S')}"
    RunDirectory.check_free(out)
    data = DATASETS.get(config.dataset).load("train", args.data_dir, download=not args.no_download)
    torch.manual_seed(config.seed)
    model = InfoGAN.from_config(config, data.image_shape)
    summary = train_model(model, config, data, out=out, progress=not args.no_progress)
    _print_summary(summary.as_dict())
    return 0


def _print_summary(summary: dict[str, Any]) -> None:
    final = summary["final"]
    table = Table(title="run summary", show_header=False)
    table.add_row("steps", str(summary["steps"]))
    table.add_row("minutes", f"{summary['seconds'] / 60:.1f}")
    table.add_row("steps/s", f"{summary['steps_per_s']:.2f}")
    table.add_row("D loss / G loss", f"{final['d_loss']:.3f} / {final['g_loss']:.3f}")
    for name, value in final["mi_loss"].items():
        table.add_row(f"{name} MI loss / bound", f"{value:.4f} / {final['mi_bound'][name]:.4f}")
    table.add_row("run directory", str(summary["run_dir"]))
    stdout.print(table)


def cmd_resume(args: argparse.Namespace) -> int:
    import torch

    from latentcodes.resume import resume_run

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    summary = resume_run(args.run_dir, steps=args.steps, data_dir=args.data_dir,
                         download=not args.no_download, progress=not args.no_progress)
    _print_summary(summary.as_dict())
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from latentcodes.registries import ALL

    for kind, registry in ALL.items():
        table = Table(title=kind, title_justify="left")
        table.add_column("name", style="bold")
        table.add_column("description")
        table.add_column("from")
        for entry in registry.entries():
            table.add_row(entry.name, escape(_describe(entry.value)), escape(entry.source))
        for name, reason in registry.failures().items():
            table.add_row(name, f"[red]failed to load: {escape(reason)}[/red]", "")
        stdout.print(table)
    return 0


def _describe(value: object) -> str:
    description = getattr(value, "description", None)
    if isinstance(description, str):
        return description
    doc = (getattr(value, "__doc__", None) or "").strip()
    return doc.splitlines()[0].replace("``", "") if doc else ""


def _load_run(run_dir: Path) -> Any:
    from latentcodes.model import InfoGAN

    return InfoGAN.load(run_dir)


def cmd_eval(args: argparse.Namespace) -> int:
    from latentcodes.registries import DATASETS
    from latentcodes.report import evaluate_run
    from latentcodes.run_dir import RunDirectory, write_json

    run = RunDirectory(args.run_dir)
    model = _load_run(args.run_dir)
    config = _read_config(run.config_path)
    name = args.dataset or config.get("dataset", "mnist")
    dataset = DATASETS.get(name)
    train = dataset.load("train", args.data_dir, download=not args.no_download)
    test = dataset.load("test", args.data_dir, download=not args.no_download)
    report = evaluate_run(model, train, test, name, samples=args.samples)
    path = run.path / "eval.json" if run.path.is_dir() else run.path.with_suffix(".eval.json")
    write_json(path, report)
    _print_eval(report)
    stdout.print(f"written: {path}")
    return 0


def _print_eval(report: dict[str, Any]) -> None:
    table = Table(title="evaluation", show_header=False)
    if "categorical" in report:
        cat = report["categorical"]
        table.add_row("categorical accuracy", f"{cat['accuracy']:.4f}")
        table.add_row("NMI", f"{cat['nmi']:.4f}")
        mapping = " ".join(f"{k}->{c}" for k, c in enumerate(cat["class_of_category"]))
        table.add_row("category -> class", mapping)
        for category, classes in cat["merged"].items():
            table.add_row(f"category {category} merges classes", str(classes))
    for name, mi in report["mi"].items():
        table.add_row(f"{name} MI bound", f"{mi['bound']:.4f} ({mi['ratio']:.1%} of H(c))")
    for name, control in report["control"].items():
        rho = control["rank_correlation"][control["controls"]]
        table.add_row(f"{name} controls", f"{control['controls']} (rank correlation {rho:+.3f})")
    table.add_row("Fréchet distance", f"{report['frechet_distance']:.3f}")
    stdout.print(table)


def _code_values(items: list[str]) -> dict[int, Any]:
    import ast

    values: dict[int, Any] = {}
    for item in items:
        index, _, value = item.partition("=")
        try:
            values[int(index)] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise LatentCodesError(
                f"--code {item!r} is not allowed; write INDEX=VALUE, e.g. 0=3 or 1=0.5"
            ) from None
    return values


def cmd_sample(args: argparse.Namespace) -> int:
    from latentcodes.images import save_grid

    model = _load_run(args.run_dir)
    images = model.generate(args.n, codes=_code_values(args.code), seed=args.seed)
    out = save_grid(images, args.out, columns=args.columns or max(1, round(args.n**0.5)))
    stdout.print(f"written: {out}")
    return 0


def cmd_traverse(args: argparse.Namespace) -> int:
    from latentcodes.images import code_grid, save_grid

    model = _load_run(args.run_dir)
    out = args.out or (args.run_dir if args.run_dir.is_dir() else args.run_dir.parent)
    out = Path(out) / "traversals" if args.out is None else Path(out)
    for index, (name, code) in enumerate(zip(model.space.names, model.codes, strict=True)):
        dims = [0] if code.discrete else range(code.input_dim)
        for dim in dims:
            images, columns = code_grid(model, index, args.columns, args.seed, dim,
                                        steps=args.steps, reach=args.reach)
            suffix = "" if code.discrete else f"_dim{dim}"
            path = save_grid(images, out / f"{name}{suffix}.png", columns)
            stdout.print(f"written: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="latentcodes", description="InfoGAN training with pluggable codes")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logs, tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="train a recipe, writing a run directory")
    _run_arguments(run)
    run.set_defaults(handler=cmd_run)

    resume = sub.add_parser("resume", help="continue a stopped run from its last checkpoint")
    resume.add_argument("run_dir", type=Path, help="run directory written by 'run'")
    resume.add_argument("--steps", type=ranged_int(1, 2**31 - 1),
                        help="train to this many steps in all (default: the run's own length)")
    resume.add_argument("--data-dir", type=Path, help="folder with the dataset's IDX files")
    resume.add_argument("--no-download", action="store_true", help="never download data")
    resume.add_argument("--threads", type=THREADS, help="CPU threads for torch")
    resume.add_argument("--no-progress", action="store_true", help="log lines, no live bar")
    resume.set_defaults(handler=cmd_resume)

    listing = sub.add_parser("list", help="show every plugin by kind and where it comes from")
    listing.set_defaults(handler=cmd_list)

    evaluate = sub.add_parser("eval", help="measure what a run's codes do; writes eval.json")
    evaluate.add_argument("run_dir", type=Path, help="run directory or checkpoint file")
    evaluate.add_argument("--data-dir", type=Path, help="folder with the dataset's IDX files")
    evaluate.add_argument("--dataset", help="dataset name (default: the run's)")
    evaluate.add_argument("--samples", type=ranged_int(10, 100_000), default=5000,
                          help="generated images")
    evaluate.add_argument("--no-download", action="store_true", help="never download data")
    evaluate.set_defaults(handler=cmd_eval)

    sample = sub.add_parser("sample", help="generate images with chosen code values")
    sample.add_argument("run_dir", type=Path, help="run directory or checkpoint file")
    sample.add_argument("--code", action="append", default=[], metavar="INDEX=VALUE",
                        help="fix code INDEX to VALUE, e.g. 0=1 (category 1) or 1=0.5")
    sample.add_argument("--n", type=COUNT, default=25, help="number of images")
    sample.add_argument("--columns", type=COUNT, default=None, help="images per row")
    sample.add_argument("--seed", type=SEED, default=0)
    sample.add_argument("--out", type=png, default=Path("samples.png"), help="PNG file")
    sample.set_defaults(handler=cmd_sample)

    traverse = sub.add_parser("traverse", help="a traversal grid for each code (PNG)")
    traverse.add_argument("run_dir", type=Path, help="run directory or checkpoint file")
    traverse.add_argument("--out", type=Path, help="folder (default RUN_DIR/traversals)")
    traverse.add_argument("--columns", type=COUNT, default=10, help="noise vectors per row")
    traverse.add_argument("--steps", type=ranged_int(2, 1000), default=9,
                          help="values of a continuous code")
    traverse.add_argument("--reach", type=reach, default=2.0,
                          help="continuous codes go to center +/- reach * half-range")
    traverse.add_argument("--seed", type=SEED, default=0)
    traverse.set_defaults(handler=cmd_traverse)
    return parser


def _setup_logging(verbose: bool) -> None:
    handler = RichHandler(console=console, show_path=verbose, rich_tracebacks=True)
    logging.basicConfig(level=logging.WARNING, handlers=[handler], format="%(message)s")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    # SIGTERM (a scheduler, `timeout`) ends a run the way Ctrl-C does, so the
    # run directory gets its checkpoint and summary.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    handler: Command = args.handler
    try:
        return handler(args)
    except LatentCodesError as error:
        if args.verbose:
            console.print_exception()
        console.print(f"[red]error:[/red] {error}")
        return 1
    except OSError as error:
        if args.verbose:
            console.print_exception()
        where = f" {error.filename}" if error.filename else ""
        console.print(f"[red]error:[/red] cannot use{where}: {error.strerror or error}")
        return 1
    except KeyboardInterrupt:
        console.print(
            "[yellow]interrupted[/yellow]; the run directory named above, if one was "
            "started, keeps its last checkpoint: 'latentcodes resume RUN_DIR --data-dir DIR' "
            "continues it"
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
