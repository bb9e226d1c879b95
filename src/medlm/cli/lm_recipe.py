"""`medlm lm finetune --recipe best`: runs the sentence-role recipe and renders its summary."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from medlm.cli.render import print_json, print_table, progress
from medlm.errors import InputError

RECIPES = ("best",)


def default_cache_dir() -> Path:
    """Where sentence vectors are cached between runs: $XDG_CACHE_HOME/medlm (or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "medlm" / "sentence-vectors"


def run_recipe(
    recipe: str,
    out: Path,
    *,
    init: str,
    seed: int,
    cache_dir: Path | None,
    max_sentences: int | None,
    as_json: bool,
) -> None:
    """Train the recipe's model into `out`. `max_sentences` is the hidden smoke setting of
    `--recipe-max-sentences` (tests): it caps both splits and shrinks the grid."""
    from medlm.training.abstract_recipe import RecipeSettings, run_best_recipe

    if recipe not in RECIPES:
        raise InputError(f"--recipe {recipe!r}: the only recipe is 'best'")
    settings = RecipeSettings(
        encoder=init,
        seed=seed,
        cache_dir=cache_dir or default_cache_dir(),
        max_train_sentences=max_sentences,
        max_validation_sentences=max_sentences,
    )
    if max_sentences is not None:  # the hidden smoke setting: one grid point, a few epochs
        settings = settings.model_copy(
            update={"learning_rates": (1e-2,), "hidden_sizes": (16,), "max_epochs": 3, "members": 1}
        )
    summary = run_best_recipe(out, settings, progress=progress)
    if as_json:
        print_json(summary.model_dump())
        return
    rows = [
        [p.learning_rate, p.hidden, p.best_epoch, f"{p.validation_macro_f1:.4f}"]
        for p in summary.grid
    ]
    print_table(
        "validation grid (chosen: best macro-F1)", ["lr", "hidden", "epoch", "val macro-F1"], rows
    )
    stages = ", ".join(f"{k} {v:.0f} s" for k, v in summary.stage_seconds.items())
    typer.echo(
        f"recipe best: {summary.train_sentences} sentences ({summary.train_abstracts} abstracts), "
        f"{summary.precision}, validation macro-F1 {summary.validation_macro_f1_calibrated:.4f} "
        f"calibrated; {stages}; {summary.seconds:.0f} s in all -> {summary.out}"
    )
