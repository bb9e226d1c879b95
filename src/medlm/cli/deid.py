"""`medlm deid`: de-identify a note (`medlm deid [FILE|-]`) and measure the detector
(`medlm deid evaluate`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from medlm.cli import render
from medlm.errors import InputError


class _DeidGroup(TyperGroup):
    """`medlm deid [FILE|-] [options]` de-identifies (the group's own options, shown by
    `--help`); `medlm deid evaluate [options]` runs the subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] in self.commands:  # a subcommand: the group's options keep defaults
            super().parse_args(ctx, [])
            ctx._protected_args, ctx.args = args[:1], args[1:]
            return ctx.args
        ctx.allow_interspersed_args = True  # `medlm deid note.txt --json` as well as the reverse
        rest = super().parse_args(ctx, args)
        extra = [*ctx._protected_args, *rest]
        if extra:
            raise InputError(f"deid: unexpected extra argument {extra[0]!r}; give one FILE or -")
        return rest


app = typer.Typer(
    cls=_DeidGroup,
    invoke_without_command=True,
    subcommand_metavar="| COMMAND [ARGS]...",
    help="Remove the 18 HIPAA Safe Harbor identifiers from clinical text: "
    "medlm deid [FILE|-] [--json] [--operator ...], or medlm deid evaluate.",
)


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise InputError(f"deid: input file {source!r} does not exist")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"deid: input file {source!r} is not UTF-8 text ({exc.reason})") from exc


@app.callback()
def deid(
    ctx: typer.Context,
    source: Annotated[
        str | None,
        typer.Argument(
            metavar="FILE|-", help="Text file to de-identify, or - for stdin (default)."
        ),
    ] = None,
    operator: Annotated[
        str, typer.Option("--operator", help="redact, mask, placeholder or surrogate.")
    ] = "placeholder",
    patient_id: Annotated[
        str, typer.Option("--patient-id", help="Scope of surrogates and the date shift.")
    ] = "default",
    shift_dates: Annotated[
        bool, typer.Option("--shift-dates", help="Shift dates by a per-patient offset.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """De-identify FILE (or stdin) and print the text; `--json` adds the PHI spans."""
    if ctx.invoked_subcommand is not None:
        return
    from medlm.privacy import Operator, OperatorConfig, deidentify
    from medlm.privacy.detector import PhiDetector
    from medlm.settings import load_settings

    choices = {op.value for op in Operator}
    if operator not in choices:
        raise InputError(f"deid: --operator {operator!r} is not one of {sorted(choices)}")
    settings = load_settings()
    config = OperatorConfig(
        operator=Operator(operator),
        patient_id=patient_id,
        shift_dates=shift_dates,
        secret=settings.security.deid_secret.get_secret_value(),
    )
    detector = PhiDetector.from_setting(settings.security.deid_ner)
    result = deidentify(_read(source or "-"), config, detector)
    if as_json:
        render.print_json(result)
    else:
        sys.stdout.write(result.text if result.text.endswith("\n") else result.text + "\n")


@app.command()
def evaluate(
    synthetic_size: Annotated[
        int, typer.Option("--synthetic-size", min=1, help="Sentences in the synthetic corpus.")
    ] = 300,
    presidio: Annotated[
        bool, typer.Option("--presidio/--no-presidio", help="Run Presidio side by side.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Precision, recall and F2 per HIPAA category on the labelled (synthetic) corpora."""
    from medlm.privacy.evaluation import evaluate as run_evaluation

    reports = run_evaluation(synthetic_size=synthetic_size, with_presidio=presidio)
    if as_json:
        render.print_json(reports)
        return

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for report in reports:
        title = f"{report.corpus} · {report.detector} · {report.notes} notes"
        if report.skipped:
            render.stderr().print(
                f"{report.corpus} · {report.detector}: skipped: {report.skipped}", markup=False
            )
            continue
        rows = [
            [c.category, c.gold, c.predicted, fmt(c.precision), fmt(c.recall), fmt(c.f2), c.missed]
            for c in report.categories
        ]
        render.print_table(
            title, ["category", "gold", "pred", "precision", "recall", "F2", "missed"], rows
        )
