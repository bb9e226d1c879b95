"""Library entry points behind `medlm risk`: train, evaluate, cross-validate, validate by site."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from medlm.errors import InputError
from medlm.evaluation.report import Report, write_report
from medlm.evaluation.results import CrossValidationResult, Metrics
from medlm.evaluation.validation import cross_validate, external_validation
from medlm.risk.data import RiskData, from_dataset, resolve_data
from medlm.risk.estimator import FAMILIES, DiseaseRiskPredictor
from medlm.risk.labels import LabelDefinition, read_bundles, records_to_data
from medlm.risk.population import (
    NOT_STATED,
    Population,
    known_populations,
    population_for,
)
from medlm.risk.study import (
    baseline_curves,
    baselines_for,
    comparison_notes,
    evaluate_model,
    importance,
    missing_counts,
    require_target,
)
from medlm.risk.tiers import TierCutpoints, choose_cutpoints
from medlm.settings import RiskSettings


class TrainSummary(BaseModel):
    """What `train_model` did."""

    name: str
    family: str
    n: int
    events: int
    path: str
    columns: list[str]
    excluded: dict[str, str]
    cutpoints: TierCutpoints
    population: Population | None = Field(
        default=None, description="None: trained on data without a stated population."
    )


def make_predictor(
    family: str,
    settings: RiskSettings,
    *,
    calibration: str = "none",
    name: str = "risk-model",
    outcome: str = "outcome",
    population: Population | None = None,
) -> DiseaseRiskPredictor:
    """An unfitted predictor: tiers by the population's rule (else the training prevalence)
    unless settings fix the cut-points; low-confidence threshold from settings."""
    if family not in FAMILIES:
        raise InputError(f"unknown model family {family!r}; choose from {', '.join(FAMILIES)}")
    if calibration not in ("none", "sigmoid", "isotonic"):
        raise InputError(f"unknown calibration {calibration!r}; choose none, sigmoid or isotonic")
    return DiseaseRiskPredictor(
        family,  # type: ignore[arg-type]
        calibration=calibration,  # type: ignore[arg-type]
        tier_cutpoints=settings.cutpoints,
        tier_rule=population.tier_rule if population else "prevalence",
        tier_multiples=settings.tier_prevalence_multiples,
        population=population,
        low_confidence_missing_share=settings.low_confidence_missing_share,
        name=name,
        outcome=outcome,
    )


def default_model_name(name: str | None, dataset: str | None, data: Path | None) -> str:
    """A trained model's name: `name`, else the dataset's, else the CSV file's stem."""
    return name or (dataset or (data.stem if data else "risk-model"))


def train_model(
    out: Path,
    *,
    data: Path | None,
    target: str | None,
    dataset: str | None,
    family: str,
    calibration: str,
    name: str | None,
    settings: RiskSettings,
    fhir: Path | None = None,
    label: LabelDefinition | None = None,
    population: str | None = None,
) -> TrainSummary:
    """Fit on every row of the data (CSV, dataset, or FHIR bundles + label) and save it.

    The model's population is the dataset's, or that of the registered dataset named by
    `population` (for a CSV drawn from the same people); otherwise none is stated."""
    mapping = None
    if fhir is not None:
        if data is not None or dataset is not None or label is None:
            raise InputError("--fhir needs a label definition and excludes --data and --dataset")
        table, mapping = records_to_data(read_bundles(fhir), label, source=fhir.name)
    else:
        table = resolve_data(data, target, dataset)
    y = require_target(table)
    model_name = default_model_name(name, dataset, data)
    predictor = make_predictor(
        family,
        settings,
        calibration=calibration,
        name=model_name,
        outcome=table.outcome or "outcome",
        population=_population(population or dataset),
    ).fit(table.features, y, record_mapping=mapping)
    predictor.save(out)
    return TrainSummary(
        name=model_name,
        family=family,
        n=len(table),
        events=int(y.sum()),
        path=str(out),
        columns=predictor.feature_names_in_,
        excluded=predictor.excluded_columns_,
        cutpoints=predictor.tier_cutpoints_,
        population=predictor.population_,
    )


def _population(name: str | None) -> Population | None:
    if name is None:
        return None
    found = population_for(name)
    if found is None:
        known = ", ".join(sorted(known_populations()))
        raise InputError(f"no population is recorded for {name!r}; known: {known}")
    return found


def load_for_prediction(folder: Path, settings: RiskSettings) -> DiseaseRiskPredictor:
    """A saved model with its own tier cut-points; the low-confidence threshold of settings."""
    model = DiseaseRiskPredictor.load(folder)
    model.low_confidence_missing_share = settings.low_confidence_missing_share
    return model


def tier_note(model: DiseaseRiskPredictor) -> str:
    """The model's tier cut-points and the rule that chose them, for reports."""
    cuts = model.tier_cutpoints_
    cite = f" Source: {cuts.source}" if cuts.source else ""
    return (
        f"Tier cut-points of this model: low below {cuts.low_below:.1%}, high from "
        f"{cuts.high_from:.1%} ({cuts.rule}); the threshold metrics are given at both.{cite}"
    )


def population_note(model: DiseaseRiskPredictor) -> str:
    """Who the model is for (or that no population was stated), for reports."""
    population = model.population_
    if population is None:
        return f"Population: {NOT_STATED}."
    return f"Population: {population.description} (source: {population.source})."


def _curves(
    pairs: dict[str, tuple[np.ndarray, np.ndarray]],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {k: (y, p) for k, (y, p) in pairs.items() if len(y)}


def evaluate_saved(
    folder: Path,
    *,
    data: Path | None,
    target: str | None,
    dataset: str | None,
    report_dir: Path | None,
    settings: RiskSettings,
) -> Metrics:
    """Evaluate a saved model on labelled data; optionally write the report folder."""
    model = load_for_prediction(folder, settings)
    table = resolve_data(data, target, dataset)
    metrics, p = evaluate_model(model, table, n_boot=settings.bootstrap)
    if report_dir is not None:
        y = require_target(table)
        baselines = baselines_for(table, list(table.features.columns), settings.bootstrap)
        ranked, sample_notes = importance(model, table, settings.importance_rows)
        report = Report(
            title=f"Validation of {model.name} ({model.family})",
            data=f"{table.source}: {len(table)} rows, outcome {table.outcome or target}",
            results=[metrics],
            baselines=baselines,
            importance={metrics.model: ranked},
            missing=missing_counts(model, table),
            notes=[
                tier_note(model),
                population_note(model),
                *comparison_notes(metrics, baselines),
                *sample_notes,
            ],
        )
        curves = {metrics.model: (y, p), **baseline_curves(baselines)}
        write_report(report, report_dir, curves=_curves(curves))
    return metrics


def cross_validate_data(
    *,
    data: Path | None,
    target: str | None,
    dataset: str | None,
    family: str,
    calibration: str,
    folds: int,
    repeats: int,
    report_dir: Path | None,
    settings: RiskSettings,
    on_fold: Callable[[], None] | None = None,
) -> CrossValidationResult:
    """Repeated stratified CV of one model family on one data set."""
    table = resolve_data(data, target, dataset)
    y = require_target(table)
    population = population_for(dataset) if dataset else None
    predictor = make_predictor(family, settings, calibration=calibration, population=population)
    result = cross_validate(
        predictor,
        table.features,
        y,
        model=family,
        folds=folds,
        repeats=repeats,
        groups=table.groups,
        on_fold=on_fold,
        n_boot=settings.bootstrap,
    )
    if report_dir is not None:
        baselines = baselines_for(table, list(table.features.columns), settings.bootstrap)
        write_report(
            Report(
                title=f"Cross-validation of {family} on {table.source}",
                data=f"{table.source}: {len(table)} rows, outcome {table.outcome}; "
                f"{repeats}x{folds}-fold stratified CV, preprocessing refitted in every fold",
                results=[result.pooled],
                cross_validation=[result],
                baselines=baselines,
                notes=comparison_notes(result.pooled, baselines),
            ),
            report_dir,
            curves={
                result.pooled.model: (y, np.asarray(result.out_of_fold)),
                **baseline_curves(baselines),
            },
        )
    return result


def external_validate(
    dataset: str,
    train_site: str,
    family: str,
    *,
    report_dir: Path | None,
    settings: RiskSettings,
) -> list[Metrics]:
    """Train on one site of a multi-site dataset and evaluate on each other site."""
    table: RiskData = from_dataset(dataset)
    site_values = table.groups.get("site")
    if site_values is None:
        raise InputError(f"dataset {dataset!r} has no site column")
    sites = [str(s) for s in site_values]
    if train_site not in set(sites):
        raise InputError(f"site {train_site!r} not in {dataset}; sites: {sorted(set(sites))}")
    y = require_target(table)
    population = population_for(dataset)
    predictor = make_predictor(
        family, settings, name=f"{dataset}-{train_site}", population=population
    )
    train_prevalence = float(np.mean(y[np.asarray(sites) == train_site]))
    cuts = choose_cutpoints(
        predictor.tier_rule,
        prevalence=train_prevalence,
        fixed=settings.cutpoints,
        multiples=settings.tier_prevalence_multiples,
    )
    fitted, results = external_validation(
        predictor,
        table.features,
        y,
        [str(s) for s in sites],
        train_site=train_site,
        model=family,
        cutpoints=cuts.pair,
        n_boot=settings.bootstrap,
    )
    if report_dir is not None:
        site_arr = np.asarray([str(s) for s in sites])
        curves: dict[str, Any] = {}
        for site in sorted(set(site_arr) - {train_site}):
            mask = site_arr == site
            part = table.subset(mask)
            curves[site] = (part.target, fitted.predict_proba(part.features)[:, 1])
        write_report(
            Report(
                title=f"External validation of {family}: trained on {train_site}",
                data=f"{dataset}: {len(table)} rows; each other site evaluated separately",
                results=results,
                notes=[tier_note(fitted)],
            ),
            report_dir,
            curves=curves,
        )
    return results
