"""Ambulatory glucose profile: percentile bands by time of day, PNG and HTML fragment."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from medlm.errors import InputError
from medlm.monitor.glucose.agp import agp_profile, label, metrics_rows, render_html, render_png
from medlm.monitor.glucose.readings import GlucoseReading

T0 = datetime(2026, 3, 2, tzinfo=UTC)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def reading(time: datetime, mg_dl: float, pid: str = "p1") -> GlucoseReading:
    return GlucoseReading(patient_id=pid, time=time, mg_dl=mg_dl, source="cgm")


def five_days_of_steps() -> list[GlucoseReading]:
    """Day d (0-4) reads 100 + 10 d all day, every 5 minutes; day 2 has no night (00-06)."""
    out = []
    for day in range(5):
        for k in range(288):
            time = T0 + timedelta(days=day, minutes=5 * k)
            if day == 2 and time.hour < 6:
                continue
            out.append(reading(time, 100.0 + 10 * day))
    return out


def test_percentiles_per_bin_are_those_of_the_days_pooled_by_time_of_day() -> None:
    profile = agp_profile(five_days_of_steps(), bin_minutes=30)
    assert len(profile.bins) == 48
    noon = profile.bins[24]
    assert (noon.minute, noon.readings) == (12 * 60, 5 * 6)
    # values 100, 110, 120, 130, 140 six times each: numpy's linear percentiles
    assert (noon.p5, noon.p25, noon.p50, noon.p75, noon.p95) == pytest.approx(
        (100.0, 110.0, 120.0, 130.0, 140.0)
    )
    night = profile.bins[2]  # 01:00-01:30 lacks day 2 (120): 100, 110, 130, 140
    assert night.readings == 4 * 6
    assert night.p50 == pytest.approx(120.0)
    assert night.p25 == pytest.approx(107.5)  # rank 0.25 x 23 = 5.75: between 100 and 110
    assert (profile.target_low, profile.target_high) == (70, 180)


def test_empty_bins_have_no_percentiles_and_time_of_day_is_the_readings_own() -> None:
    plus2 = timezone(timedelta(hours=2))
    profile = agp_profile([reading(datetime(2026, 3, 2, 23, 55, tzinfo=plus2), 90.0)])
    filled = [b for b in profile.bins if b.readings]
    assert [(b.minute, b.p50) for b in filled] == [(23 * 60 + 45, 90.0)]
    assert profile.bins[0].p50 is None and profile.bins[0].p5 is None


def test_metrics_table_formats_percentages_units_and_count() -> None:
    values = [50.0, 60.0, 100.0, 200.0]
    readings = [reading(T0 + timedelta(minutes=5 * i), v) for i, v in enumerate(values)]
    rows = dict(metrics_rows(agp_profile(readings)))
    assert rows["Time in range 70-180 mg/dL"] == "25.0 %"
    assert rows["Time below 70 mg/dL"] == "50.0 %"
    assert rows["Time below 54 mg/dL"] == "25.0 %"
    assert rows["Mean glucose"] == "102.5 mg/dL"
    assert rows["Readings"] == "4"


def test_png_is_written_and_carries_a_drawn_plot(tmp_path: Path) -> None:
    from matplotlib.image import imread

    path = render_png(agp_profile(five_days_of_steps()), tmp_path / "agp" / "p1.png")
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 20_000
    pixels = imread(path)
    assert pixels.shape[:2] == (480, 1100)
    assert pixels[..., :3].std() > 0.1  # not a blank canvas


def test_html_fragment_inlines_the_png_and_the_metrics_table() -> None:
    fragment = render_html(agp_profile(five_days_of_steps()))
    match = re.search(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", fragment)
    assert match is not None
    assert base64.b64decode(match.group(1)).startswith(PNG_MAGIC)
    assert "<th scope='row'>Time in range 70-180 mg/dL</th><td>100.0 %</td>" in fragment
    assert fragment.startswith("<section class='agp'><h2>Ambulatory glucose profile</h2>")


def test_labels_come_from_a_catalogue_and_unknown_languages_are_refused() -> None:
    assert label("target", low=70, high=180) == "Target range 70-180 mg/dL"
    with pytest.raises(InputError, match="'zh'"):
        label("title", "zh")


@pytest.mark.parametrize(
    ("readings", "bin_minutes", "message"),
    [
        ([], 15, "at least one reading"),
        ([reading(T0, 100.0)], 7, "7 min"),
        ([reading(T0, 100.0), reading(T0, 110.0, pid="p2")], 15, "2 patients"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(
    readings: list[GlucoseReading], bin_minutes: int, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        agp_profile(readings, bin_minutes=bin_minutes)


def test_sparse_readings_with_empty_and_isolated_bins_still_render(tmp_path: Path) -> None:
    times = [T0 + timedelta(hours=h) for h in (3, 8, 8.5, 15)]  # 03:00 and 15:00 stand alone
    readings = [reading(t, 60.0 + 10 * i) for i, t in enumerate(times)]
    profile = agp_profile(readings, bin_minutes=30)
    assert sum(b.readings > 0 for b in profile.bins) == 4
    path = render_png(profile, tmp_path / "sparse.png")
    assert path.read_bytes().startswith(PNG_MAGIC)
