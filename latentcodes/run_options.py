"""From a `latentcodes run` command line to a RunConfig: the recipe, then the
flags, then ``--set KEY=VALUE``, with every value the user gave kept or
refused, never silently dropped."""

from __future__ import annotations

import argparse
from typing import Any

from latentcodes.config import Recipe, RunConfig, parse_setting
from latentcodes.errors import ConfigError
from latentcodes.spec import parse_codes

__all__ = ["run_config"]


def run_config(args: argparse.Namespace, recipe: Recipe) -> RunConfig:
    """The recipe's config with the command line's changes, validated once so
    that flags may fix each other."""
    codes = list(recipe.config.codes)
    if args.codes is not None:
        codes = [repr(c) for c in parse_codes(args.codes)]
    codes += [repr(c) for spec in args.add_code for c in parse_codes(spec)]
    flags = {k: v for k, v in _overrides(args, codes).items() if v is not None}
    settings = _settings(args.settings)
    _check_agreement(flags, settings, codes_flagged=bool(args.codes or args.add_code))

    values = {**recipe.config.model_dump(), **flags, **settings}
    wants_epochs = args.epochs is not None or "epochs" in settings
    if wants_epochs and args.steps is None and "steps" not in settings:
        # The recipe's own length is in steps, which would win over --epochs.
        values["steps"] = None
    return RunConfig.build(values)


def _overrides(args: argparse.Namespace, codes: list[str]) -> dict[str, Any]:
    return {
        "steps": args.steps,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "device": args.device,
        "precision": args.precision,
        "backbone": args.backbone,
        "lr_d": args.lr_d,
        "lr_g": args.lr_g,
        "mi_trunk": args.mi_trunk,
        "log_every": args.log_every,
        "grid_every": args.grid_every,
        "checkpoint_every": args.checkpoint_every,
        "codes": codes,
    }


def _settings(texts: list[str]) -> dict[str, Any]:
    """The --set values by key; one key given two different values is refused."""
    settings: dict[str, Any] = {}
    for text in texts:
        key, value = parse_setting(text)
        if key in settings and settings[key] != value:
            raise ConfigError(
                f"--set {key}={settings[key]} and --set {key}={value} disagree; give {key} once"
            )
        settings[key] = value
    return settings


def _check_agreement(
    flags: dict[str, Any], settings: dict[str, Any], codes_flagged: bool
) -> None:
    """A value given both as a flag and with --set must be the same value, so
    that no choice of the user's is silently dropped."""
    if codes_flagged and "codes" in settings:
        raise ConfigError("--codes/--add-code and --set codes=... both set the codes; use one")
    for key in sorted(flags.keys() & settings.keys() - {"codes"}):
        if flags[key] != settings[key]:
            name = key.replace("_", "-")
            value = flags[key]
            flag = (f"--{'' if value else 'no-'}{name}" if isinstance(value, bool)
                    else f"--{name} {value}")
            raise ConfigError(
                f"{flag} and --set {key}={settings[key]} disagree; give {key} once"
            )
