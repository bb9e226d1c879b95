"""The ambulatory glucose profile (AGP): percentile bands by time of day, as PNG and HTML.

The profile pools one patient's readings by time of day (each reading in its own UTC offset)
into fixed bins over 24 hours and gives the 5th, 25th, 50th, 75th and 95th percentiles of each
bin (numpy's linear interpolation between order statistics, no smoothing across bins; a bin
without readings has none). The plot shades the target range (knowledge/glucose/thresholds.yaml,
International Consensus on Time in Range) and carries the consensus metrics table. Drawing needs
matplotlib (the `reports` extra) and uses its Agg canvas directly: no display, no global backend.
Texts come from `label()`, so other languages can be added as catalogues.
"""

from __future__ import annotations

import base64
import html
import importlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from medlm.errors import InputError, MedlmError
from medlm.knowledge.glucose import load_glucose_thresholds
from medlm.monitor.glucose.metrics import CgmMetrics, cgm_metrics
from medlm.monitor.glucose.readings import GlucoseReading

PERCENTILES = (5, 25, 50, 75, 95)
_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Ambulatory glucose profile",
        "time_of_day": "Time of day",
        "glucose": "Glucose (mg/dL)",
        "median": "Median",
        "iqr": "25th-75th percentile",
        "outer": "5th-95th percentile",
        "target": "Target range {low:g}-{high:g} mg/dL",
        "metric": "Metric",
        "value": "Value",
        "time_in_range": "Time in range 70-180 mg/dL",
        "time_below_70": "Time below 70 mg/dL",
        "time_below_54": "Time below 54 mg/dL",
        "time_above_180": "Time above 180 mg/dL",
        "time_above_250": "Time above 250 mg/dL",
        "mean_mg_dl": "Mean glucose",
        "gmi": "Glucose management indicator",
        "cv": "Coefficient of variation",
        "sufficiency": "Readings of those expected",
        "readings": "Readings",
        "period": "{start} to {end}, {days:.1f} days",
    }
}
_UNITS = {"mean_mg_dl": " mg/dL", "gmi": " %", "cv": " %", "sufficiency": " %"}


def label(key: str, language: str = "en", **values: Any) -> str:
    """The text for `key` in `language`, formatted with `values`."""
    try:
        catalogue = _LABELS[language]
    except KeyError:
        known = sorted(_LABELS)
        raise InputError(f"no AGP labels for language {language!r}; known: {known}") from None
    return catalogue[key].format(**values)


class AgpBin(BaseModel):
    """Percentiles of the readings whose time of day falls in [minute, minute + bin width)."""

    minute: int = Field(ge=0, lt=24 * 60)
    readings: int
    p5: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p95: float | None


class AgpProfile(BaseModel):
    """One patient's AGP: the bins over 24 hours and the consensus metrics of the readings."""

    patient_id: str
    bin_minutes: int
    bins: list[AgpBin]
    metrics: CgmMetrics
    target_low: float
    target_high: float


def agp_profile(readings: Sequence[GlucoseReading], *, bin_minutes: int = 15) -> AgpProfile:
    """The AGP of one patient's readings (InputError when empty, mixed or the bin is odd)."""
    if not readings:
        raise InputError("an ambulatory glucose profile needs at least one reading")
    if bin_minutes <= 0 or (24 * 60) % bin_minutes:
        raise InputError(f"AGP bin of {bin_minutes} min does not divide 24 hours")
    numpy = importlib.import_module("numpy")
    metrics = cgm_metrics(readings)  # also refuses readings of several patients
    pooled: list[list[float]] = [[] for _ in range(24 * 60 // bin_minutes)]
    for reading in readings:
        minute = reading.time.hour * 60 + reading.time.minute
        pooled[minute // bin_minutes].append(reading.mg_dl)
    bins = []
    for index, values in enumerate(pooled):
        cuts = [float(v) for v in numpy.percentile(values, PERCENTILES)] if values else [None] * 5
        bins.append(
            AgpBin(
                minute=index * bin_minutes,
                readings=len(values),
                **{f"p{p}": c for p, c in zip(PERCENTILES, cuts, strict=True)},
            )
        )
    t = load_glucose_thresholds().metrics
    return AgpProfile(
        patient_id=readings[0].patient_id,
        bin_minutes=bin_minutes,
        bins=bins,
        metrics=metrics,
        target_low=t.in_range_low,
        target_high=t.in_range_high,
    )


def metrics_rows(profile: AgpProfile, language: str = "en") -> list[tuple[str, str]]:
    """The metrics table as (label, formatted value) rows."""
    m = profile.metrics.model_dump()
    rows = []
    for key in (
        "time_in_range", "time_below_70", "time_below_54", "time_above_180", "time_above_250",
        "mean_mg_dl", "gmi", "cv", "sufficiency", "readings",
    ):  # fmt: skip
        value = m[key]
        unit = _UNITS.get(key, "" if key == "readings" else " %")
        text = "n/a" if value is None else f"{value:.{0 if key == 'readings' else 1}f}{unit}"
        rows.append((label(key, language), text))
    return rows


def _figure(profile: AgpProfile, language: str) -> Any:
    """The AGP as a matplotlib Figure on an Agg canvas (MedlmError if matplotlib is missing)."""
    try:
        figure_mod = importlib.import_module("matplotlib.figure")
        agg = importlib.import_module("matplotlib.backends.backend_agg")
    except ImportError:
        raise MedlmError("the AGP plot needs matplotlib: pip install 'medlm[reports]'") from None
    fig = figure_mod.Figure(figsize=(11, 4.8), dpi=100)
    agg.FigureCanvasAgg(fig)
    ax = fig.add_axes((0.06, 0.12, 0.6, 0.78))
    _draw_bands(ax, profile, language)
    table_ax = fig.add_axes((0.69, 0.12, 0.3, 0.78))
    table_ax.axis("off")
    table = table_ax.table(
        cellText=[[v] for _, v in metrics_rows(profile, language)],
        rowLabels=[k for k, _ in metrics_rows(profile, language)],
        colLabels=[label("value", language)],
        loc="center right",
        colWidths=[0.35],
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    m = profile.metrics
    if m.start is not None and m.end is not None:
        days = (m.end - m.start).total_seconds() / 86400
        period = label("period", language, start=m.start.date(), end=m.end.date(), days=days)
        fig.suptitle(f"{label('title', language)}: {period}", fontsize=11)
    return fig


def _draw_bands(ax: Any, profile: AgpProfile, language: str) -> None:
    # x: bin centres in hours; an empty bin is NaN, which breaks the bands and the median line
    # there instead of drawing across hours without readings
    nan = float("nan")
    hours = [(b.minute + profile.bin_minutes / 2) / 60 for b in profile.bins]
    series = {
        p: [nan if (v := getattr(b, f"p{p}")) is None else v for b in profile.bins]
        for p in PERCENTILES
    }
    alone = [
        (h, m)
        for i, (h, m) in enumerate(zip(hours, series[50], strict=True))
        if m == m and all(series[50][j] != series[50][j] for j in (i - 1, (i + 1) % len(hours)))
    ]  # medians without a filled neighbour bin: drawn as points, a line needs two
    ax.axhspan(
        profile.target_low,
        profile.target_high,
        color="#d9f0d3",
        label=label("target", language, low=profile.target_low, high=profile.target_high),
    )
    ax.fill_between(hours, series[5], series[95], color="#9ecae1", alpha=0.6,
                    label=label("outer", language))  # fmt: skip
    ax.fill_between(hours, series[25], series[75], color="#3182bd", alpha=0.7,
                    label=label("iqr", language))  # fmt: skip
    ax.plot(hours, series[50], color="#08306b", linewidth=2, label=label("median", language))
    if alone:
        ax.plot(*zip(*alone, strict=True), "o", color="#08306b", markersize=4)
    for bound in (profile.target_low, profile.target_high):
        ax.axhline(bound, color="#31a354", linewidth=0.8)
    top = max([profile.target_high * 1.5, *(v for v in series[95] if v == v)])
    ax.set_xlim(0, 24)
    ax.set_ylim(0, min(top * 1.05, 450))
    ax.set_xticks(range(0, 25, 3))
    ax.set_xticklabels([f"{h:02d}:00" for h in range(0, 25, 3)])
    ax.set_xlabel(label("time_of_day", language))
    ax.set_ylabel(label("glucose", language))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)


def render_png(profile: AgpProfile, path: Path, *, language: str = "en") -> Path:
    """Write the AGP plot with its metrics table to `path` (PNG) and return the path."""
    fig = _figure(profile, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path


def render_html(profile: AgpProfile, *, language: str = "en") -> str:
    """An HTML fragment for a report: the plot as an inline PNG and the metrics as a table."""
    buffer = io.BytesIO()
    _figure(profile, language).savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    title = html.escape(label("title", language))
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in metrics_rows(profile, language)
    )
    head = f"<tr><th>{html.escape(label('metric', language))}</th>"
    head += f"<th>{html.escape(label('value', language))}</th></tr>"
    return (
        f"<section class='agp'><h2>{title}</h2>"
        f"<img alt='{title}' src='data:image/png;base64,{data}'>"
        f"<table class='agp-metrics'>{head}{rows}</table></section>"
    )
