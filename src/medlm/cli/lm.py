"""`medlm lm`: the language model commands (embed, pretrain, finetune, evaluate)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from medlm.cli import lm_embed, lm_export
from medlm.cli.render import print_json, print_table, progress
from medlm.settings import load_settings

app = typer.Typer(
    help="medlm's language model: embed, pretrain, fine-tune, evaluate, export.",
    no_args_is_help=True,
)
app.command("embed")(lm_embed.embed)
app.command("bench")(lm_embed.bench)


def _threads() -> None:
    import torch

    settings = load_settings().lm
    if settings.num_threads:
        torch.set_num_threads(settings.num_threads)


class _StepBar:
    """A Trainer callback that advances the CLI's progress bar once per optimizer step."""

    def __init__(self, advance: Any) -> None:
        self.advance = advance

    def on_train_start(self, trainer: Any, total_steps: int) -> None: ...
    def on_step_end(self, trainer: Any, step: int, loss: float) -> None:
        self.advance(1)

    def on_epoch_end(self, trainer: Any, record: Any) -> None: ...
    def on_train_end(self, trainer: Any) -> None: ...


@app.command()
def pretrain(
    out: Annotated[Path, typer.Option("--out", help="Folder for the pretrained checkpoint.")],
    corpus: Annotated[str, typer.Option("--corpus", help="Pretraining corpus.")] = "medline",
    init: Annotated[str, typer.Option("--init", help="minilm or scratch.")] = "minilm",
    arch: Annotated[
        str,
        typer.Option("--arch", help="encoder (masked LM) or encoder-decoder (span corruption)."),
    ] = "encoder",
    max_steps: Annotated[int | None, typer.Option("--max-steps", min=1)] = None,
    time_budget: Annotated[
        float | None, typer.Option("--time-budget", min=0.1, help="Minutes of training.")
    ] = None,
    max_documents: Annotated[int | None, typer.Option("--max-documents", min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Domain-adaptive pretraining on the MEDLINE training abstracts; held-out loss before/after."""
    from medlm.errors import InputError
    from medlm.training.pretraining import pretrain_medline

    if corpus != "medline":
        raise InputError(f"--corpus {corpus!r}: the only corpus is 'medline'")
    if init not in ("minilm", "scratch") or arch not in ("encoder", "encoder-decoder"):
        raise InputError(
            f"--init {init!r} / --arch {arch!r}: use minilm|scratch, encoder|encoder-decoder"
        )
    _threads()
    summary = pretrain_medline(
        init,  # type: ignore[arg-type]
        out,
        architecture=arch,  # type: ignore[arg-type]
        max_steps=max_steps,
        time_budget_min=time_budget,
        max_train_documents=max_documents,
    )
    if as_json:
        print_json(summary.model_dump())
        return
    rows = [
        ["before", summary.before.loss, summary.before.perplexity],
        ["after", summary.after.loss, summary.after.perplexity],
    ]
    print_table(
        f"{summary.objective} on held-out abstracts ({summary.steps} steps, "
        f"{summary.tokens_per_second:.0f} tokens/s)",
        ["", "loss", "perplexity"],
        rows,
    )


@app.command()
def finetune(
    out: Annotated[Path, typer.Option("--out", help="Folder for the fine-tuned classifier.")],
    task: Annotated[str, typer.Option("--task", help="Fine-tuning task.")] = "sentence-roles",
    init: Annotated[
        str, typer.Option("--init", help="minilm or a medlm checkpoint folder.")
    ] = "minilm",
    max_sentences: Annotated[
        int | None,
        typer.Option("--max-sentences", min=1, help="Training sentences (whole abstracts)."),
    ] = 12_000,
    epochs: Annotated[int, typer.Option("--epochs", min=1)] = 1,
    max_steps: Annotated[int | None, typer.Option("--max-steps", min=1)] = None,
    time_budget: Annotated[float | None, typer.Option("--time-budget", min=0.1)] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the abstract sample and order.")] = 0,
    learning_rate: Annotated[float, typer.Option("--learning-rate", min=0.0)] = 5e-5,
    recipe: Annotated[
        str | None,
        typer.Option(
            "--recipe",
            help="'best': the abstract-level model, end to end on all training sentences, "
            "choices made on validation (other options but --init/--seed are ignored).",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", help="Sentence-vector cache of --recipe (default ~/.cache)."),
    ] = None,
    recipe_max_sentences: Annotated[
        int | None, typer.Option("--recipe-max-sentences", min=1, hidden=True)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fine-tune a sentence-role classifier on the MEDLINE training abstracts."""
    from medlm.errors import InputError
    from medlm.training.finetuning import finetune_sentence_roles
    from medlm.training.sentence_roles import load_role_sentences, subsample

    if task != "sentence-roles":
        raise InputError(f"--task {task!r}: the only task is 'sentence-roles'")
    _threads()
    if recipe is not None:
        from medlm.cli.lm_recipe import run_recipe

        run_recipe(
            recipe,
            out,
            init=init,
            seed=seed,
            cache_dir=cache_dir,
            max_sentences=recipe_max_sentences,
            as_json=as_json,
        )
        return
    train = subsample(load_role_sentences("train"), max_sentences, seed=seed)
    total = (len(train) // 32) * epochs if max_steps is None else max_steps
    with progress("fine-tuning", total=total) as advance:
        summary = finetune_sentence_roles(
            init,
            out,
            train=train,
            max_train_sentences=None,
            epochs=epochs,
            max_steps=max_steps,
            time_budget_min=time_budget,
            learning_rate=learning_rate,
            seed=seed,
            callbacks=[_StepBar(advance)],
        )
    if as_json:
        print_json(summary.model_dump())
        return
    typer.echo(
        f"fine-tuned {summary.steps} steps on {summary.train_sentences} sentences "
        f"({summary.train_abstracts} abstracts) in {summary.seconds:.0f} s -> {summary.out}"
    )


@app.command()
def evaluate(
    model: Annotated[str, typer.Option("--model", help="Model folder, or 'tfidf' (baseline).")],
    task: Annotated[str, typer.Option("--task", help="Evaluation task.")] = "sentence-roles",
    split: Annotated[str, typer.Option("--split", help="test or validation.")] = "test",
    baseline: Annotated[
        bool,
        typer.Option(
            "--baseline/--no-baseline",
            help="Compare with TF-IDF + logistic regression (same cues, fitted on train) by a "
            "paired bootstrap over abstracts; --no-baseline skips it for speed.",
        ),
    ] = True,
    resamples: Annotated[int, typer.Option("--resamples", min=1, help="Bootstrap resamples.")] = (
        1_000
    ),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap resamples.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Accuracy, macro-F1 and per-class F1 on the held-out abstracts, against TF-IDF."""
    from medlm.errors import InputError
    from medlm.training.finetuning import evaluate_sentence_roles
    from medlm.training.sentence_roles import load_role_sentences

    if task != "sentence-roles":
        raise InputError(f"--task {task!r}: the only task is 'sentence-roles'")
    if split not in ("test", "validation"):
        raise InputError(f"--split {split!r}: use test or validation")
    _threads()
    sentences = load_role_sentences(split)  # type: ignore[arg-type]
    # The baseline's biases are chosen on the validation abstracts, so only a test-split
    # evaluation gets them (a fine-tuned model folder carries its own).
    fits_tfidf = model == "tfidf" or baseline
    validation = load_role_sentences("validation") if fits_tfidf and split == "test" else None
    with progress("evaluating", total=len(sentences)) as advance:
        metrics = evaluate_sentence_roles(
            model,
            split=split,  # type: ignore[arg-type]
            sentences=sentences,
            validation=validation,
            on_batch=advance,
            baseline=baseline,
            resamples=resamples,
            seed=seed,
        )
    if as_json:
        print_json(metrics.model_dump())
        return
    _print_role_metrics(metrics)


def _print_role_metrics(metrics: Any) -> None:
    """The per-class table (with the TF-IDF column when compared) and the bootstrap line."""
    versus = metrics.vs_tfidf
    rows = [
        [role, f"{f1:.3f}", *([f"{versus.per_class_f1[role]:.3f}"] if versus else [])]
        for role, f1 in metrics.per_class_f1.items()
    ]
    for name, value, base in (
        ("macro-F1", metrics.macro_f1, versus and versus.macro_f1),
        ("accuracy", metrics.accuracy, versus and versus.accuracy),
    ):
        rows.append([name, f"{value:.3f}", *([f"{base:.3f}"] if versus else [])])
    print_table(
        f"sentence roles, {metrics.n_sentences} {metrics.split} sentences "
        f"({metrics.n_abstracts} abstracts)",
        ["", "F1", *(["TF-IDF F1"] if versus else [])],
        rows,
    )
    if versus:
        d = versus.macro_f1_difference
        typer.echo(
            f"macro-F1 minus TF-IDF: {d.difference:+.4f} "
            f"({d.confidence:.0%} CI {d.ci_low:+.4f} to {d.ci_high:+.4f}, paired bootstrap over "
            f"{d.groups} abstracts, {d.resamples} resamples; share <= 0: "
            f"{d.share_at_or_below_zero:.4f})"
        )
        if (p := versus.macro_f1_difference_to_sentence_level) is not None:
            typer.echo(
                f"against TF-IDF's plain argmax ({p.baseline:.4f}): {p.difference:+.4f} "
                f"({p.confidence:.0%} CI {p.ci_low:+.4f} to {p.ci_high:+.4f})"
            )


app.command("export")(lm_export.export)
