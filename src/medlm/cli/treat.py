"""`medlm treat`: recommendations and safety checks for a patient; trial treatment effects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from medlm.cli.options import AsOfOpt, as_of_time
from medlm.cli.render import print_disclaimer, print_json, print_table, progress, stdout
from medlm.errors import InputError

app = typer.Typer(
    help="Treatment recommendations, safety checks and trial effects.", no_args_is_help=True
)


@app.command()
def recommend(
    patient: Annotated[Path, typer.Argument(help="FHIR R4 Bundle or medlm PatientRecord JSON.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    fhir_out: Annotated[
        Path | None, typer.Option("--fhir", help="Also write a FHIR Bundle of the results here.")
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Ranked, cited recommendations and safety issues for one patient."""
    from medlm.settings import load_settings
    from medlm.treatment import TreatmentRecommender
    from medlm.treatment.fhir import report_bundle
    from medlm.treatment.inputs import read_patient_file
    from medlm.treatment.who_eml import load_who_categories

    when = as_of_time(as_of)
    given = read_patient_file(patient, as_of=when)
    recommender = TreatmentRecommender(
        pregnancy_categories=load_who_categories(),
        freshness_days=load_settings().records.freshness_days,
    )
    report = recommender.recommend(given.record, as_of=when, unread=given.unread)
    if fhir_out is not None:
        fhir_out.write_text(json.dumps(report_bundle(report), indent=2), encoding="utf-8")
    summary = report.summary()
    if as_json:
        print_json(summary)
        return
    print_table(
        f"Recommendations for {report.patient_id}",
        ["action", "drug / class", "rationale", "strength", "source"],
        [
            [
                r["action"],
                r["drug"] or r["drug_class"],
                r["rationale"],
                r["strength"],
                r["citation"],
            ]
            for r in summary["recommendations"]
        ],
    )
    print_table(
        "Safety issues",
        ["severity", "kind", "drugs", "detail", "source"],
        [
            [i["severity"], i["kind"], ", ".join(i["drugs"]), i["detail"], i["citation"]]
            for i in summary["issues"]
        ],
    )
    print_table(
        "Drugs checked",
        ["drug", "ingredient", "classes", "interaction rules"],
        [
            [d.label, d.ingredient, ", ".join(d.classes), str(d.interaction_rules)]
            for d in report.coverage.matched
        ],
    )
    for line in report.coverage.lines()[1:]:
        stdout().print(f"coverage: {line}", highlight=False)
    for line in report.notes:
        stdout().print(f"note: {line}", highlight=False)
    for line in report.missing:
        stdout().print(f"could not check: {line}", highlight=False)
    print_disclaimer()


@app.command()
def effects(
    dataset: Annotated[str, typer.Option(help="Randomized trial dataset.")] = "actg175",
    folds: Annotated[int, typer.Option(min=2, help="Cross-fitting folds.")] = 5,
    bootstrap: Annotated[int, typer.Option(min=10, help="Bootstrap resamples.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Learned treatment rules vs the best single arm, on held-out patients, with CIs."""
    from medlm.datasets import load
    from medlm.knowledge.treatment import load_trial
    from medlm.treatment.policy import evaluate_policies

    if dataset != "actg175":
        raise InputError(f"--dataset {dataset!r}: only 'actg175' is a randomized trial here")
    design = load_trial(dataset)
    frame = load(dataset).frame
    with progress("fitting learners", total=2 * folds) as advance:
        result = evaluate_policies(
            frame, design, n_folds=folds, n_bootstrap=bootstrap, seed=seed, advance=advance
        )
    if as_json:
        print_json(result)
        return
    rows = [
        [name, f"{e.value:.1f}", f"{e.ci_low:.1f} to {e.ci_high:.1f}"]
        for name, e in result.arms.items()
    ]
    rows += [
        [
            f"{p.learner} rule",
            f"{p.value.value:.1f}",
            f"{p.value.ci_low:.1f} to {p.value.ci_high:.1f}",
        ]
        for p in result.policies
    ]
    print_table(f"IPW policy value, {result.outcome}", ["policy", "value", "95% CI"], rows)
    stdout().print(result.conclusion, highlight=False)
    for p in result.policies:
        drivers = ", ".join(f"{n} ({v:.1f})" for n, v in p.drivers)
        stdout().print(f"{p.learner} effect drivers: {drivers}", highlight=False)
    print_disclaimer()
