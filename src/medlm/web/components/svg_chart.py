"""Server-rendered SVG charts: a vital sign over a time window with its NEWS2 scoring bands
shaded behind the line, the aggregate NEWS2 strip, and a glucose line with its target range.

Every function is pure: typed points in, an SVG string out (`markupsafe.Markup`, so templates
insert it unescaped; every text inside is escaped here). Band edges come from the NEWS2
knowledge table (`medlm.knowledge.early_warning.load_news2`) and the glucose target range from
the glucose thresholds, never from this module. Labels go through a `label` function so the
page can translate them; times through a `format_time` function so they follow the locale,
with ticks on round hours of the ward's `time_zone`. Which band edges and times are labelled is
chosen so no two labels overlap (`chart_axes`); the plot area and axis texts are `svg_frame`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from html import escape
from itertools import pairwise

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from medlm.knowledge.early_warning import News2Table, Parameter
from medlm.web.components.chart_axes import edge_priority, value_ticks
from medlm.web.components.messages import N_
from medlm.web.components.svg_frame import (
    HEIGHT,
    INK,
    LABEL_HEIGHT,
    LEFT,
    RIGHT,
    STRIP_HEIGHT,
    WIDTH,
    Frame,
    num,
    time_axis,
    value_labels,
)

Label = Callable[[str], str]
TimeFormat = Callable[[datetime], str]

MAX_MARKERS = 200  # one marker per value up to this many values in the window
# Fills by NEWS2 points and by clinical-response level (presentation only; the page's CSS may
# override them). Light tints keep the line and the text above WCAG AA contrast.
BAND_FILL = {0: "#ffffff", 1: "#fff3b0", 2: "#ffd5a8", 3: "#ffb8b8"}
LEVEL_FILL = {0: "#9fd89f", 1: "#e0c200", 2: "#f08c00", 3: "#f08c00", 4: "#d63939"}
SERIES, TARGET_FILL = "#1a4d8f", "#d8f0d8"
# Message ids used inside f-strings (named so the extractor finds them).
NO_VALUES = N_("no values in this window")
VALUES = N_("values")
LATEST = N_("latest")
NO_SCORES = N_("no scores")
TARGET_RANGE = N_("Target range")


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One measured value at one time (a plain typed record: a week's chart draws thousands)."""

    time: datetime
    value: float


@dataclass(frozen=True, slots=True)
class ScorePoint:
    """The NEWS2 of one set: total (None for a partial set), partial total, response level."""

    time: datetime
    total: int | None
    partial_total: int
    level: int


class BandRange(BaseModel):
    """A shaded horizontal band: values in (low, high] score `points`; None is open-ended."""

    model_config = ConfigDict(frozen=True)

    low: float | None
    high: float | None
    points: int


def _same(text: str) -> str:
    return text


def _hhmm(value: datetime) -> str:
    return value.strftime("%d %b %H:%M")


def band_ranges(parameter: Parameter) -> list[BandRange]:
    """The parameter's numeric bands as ranges (a band covers (previous edge, its edge])."""
    ranges: list[BandRange] = []
    low: float | None = None
    for band in parameter.bands:
        high = band.max if band.max is not None else band.below
        ranges.append(BandRange(low=low, high=high, points=band.points))
        low = high
    return ranges


def _value_range(edges: Sequence[float], values: Sequence[float]) -> tuple[float, float]:
    """A y range that shows every band edge and every value, with a margin of a quarter of
    the edges' spread on each side (a display choice, not a clinical number)."""
    low, high = min([*edges, *values]), max([*edges, *values])
    margin = (max(edges) - min(edges)) * 0.25 if len(edges) > 1 else abs(high) * 0.1 or 1.0
    return low - margin, high + margin


def band_labels(frame: Frame, ranges: Sequence[BandRange]) -> list[float]:
    """The band edges the value axis labels: inside the frame, at least a label's height
    apart, the normal range's edges first (`chart_axes.value_ticks`)."""
    priority = edge_priority([band.points for band in ranges])
    edges = [(band.high, rank) for band, rank in zip(ranges, priority, strict=False)]
    inside = [(e, r) for e, r in edges if e is not None and frame.low < e < frame.high]
    return value_ticks(
        [e for e, _ in inside], [r for _, r in inside], frame.y, min_gap=LABEL_HEIGHT
    )


def _bands(frame: Frame, ranges: Sequence[BandRange], label: Label) -> list[str]:
    parts = []
    for band in ranges:
        low = frame.low if band.low is None else max(band.low, frame.low)
        high = frame.high if band.high is None else min(band.high, frame.high)
        if high <= low:
            continue
        top, bottom = frame.y(high), frame.y(low)
        title = label(N_("NEWS2 points")) + f": {band.points}"
        parts.append(
            f'<rect class="band band-{band.points}" data-points="{band.points}" '
            f'data-low="{num(band.low)}" data-high="{num(band.high)}" x="{LEFT}" '
            f'fill="{BAND_FILL.get(band.points, BAND_FILL[3])}" '
            f'y="{top:.1f}" width="{WIDTH - LEFT - RIGHT}" height="{bottom - top:.1f}">'
            f"<title>{escape(title)}</title></rect>"
        )
    return parts + value_labels(frame, band_labels(frame, ranges))


def _line(frame: Frame, points: Sequence[ChartPoint]) -> list[str]:
    inside = [p for p in points if frame.start <= p.time <= frame.end]
    if not inside:
        return []
    xy = [(frame.x(p.time), frame.y(p.value)) for p in inside]
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    parts = [
        f'<polyline class="series" fill="none" stroke="{SERIES}" stroke-width="1.5" '
        f'points="{coords}"/>'
    ]
    if len(inside) > MAX_MARKERS:  # a dense line: markers would only hide it
        return parts
    parts += [
        f'<circle class="point" data-value="{p.value:g}" cx="{x:.1f}" cy="{y:.1f}" r="2" '
        f'fill="{SERIES}"/>'
        for p, (x, y) in zip(inside, xy, strict=True)
    ]
    return parts


def _svg(title: str, description: str, height: int, body: Sequence[str], kind: str) -> Markup:
    return Markup(
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'font-size="11" fill="{INK}" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        f'<text class="chart-title" x="{LEFT}" y="14" font-size="13" font-weight="700" '
        f'aria-hidden="true">{escape(title)}</text>'
        f"{''.join(body)}</svg>"
    )


def _describe(title: str, points: Sequence[ChartPoint], unit: str, label: Label) -> str:
    if not points:
        return f"{title}: {label(NO_VALUES)}"
    count = f"{len(points)} {label(VALUES)}"
    return f"{title}: {count}; {label(LATEST)} {points[-1].value:g} {unit}"


def vital_chart(
    title: str,
    points: Sequence[ChartPoint],
    parameter: Parameter,
    start: datetime,
    end: datetime,
    *,
    label: Label = _same,
    format_time: TimeFormat = _hhmm,
    time_zone: tzinfo | None = None,
) -> Markup:
    """One vital sign's line over [start, end] with the parameter's NEWS2 bands behind it."""
    ranges = band_ranges(parameter)
    edges = [e for r in ranges for e in (r.low, r.high) if e is not None]
    low, high = _value_range(edges, [p.value for p in points])
    frame = Frame(start=start, end=end, low=low, high=high)
    body = [*_bands(frame, ranges, label), *time_axis(frame, format_time, label, time_zone)]
    body += _line(frame, points)
    unit = parameter.unit or ""
    return _svg(title, _describe(title, points, unit, label), HEIGHT, body, "vital")


def bar_width(frame: Frame, times: Sequence[datetime]) -> float:
    """A score bar's width: 80% of the closest spacing of two sets (bars never overlap), at
    most 80% of an even share of the plot, at least one pixel."""
    xs = sorted(frame.x(t) for t in times)
    share = (WIDTH - LEFT - RIGHT) / max(len(xs), 1)
    closest = min((b - a for a, b in pairwise(xs) if b > a), default=share)
    return max(1.0, 0.8 * min(share, closest))


def score_strip(
    scores: Sequence[ScorePoint],
    table: News2Table,
    start: datetime,
    end: datetime,
    *,
    label: Label = _same,
    format_time: TimeFormat = _hhmm,
    time_zone: tzinfo | None = None,
) -> Markup:
    """The aggregate NEWS2 of each set as a bar (height: the total over the table's aggregate
    range; class: the clinical-response level); a partial set is drawn hatched at its partial
    total."""
    low, high = table.aggregate_range
    frame = Frame(start=start, end=end, low=low, high=high, height=STRIP_HEIGHT)
    inside = [s for s in scores if start <= s.time <= end]
    width = bar_width(frame, [s.time for s in inside])
    body = []
    for score in inside:
        shown = score.total if score.total is not None else score.partial_total
        top, x = frame.y(shown), frame.x(score.time) - width / 2
        kind = f"level-{score.level}" if score.total is not None else "partial"
        body.append(
            f'<rect class="score {kind}" data-total="{num(score.total)}" x="{x:.1f}" '
            f'fill="{LEVEL_FILL.get(score.level, INK) if score.total is not None else "none"}" '
            f'stroke="{INK}" stroke-width="{0 if score.total is not None else 1}" '
            f'y="{top:.1f}" width="{width:.1f}" height="{frame.y(low) - top:.1f}"/>'
        )
    body += time_axis(frame, format_time, label, time_zone)
    title = label(N_("NEWS2 aggregate score"))
    totals = [s.total for s in inside if s.total is not None]
    description = (
        f"{title}: {label(LATEST)} {totals[-1]}" if totals else f"{title}: {label(NO_SCORES)}"
    )
    return _svg(title, description, STRIP_HEIGHT, body, "score")


def glucose_chart(
    points: Sequence[ChartPoint],
    target: tuple[float, float],
    start: datetime,
    end: datetime,
    *,
    label: Label = _same,
    format_time: TimeFormat = _hhmm,
    time_zone: tzinfo | None = None,
    unit: str = "mg/dL",
) -> Markup:
    """Glucose over [start, end] with the target range `target` (from the glucose thresholds
    knowledge) shaded; values and target in `unit`."""
    low, high = _value_range(list(target), [p.value for p in points])
    frame = Frame(start=start, end=end, low=max(0.0, low), high=high)
    top, bottom = frame.y(target[1]), frame.y(target[0])
    body = [
        f'<rect class="band target" data-low="{target[0]:g}" data-high="{target[1]:g}" '
        f'x="{LEFT}" y="{top:.1f}" width="{WIDTH - LEFT - RIGHT}" height="{bottom - top:.1f}" '
        f'fill="{TARGET_FILL}"><title>{escape(label(TARGET_RANGE))}</title></rect>',
        *value_labels(frame, value_ticks(target, [0, 0], frame.y, min_gap=LABEL_HEIGHT)),
    ]
    body += time_axis(frame, format_time, label, time_zone)
    body += _line(frame, points)
    title = label(N_("Glucose"))
    return _svg(title, _describe(title, points, unit, label), HEIGHT, body, "glucose")


def window(end: datetime, hours: int) -> tuple[datetime, datetime]:
    """The [start, end] of a window of `hours` ending at `end`."""
    return end - timedelta(hours=hours), end
