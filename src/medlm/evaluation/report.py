"""An evaluation report folder: report.json, report.html with embedded plots, and the PNGs."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from medlm import DISCLAIMER
from medlm.evaluation.plots import decision_curve, reliability_plot
from medlm.evaluation.results import BaselineResult, CrossValidationResult, Metrics


class Report(BaseModel):
    """What a validation study reports (TRIPOD+AI performance items), ready to write."""

    title: str
    data: str = Field(description="Data set, split and outcome definition.")
    results: list[Metrics] = Field(default_factory=list)
    cross_validation: list[CrossValidationResult] = Field(default_factory=list)
    baselines: list[BaselineResult] = Field(default_factory=list)
    importance: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="model -> input -> mean |log-odds contribution|"
    )
    missing: dict[str, int] = Field(
        default_factory=dict,
        description="Missing values per input in the evaluation data (impossible zeros counted).",
    )
    notes: list[str] = Field(default_factory=list)
    plots: list[str] = Field(default_factory=list)
    disclaimer: str = DISCLAIMER


def write_report(
    report: Report, out: Path, curves: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
) -> Path:
    """Write report.json, report.html and (when matplotlib is present) the PNG plots."""
    out.mkdir(parents=True, exist_ok=True)
    if curves:
        for name, draw in (
            ("reliability.png", reliability_plot),
            ("decision_curve.png", decision_curve),
        ):
            if draw(curves, out / name) is not None and name not in report.plots:
                report.plots.append(name)
    (out / "report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    (out / "report.html").write_text(render_html(report, out), encoding="utf-8")
    return out


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _metrics_table(results: list[Metrics]) -> str:
    head = (
        "<tr><th>model</th><th>n</th><th>events</th><th>AUROC (95% CI)</th><th>AUPRC</th>"
        "<th>Brier</th><th>cal. intercept</th><th>cal. slope</th><th>ECE</th></tr>"
    )
    rows = [
        f"<tr><td>{html.escape(m.model)}</td><td>{m.n}</td><td>{m.events}</td>"
        f"<td>{m.auroc:.3f} ({m.auroc_ci[0]:.3f}–{m.auroc_ci[1]:.3f})</td><td>{m.auprc:.3f}</td>"
        f"<td>{m.brier:.3f}</td><td>{m.calibration_intercept:.2f}</td>"
        f"<td>{m.calibration_slope:.2f}</td><td>{m.ece:.3f}</td></tr>"
        for m in results
    ]
    return f"<table>{head}{''.join(rows)}</table>"


def _detail(m: Metrics) -> str:
    cuts = "".join(
        f"<tr><td>{t.threshold:.2f}</td><td>{_fmt(t.sensitivity)}</td><td>{_fmt(t.specificity)}</td>"
        f"<td>{_fmt(t.ppv)}</td><td>{_fmt(t.npv)}</td><td>{t.flagged}</td></tr>"
        for t in m.thresholds
    )
    subs = "".join(
        f"<tr><td>{html.escape(s.variable)}</td><td>{html.escape(s.group)}</td><td>{s.n}</td>"
        f"<td>{s.events}</td><td>{_fmt(s.auroc)}</td></tr>"
        for s in m.subgroups
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in m.notes)
    return (
        f"<h3>{html.escape(m.model)}</h3>"
        + (
            "<table><tr><th>cut-point</th><th>sensitivity</th><th>specificity</th><th>PPV</th>"
            f"<th>NPV</th><th>flagged</th></tr>{cuts}</table>"
            if cuts
            else ""
        )
        + (
            "<table><tr><th>subgroup</th><th>level</th><th>n</th><th>events</th>"
            f"<th>AUROC</th></tr>{subs}</table>"
            if subs
            else ""
        )
        + (f"<ul>{notes}</ul>" if notes else "")
    )


def render_html(report: Report, folder: Path) -> str:
    """A self-contained HTML page (plots embedded as base64 PNG)."""
    images = "".join(
        f'<img alt="{html.escape(name)}" src="data:image/png;base64,'
        f'{base64.b64encode((folder / name).read_bytes()).decode()}">'
        for name in report.plots
        if (folder / name).is_file()
    )
    cv_rows = "".join(
        f"<tr><td>{html.escape(c.model)}</td><td>{c.repeats}×{c.folds}</td>"
        f"<td>{c.auroc.mean:.3f} ± {c.auroc.sd:.3f}</td><td>{c.brier.mean:.3f}</td>"
        f"<td>{c.calibration_slope.mean:.2f} ± {c.calibration_slope.sd:.2f}</td></tr>"
        for c in report.cross_validation
    )
    importance = "".join(
        f"<h3>{html.escape(model)}</h3><ol>"
        + "".join(f"<li>{html.escape(k)}: {v:.3f}</li>" for k, v in list(values.items())[:10])
        + "</ol>"
        for model, values in report.importance.items()
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
    missing = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in report.missing.items()
    )
    baselines = "".join(
        f"<tr><td>{html.escape(b.score)}</td><td>{html.escape(b.version)}</td><td>{b.n}</td>"
        f"<td>{b.auroc:.3f} ({b.auroc_ci[0]:.3f}–{b.auroc_ci[1]:.3f})</td>"
        f"<td>{html.escape(', '.join(b.missing_items) or 'none')}</td>"
        f"<td>{html.escape(b.note)}</td></tr>"
        for b in report.baselines
    )
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px}"
        "img{max-width:48%;margin:1%}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(report.title)}"
        f"</title><style>{style}</style></head><body><h1>{html.escape(report.title)}</h1>"
        f"<p><em>{html.escape(report.disclaimer)}</em></p><p>{html.escape(report.data)}</p>"
        f"<h2>Held-out performance</h2>{_metrics_table(report.results)}"
        + (
            "<h2>Repeated stratified cross-validation</h2><table><tr><th>model</th>"
            "<th>repeats×folds</th><th>AUROC</th><th>Brier</th><th>cal. slope</th></tr>"
            f"{cv_rows}</table>"
            if cv_rows
            else ""
        )
        + (
            "<h2>Clinical scores on the same patients</h2><table><tr><th>score</th>"
            "<th>version</th><th>n</th><th>AUROC (95% CI)</th><th>missing items</th>"
            f"<th>note</th></tr>{baselines}</table>"
            if baselines
            else ""
        )
        + f"<h2>Plots</h2>{images or '<p>no plots (matplotlib not installed)</p>'}"
        + "<h2>Cut-points and subgroups</h2>"
        + "".join(_detail(m) for m in report.results)
        + (
            f"<h2>Global importance (mean |log-odds contribution|)</h2>{importance}"
            if importance
            else ""
        )
        + (
            "<h2>Missing values (imputed inside the model)</h2><table><tr><th>input</th>"
            f"<th>missing</th></tr>{missing}</table>"
            if missing
            else ""
        )
        + (f"<h2>Notes</h2><ul>{notes}</ul>" if notes else "")
        + "</body></html>"
    )


def report_json(report: Report) -> dict[str, object]:
    return dict(json.loads(report.model_dump_json()))
