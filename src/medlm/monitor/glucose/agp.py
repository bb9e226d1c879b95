"""The ambulatory glucose profile (AGP): percentile bands by time of day, as PNG and HTML.

The profile pools one patient's readings by time of day (each reading in its own UTC offset)
into fixed bins over 24 hours and gives the 5th, 25th, 50th, 75th and 95th percentiles of each
bin (numpy's linear interpolation between order statistics, no smoothing across bins; a bin
without readings has none). The plot shades the target range (knowledge/glucose/thresholds.yaml,
International Consensus on Time in Range) and carries the consensus metrics table. Drawing needs
matplotlib (the `reports` extra) and uses its Agg canvas directly: no display, no global backend.
Texts come from `label()`: English and Simplified Chinese (zh_CN) from the web app's message
catalogues; a zh_CN plot is drawn with a CJK font found by matplotlib's font manager, and refused
when the computer has none.
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

from medlm import i18n
from medlm.errors import InputError, MedlmError
from medlm.knowledge.glucose import load_glucose_thresholds
from medlm.monitor.glucose.metrics import CgmMetrics, cgm_metrics
from medlm.monitor.glucose.readings import GlucoseReading

PERCENTILES = (5, 25, 50, 75, 95)
LANGUAGES = ("en", "zh_CN")
# Label keys to English msgids of the catalogues (medlm/locales/*/messages.po, block
# "Ambulatory glucose profile"): the zh_CN catalogue holds their translations, checked against
# the reviewed glossary (knowledge/glossary/zh_cn.yaml) by the catalogue tests.
MSGIDS: dict[str, str] = {
    "title": "Ambulatory glucose profile",
    "time_of_day": "Time of day",
    "glucose": "Glucose (mg/dL)",
    "median": "Median",
    "iqr": "25th-75th percentile",
    "outer": "5th-95th percentile",
    "target": "Target range %(low)s-%(high)s mg/dL",
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
    "period": "%(start)s to %(end)s, %(days)s days",
    "headline": "%(title)s: %(period)s",
    "missing": "n/a",
    "no_font": "The plot needs a Chinese font, and none was found on this computer.",
}
_UNITS = {"mean_mg_dl": " mg/dL", "gmi": " %", "cv": " %", "sufficiency": " %"}
# CJK fonts the PNG may use for zh_CN, by matplotlib family name (the first one found is used;
# Debian's fonts-wqy-microhei provides the first)
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei")


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InputError(f"no AGP labels for language {language!r}; known: {list(LANGUAGES)}")


def label(key: str, language: str = "en", **values: Any) -> str:
    """The text for `key` in `language` (web catalogues), with `values` formatted per locale."""
    _check_language(language)
    text: str = i18n.gettext(language, MSGIDS[key])
    if not values:
        return text
    return text % {
        k: format_number(v, language, 1, trim=True) if isinstance(v, int | float) else str(v)
        for k, v in values.items()
    }


def format_number(value: float, language: str, digits: int, *, trim: bool = False) -> str:
    """`value` with `digits` decimals (at most, when `trim`) in the locale's number symbols."""
    numbers = importlib.import_module("babel.numbers")
    decimals = ("#" if trim else "0") * digits
    pattern = "#,##0" + (f".{decimals}" if digits else "")
    return str(numbers.format_decimal(value, format=pattern, locale=language))


def cjk_font() -> str | None:
    """The family name of a CJK font matplotlib can draw with (registering an installed one
    its font cache predates), or None when the computer has none."""
    fm = importlib.import_module("matplotlib.font_manager")
    known = {entry.name for entry in fm.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in known), None)
    if found is not None:
        return found
    for path in fm.findSystemFonts():
        try:
            name = fm.ttfFontProperty(fm.get_font(path)).name
        except (OSError, RuntimeError, ValueError):
            continue
        if name in CJK_FONTS:
            fm.fontManager.addfont(path)
            return str(name)
    return None


def _font_families(language: str) -> list[str]:
    """matplotlib's font.family for `language`; InputError when zh_CN has no CJK font."""
    if language == "en":
        return ["DejaVu Sans"]
    font = cjk_font()
    if font is None:
        raise InputError(
            f"the AGP plot in {language} needs a CJK font (e.g. Debian's fonts-wqy-microhei: "
            f"one of {', '.join(CJK_FONTS)}); none was found; the HTML report works without it"
        )
    return [font, "DejaVu Sans"]  # DejaVu for glyphs the CJK font lacks (the minus sign)


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
        digits = 0 if key == "readings" else 1
        text = (
            label("missing", language)
            if value is None
            else format_number(value, language, digits) + unit
        )
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
        dates = importlib.import_module("babel.dates")
        start, end = (
            dates.format_date(d.date(), "medium", locale=language) for d in (m.start, m.end)
        )
        period = label("period", language, start=start, end=end, days=round(days, 1))
        title = label("headline", language, title=label("title", language), period=period)
        fig.suptitle(title, fontsize=11)
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


def _png(profile: AgpProfile, language: str, target: Path | io.BytesIO) -> None:
    """Draw and save the AGP in `language`'s fonts (InputError when zh_CN has no CJK font)."""
    _check_language(language)
    families = _font_families(language)
    try:
        mpl = importlib.import_module("matplotlib")
    except ImportError:
        raise MedlmError("the AGP plot needs matplotlib: pip install 'medlm[reports]'") from None
    with mpl.rc_context({"font.family": families}):
        _figure(profile, language).savefig(target, format="png")


def render_png(profile: AgpProfile, path: Path, *, language: str = "en") -> Path:
    """Write the AGP plot with its metrics table to `path` (PNG) and return the path."""
    _check_language(language)
    _font_families(language)  # refuses before creating the folder
    path.parent.mkdir(parents=True, exist_ok=True)
    _png(profile, language, path)
    return path


def render_html(profile: AgpProfile, *, language: str = "en") -> str:
    """An HTML fragment for a report: the plot as an inline PNG and the metrics as a table."""
    title = html.escape(label("title", language))
    try:
        buffer = io.BytesIO()
        _png(profile, language, buffer)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        plot = f"<img alt='{title}' src='data:image/png;base64,{data}'>"
    except InputError:
        plot = f"<p class='agp-no-plot'>{html.escape(label('no_font', language))}</p>"
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in metrics_rows(profile, language)
    )
    head = f"<tr><th>{html.escape(label('metric', language))}</th>"
    head += f"<th>{html.escape(label('value', language))}</th></tr>"
    return (
        f"<section class='agp'><h2>{title}</h2>"
        f"{plot}"
        f"<table class='agp-metrics'>{head}{rows}</table></section>"
    )
