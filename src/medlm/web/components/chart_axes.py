"""Tick choice for the SVG charts: which band edges label the value axis and which times label
the time axis, so that no two labels overlap.

Value axis: a chart labels the edges of its NEWS2 bands. Edges can lie a few units apart (systolic
BP: 90, 100, 110, 219), closer on screen than a label is tall, so the edges are taken in order
of closeness to the 0-point band (the normal range first, then outwards) and an edge is kept
only when it is at least `min_gap` pixels from every edge already kept.

Time axis: ticks fall on round hours of the ward's time zone (every 1, 2, 3, 6 or 12 hours, or
at midnight every 1, 2 or 7 days), the shortest step whose labels, estimated at the chart's font
size, neither overlap nor run off the chart. Without a zone (the de-identified chart, whose
times are hours before now) the window is split evenly.

Pure functions of numbers and datetimes: the chart module maps values and times to pixels.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise

STEPS_HOURS: tuple[int, ...] = (1, 2, 3, 6, 12, 24, 48, 168)
LABEL_GAP = 16.0  # least pixels between two time labels (a display choice, for legibility)


def edge_priority(points: Sequence[int]) -> list[int]:
    """For the edges between consecutive bands with these points, each edge's distance (in
    bands) from the nearest 0-point band: 0 for an edge of the normal range."""
    zeros = [i for i, p in enumerate(points) if p == 0] or [0]
    return [min(min(abs(i - z), abs(i + 1 - z)) for z in zeros) for i in range(len(points) - 1)]


def value_ticks(
    edges: Sequence[float], priority: Sequence[int], y: Callable[[float], float], min_gap: float
) -> list[float]:
    """The edges to label (ascending): by priority, then value; each at least `min_gap` pixels
    (`y` maps a value to pixels) from every edge kept before it."""
    kept: list[float] = []
    for _, edge in sorted(zip(priority, edges, strict=True)):
        if all(abs(y(edge) - y(other)) >= min_gap for other in kept):
            kept.append(edge)
    return sorted(kept)


def label_width(text: str, font_size: float) -> float:
    """A generous estimate of a label's width in pixels: a wide (CJK) character one em, any
    other character 0.62 em."""
    wide = sum(unicodedata.east_asian_width(c) in ("W", "F") for c in text)
    return font_size * (wide + 0.62 * (len(text) - wide))


def aligned_times(start: datetime, end: datetime, step_hours: int, zone: tzinfo) -> list[datetime]:
    """Times in [start, end] on round wall-clock hours of `zone`, `step_hours` apart (a step of
    24 hours or more falls on midnights)."""
    local = start.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(hours=step_hours)
    tick = midnight
    while tick.astimezone(start.tzinfo) < start:
        tick = tick + step
    ticks = []
    while tick.astimezone(start.tzinfo) <= end:
        ticks.append(tick)
        tick = tick + step
    return ticks


def _fits(
    xs: Sequence[float], labels: Sequence[str], font_size: float, left: float, right: float
) -> bool:
    spans = []
    for x, text in zip(xs, labels, strict=True):
        half = label_width(text, font_size) / 2
        if x - half < left or x + half > right:
            return False
        spans.append((x - half, x + half))
    return all(b[0] - a[1] >= LABEL_GAP for a, b in pairwise(spans))


@lru_cache(maxsize=64)
def time_ticks(
    start: datetime,
    end: datetime,
    zone: tzinfo,
    *,
    fmt: Callable[[datetime], str],
    font_size: float,
    plot: tuple[float, float],
    bounds: tuple[float, float],
) -> tuple[datetime, ...]:
    """The round local times to label: the shortest step whose labels fit within `bounds`
    (pixels) without overlapping; `plot` is the x range [start, end] maps onto. Labels that
    would run off the chart are dropped first. Cached: every chart of a page shares its axis."""
    span = (end - start).total_seconds() or 1.0

    def x(t: datetime) -> float:
        return plot[0] + (t - start).total_seconds() / span * (plot[1] - plot[0])

    shortest = label_width(fmt(start.astimezone(zone).replace(hour=0, minute=0)), font_size)
    most = (bounds[1] - bounds[0]) / (shortest + LABEL_GAP)  # no step with more labels fits
    for hours in STEPS_HOURS:
        if span / 3600 / hours > most + 1:
            continue
        ticks = aligned_times(start, end, hours, zone)
        labels = {t: fmt(t) for t in ticks}
        kept = [
            t
            for t in ticks
            if bounds[0] <= x(t) - label_width(labels[t], font_size) / 2
            and x(t) + label_width(labels[t], font_size) / 2 <= bounds[1]
        ]
        shown = [labels[t] for t in kept]
        if len(kept) >= 2 and _fits([x(t) for t in kept], shown, font_size, *bounds):
            return tuple(kept)
    return (start, end)


def even_times(start: datetime, end: datetime, count: int) -> list[datetime]:
    """`count + 1` times splitting [start, end] evenly."""
    step = (end - start) / count
    return [start + step * i for i in range(count + 1)]
