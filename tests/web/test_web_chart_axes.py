"""Chart axes: value labels (band edges) at least a label's height apart on every vital-sign chart
and the glucose chart; time labels on round local hours that never overlap or run off the chart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import combinations, pairwise
from zoneinfo import ZoneInfo

import pytest

from medlm.knowledge.early_warning import load_news2
from medlm.knowledge.glucose import load_glucose_thresholds
from medlm.web.components.chart_axes import edge_priority, label_width, value_ticks
from medlm.web.components.local_time import LocalTime
from medlm.web.components.svg_chart import ChartPoint, bar_width, glucose_chart, vital_chart
from medlm.web.components.svg_frame import (
    FONT_SIZE,
    LABEL_HEIGHT,
    LEFT,
    RIGHT,
    WIDTH,
    Frame,
    axis_times,
)

END = datetime(2026, 12, 4, 17, 3, tzinfo=UTC)
# The NEWS2 parameters with numeric bands (every one the chart draws a line for).
VITAL_PARAMETERS = sorted(
    name
    for name, parameter in load_news2().parameters.items()
    if any(b.max is not None or b.below is not None for b in parameter.bands)
)
_VALUE_TICK = re.compile(r'<text class="tick value-tick" x="[\d.]+" y="([\d.]+)"[^>]*>([^<]+)<')


def value_labels(svg: str) -> list[tuple[float, str]]:
    return [(float(y), text) for y, text in _VALUE_TICK.findall(svg)]


@pytest.mark.parametrize("name", VITAL_PARAMETERS)
def test_no_two_value_labels_of_a_vital_chart_are_closer_than_their_height(name: str) -> None:
    parameter = load_news2().parameters[name]
    svg = vital_chart(name, [], parameter, END - timedelta(hours=24), END)
    ys = [y for y, _ in value_labels(svg)]
    assert ys, f"{name}: no value labels"
    assert all(abs(a - b) >= LABEL_HEIGHT for a, b in combinations(ys, 2)), (name, ys)


def test_systolic_bp_labels_the_normal_range_edges_and_drops_the_crowded_100() -> None:
    parameter = load_news2().parameters["systolic_bp"]
    svg = vital_chart("SBP", [], parameter, END - timedelta(hours=24), END)
    assert [text for _, text in value_labels(svg)] == ["90", "110", "219"]


def test_edges_nearest_the_zero_point_band_come_first() -> None:
    assert edge_priority([3, 2, 1, 0, 3]) == [2, 1, 0, 0]


def test_value_ticks_keep_an_edge_only_when_it_clears_every_kept_edge() -> None:
    ticks = value_ticks([90, 100, 110, 219], [2, 1, 0, 0], lambda v: -v, min_gap=12)
    assert ticks == [90, 110, 219]
    assert value_ticks([90, 100], [0, 0], lambda v: -v, min_gap=5) == [90, 100]


@pytest.mark.parametrize("highest", [150.0, 600.0])
def test_glucose_chart_labels_both_target_edges_apart(highest: float) -> None:
    metrics = load_glucose_thresholds().metrics
    target = (metrics.in_range_low, metrics.in_range_high)
    points = [ChartPoint(time=END - timedelta(hours=1), value=highest)]
    labels = value_labels(glucose_chart(points, target, END - timedelta(hours=24), END))
    assert [text for _, text in labels] == [f"{target[0]:g}", f"{target[1]:g}"]
    assert abs(labels[0][0] - labels[1][0]) >= LABEL_HEIGHT


@pytest.mark.parametrize("hours", [24, 72, 168])
@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_time_labels_fall_on_local_round_hours_and_never_overlap(
    hours: int, locale: str, zone: str
) -> None:
    times = LocalTime(locale, ZoneInfo(zone))
    frame = Frame(start=END - timedelta(hours=hours), end=END, low=0, high=1)
    ticks = axis_times(frame, times.tick, times.zone)
    assert len(ticks) >= 3
    spans = []
    for tick in ticks:
        local = tick.astimezone(ZoneInfo(zone))
        assert (local.minute, local.second) == (0, 0)
        half = label_width(times.tick(tick), FONT_SIZE) / 2
        spans.append((frame.x(tick) - half, frame.x(tick) + half))
    assert all(left >= 0 and right <= WIDTH for left, right in spans)
    assert all(b[0] > a[1] for a, b in pairwise(spans))


def test_without_a_zone_the_window_is_split_evenly() -> None:
    frame = Frame(start=END - timedelta(hours=24), end=END, low=0, high=1)
    ticks = axis_times(frame, lambda t: "x", None)
    assert ticks == [END - timedelta(hours=24 - 6 * i) for i in range(5)]


def test_a_cjk_label_is_estimated_wider_than_the_same_count_of_digits() -> None:
    assert label_width("12月4日", 10) > label_width("12345", 10)


def test_score_bars_of_sets_30_minutes_apart_do_not_overlap() -> None:
    frame = Frame(start=END - timedelta(hours=24), end=END, low=0, high=20)
    times = [END - timedelta(minutes=30 * i) for i in range(12)]
    spacing = frame.x(times[0]) - frame.x(times[1])
    assert bar_width(frame, times) == pytest.approx(0.8 * spacing)
    assert bar_width(frame, [END]) == pytest.approx(0.8 * (WIDTH - LEFT - RIGHT))
