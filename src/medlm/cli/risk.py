"""`medlm risk`: train, evaluate, cross-validate and apply disease risk models."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from medlm.cli.options import AsOfOpt, as_of_time
from medlm.cli.render import print_disclaimer, print_json, print_table, progress, stdout
from medlm.errors import InputError
from medlm.settings import Settings, load_settings

if TYPE_CHECKING:
    from medlm.risk.batch import RiskBatch

app = typer.Typer(
    help="Disease risk prediction: train, evaluate, cv, predict.", no_args_is_help=True
)

DataOpt = Annotated[Path | None, typer.Option("--data", help="CSV file with a header row.")]
TargetOpt = Annotated[str | None, typer.Option("--target", help="0/1 outcome column of --data.")]
DatasetOpt = Annotated[
    str | None, typer.Option("--dataset", help="Registered dataset: pima, uci-heart, ...")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="Write report.json, report.html and PNGs here.")
]
FamilyOpt = Annotated[str, typer.Option("--model", help="Model family: logreg, gbm or lm.")]
CalibrationOpt = Annotated[
    str,
    typer.Option("--calibration", help="Recalibration on training folds: none, sigmoid, isotonic."),
]


def _metrics_rows(results: list[Any]) -> list[list[Any]]:
    return [
        [
            m.model,
            m.n,
            f"{m.auroc:.3f} ({m.auroc_ci[0]:.3f}-{m.auroc_ci[1]:.3f})",
            f"{m.auprc:.3f}",
            f"{m.brier:.3f}",
            f"{m.calibration_intercept:.2f}",
            f"{m.calibration_slope:.2f}",
            f"{m.ece:.3f}",
        ]
        for m in results
    ]


_COLUMNS = ["model", "n", "AUROC (95% CI)", "AUPRC", "Brier", "cal. int.", "cal. slope", "ECE"]


ModelOpt = Annotated[
    Path,
    typer.Option(
        "--model",
        help="Model folder from `medlm risk train`, or the name of a model in the model folder.",
    ),
]
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def risk_model_folder(settings: Settings) -> Path:
    """The folder of saved risk models, the one `medlm serve` loads and `/v1/risk/models` lists:
    `risk.model_dir`, else `risk-models` in the data directory."""
    return settings.risk_model_dir


def _default_out(settings: Settings, name: str) -> Path:
    """Where a model trained without `--out` goes: `<model folder>/<name>`."""
    if not _MODEL_NAME.match(name):
        raise InputError(
            f"model name {name!r} cannot name a folder: use letters, digits, '.', '_' or '-' "
            "(or give --out)"
        )
    return risk_model_folder(settings) / name


def _saved_model(model: Path, settings: Settings) -> Path:
    """`--model` as given, or the model of that name in the model folder if no such path exists."""
    if model.exists() or len(model.parts) != 1:
        return model
    named = risk_model_folder(settings) / model.name
    return named if named.is_dir() else model


@app.command()
def train(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder to write the model to (default: <model folder>/<name>, where "
            "`medlm serve` finds it; the model folder is risk.model_dir, else "
            "<data_dir>/risk-models).",
        ),
    ] = None,
    data: DataOpt = None,
    target: TargetOpt = None,
    dataset: DatasetOpt = None,
    family: FamilyOpt = "logreg",
    calibration: CalibrationOpt = "none",
    name: Annotated[str | None, typer.Option("--name", help="Model name.")] = None,
    fhir: Annotated[
        Path | None, typer.Option("--fhir", help="FHIR Bundle file or folder of them.")
    ] = None,
    label_condition: Annotated[
        list[str] | None,
        typer.Option("--label-condition", help="With --fhir: outcome = has this Condition code."),
    ] = None,
    outcome: Annotated[
        str, typer.Option("--outcome", help="With --fhir: outcome name.")
    ] = "outcome",
    population: Annotated[
        str | None,
        typer.Option(
            "--population",
            help="With --data or --fhir: the registered dataset whose population the data "
            "comes from (e.g. pima); without it such a model states no population.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit a risk model on all rows given and save it."""
    from medlm.risk.labels import LabelDefinition
    from medlm.risk.training import default_model_name, train_model

    settings = load_settings()
    label = None
    if label_condition:
        label = LabelDefinition(outcome=outcome, condition_codes=label_condition)
    if out is None:
        out = _default_out(settings, default_model_name(name, dataset, data))
    summary = train_model(
        out,
        data=data,
        target=target,
        dataset=dataset,
        family=family,
        calibration=calibration,
        name=name,
        settings=settings.risk,
        fhir=fhir,
        label=label,
        population=population,
    )
    if as_json:
        print_json(summary)
        return
    stdout().print(
        f"trained {summary.family} model {summary.name!r} on {summary.n} rows "
        f"({summary.events} with the outcome); saved to {summary.path}"
    )
    cuts = summary.cutpoints
    stdout().print(
        f"  tiers: low below {cuts.low_below:.1%}, high from {cuts.high_from:.1%} ({cuts.rule})",
        highlight=False,
    )
    if summary.population is None:
        stdout().print("  population: none stated (scores will say so)", highlight=False)
    else:
        stdout().print(f"  population: {summary.population.description}", highlight=False)
    for column, reason in summary.excluded.items():
        stdout().print(f"  column {column!r} not used: {reason}")
    print_disclaimer()


@app.command()
def evaluate(
    model: ModelOpt,
    data: DataOpt = None,
    target: TargetOpt = None,
    dataset: DatasetOpt = None,
    report: ReportOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Held-out evaluation: AUROC (95% CI), AUPRC, Brier, calibration, ECE, cut-points."""
    from medlm.risk.training import evaluate_saved

    settings = load_settings()
    metrics = evaluate_saved(
        _saved_model(model, settings),
        data=data,
        target=target,
        dataset=dataset,
        report_dir=report,
        settings=settings.risk,
    )
    if as_json:
        print_json(metrics)
        return
    print_table("Held-out evaluation", _COLUMNS, _metrics_rows([metrics]))
    if report is not None:
        stdout().print(f"report: {report / 'report.html'}")
    print_disclaimer()


@app.command()
def cv(
    data: DataOpt = None,
    target: TargetOpt = None,
    dataset: DatasetOpt = None,
    family: FamilyOpt = "logreg",
    calibration: CalibrationOpt = "none",
    folds: Annotated[int, typer.Option(min=2, help="Folds per repeat.")] = 5,
    repeats: Annotated[int, typer.Option(min=1, help="Repeats with new splits.")] = 3,
    report: ReportOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Repeated stratified cross-validation (preprocessing refitted inside every fold)."""
    from medlm.risk.training import cross_validate_data

    settings = load_settings()
    with progress("cross-validating", total=folds * repeats) as advance:
        result = cross_validate_data(
            data=data,
            target=target,
            dataset=dataset,
            family=family,
            calibration=calibration,
            folds=folds,
            repeats=repeats,
            report_dir=report,
            settings=settings.risk,
            on_fold=advance,
        )
    if as_json:
        print_json(result)
        return
    rows = [
        [
            result.model,
            f"{result.repeats}x{result.folds}",
            f"{result.auroc.mean:.3f} ± {result.auroc.sd:.3f}",
            f"{result.brier.mean:.3f}",
            f"{result.calibration_slope.mean:.2f} ± {result.calibration_slope.sd:.2f}",
        ]
    ]
    print_table(
        "Cross-validation", ["model", "repeats x folds", "AUROC", "Brier", "cal. slope"], rows
    )
    print_disclaimer()


@app.command()
def external(
    dataset: Annotated[str, typer.Option("--dataset", help="Dataset with sites.")] = "uci-heart",
    train_site: Annotated[
        str, typer.Option("--train-site", help="Site to train on.")
    ] = "Cleveland",
    family: FamilyOpt = "logreg",
    report: ReportOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """External validation: train on one site, evaluate on each of the others."""
    from medlm.risk.training import external_validate

    settings = load_settings()
    results = external_validate(
        dataset, train_site, family, report_dir=report, settings=settings.risk
    )
    if as_json:
        print_json(results)
        return
    print_table("External validation", _COLUMNS, _metrics_rows(results))
    print_disclaimer()


@app.command()
def predict(
    input_file: Annotated[
        Path, typer.Argument(help="FHIR Bundle, PatientRecord JSON (one or a list), or CSV.")
    ],
    model: ModelOpt,
    fhir: Annotated[
        bool, typer.Option("--fhir", help="Include FHIR RiskAssessments in --json.")
    ] = False,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Risk, tier and top reasons for each patient in a record file or FHIR Bundle."""
    from medlm.risk.batch import predict_batch
    from medlm.risk.inputs import read_patients
    from medlm.risk.training import load_for_prediction

    settings = load_settings()
    when = as_of_time(as_of)
    predictor = load_for_prediction(_saved_model(model, settings), settings.risk)
    report = read_patients(input_file, as_of=when)
    batch = predict_batch(
        predictor, report, as_of=when, freshness_days=settings.records.freshness_days
    )
    if as_json:
        body = batch.model_dump(mode="json")
        if fhir:
            body["risk_assessments"] = [s.to_fhir() for s in batch.scores]
        print_json(body)
        return
    _render_batch(batch, predictor.outcome)


def _render_batch(batch: RiskBatch, outcome: str) -> None:
    rows = [
        [
            s.patient_id,
            "-" if s.tier is None else f"{s.probability:.3f}",
            _tier_text(s),
            "; ".join(r.text for r in s.reasons) if s.tier is not None else "-",
            ", ".join(f"{c} (imputed {s.imputed.get(c, '?')})" for c in s.missing) or "-",
        ]
        for s in batch.scores
    ]
    for line in batch.rejected:
        stdout().print(f"rejected: {line}", highlight=False)
    if batch.skipped:
        stdout().print(batch.skipped, highlight=False)
    for refused in batch.refused:
        stdout().print(f"refused: {refused.reason}: no risk score", highlight=False)
    if batch.model is not None:
        _render_model(batch.model)
    print_table(
        f"Risk of {outcome} at {batch.as_of.isoformat(timespec='minutes')}",
        ["patient", "probability", "tier", "reasons", "missing"],
        rows,
    )
    for score in batch.scores:
        if score.population is not None and score.population.outside:
            why = "; ".join(score.population.reasons)
            stdout().print(
                f"{score.patient_id}: outside the model's population: {why}", highlight=False
            )
        if score.low_confidence:
            stdout().print(
                f"{score.patient_id}: low confidence: {score.missing_share:.0%} of the weight "
                "comes from imputed inputs",
                highlight=False,
            )
        for note in score.notes:
            stdout().print(f"{score.patient_id}: {note}", highlight=False)
    print_disclaimer()


def _tier_text(score: Any) -> str:
    if score.tier is None:
        return "outside population"
    return score.tier.value + (" (low confidence)" if score.low_confidence else "")


def _render_model(model: Any) -> None:
    cuts = model.cutpoints
    stdout().print(
        f"model {model.name}: low below {cuts.low_below:.1%}, high from {cuts.high_from:.1%} "
        f"({cuts.rule})",
        highlight=False,
    )
    if model.population is not None:
        stdout().print(f"population: {model.population.description}", highlight=False)
    elif model.population_note:
        stdout().print(f"population: {model.population_note}", highlight=False)
