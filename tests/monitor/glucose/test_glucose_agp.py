"""Ambulatory glucose profile: percentile bands by time of day, PNG and HTML fragment."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from medlm.errors import InputError
from medlm.monitor.glucose import agp
from medlm.monitor.glucose.agp import (
    MSGIDS,
    agp_profile,
    cjk_font,
    format_number,
    label,
    metrics_rows,
    render_html,
    render_png,
)
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


# Labels that must not survive in a zh_CN report (the English msgids of the AGP and the report).
ENGLISH_LABELS = [
    *(text for key, text in MSGIDS.items() if key not in ("target", "period", "missing")),
    "Target range",
    "Glucose report",
    "Glucose alerts",
    "No glucose alert",
    "Disclaimer",
    "not a medical device",
    "<th>Time</th>",
    "<th>Kind</th>",
    "<th>Level</th>",
    "<th>Reason</th>",
]


def _without_image(page: str) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)


def test_zh_cn_labels_come_from_the_catalogue_with_the_glossary_terms() -> None:
    assert label("time_in_range", "zh_CN") == "目标范围内时间 (70-180 mg/dL)"
    assert label("mean_mg_dl", "zh_CN") == "平均血糖"  # glossary: glucose is 血糖
    assert label("target", "zh_CN", low=70.0, high=180.0) == "目标范围 70-180 mg/dL"
    untranslated = [m for k, m in MSGIDS.items() if label(k, "zh_CN") == label(k, "en")]
    assert untranslated == []


def test_numbers_use_the_locales_symbols_and_a_fixed_number_of_decimals() -> None:
    assert format_number(4032, "en", 0) == "4,032"
    assert format_number(25.0, "zh_CN", 1) == "25.0"
    assert format_number(1234.56, "de", 1) == "1.234,6"  # a comma-decimal locale


def test_zh_cn_html_fragment_has_the_chinese_labels_and_no_english_one() -> None:
    fragment = render_html(agp_profile(five_days_of_steps()), language="zh_CN")
    assert "<h2>动态血糖图谱</h2>" in fragment
    assert "<th scope='row'>目标范围内时间 (70-180 mg/dL)</th><td>100.0 %</td>" in fragment
    assert "<th>指标</th><th>值</th>" in fragment
    text = _without_image(fragment)
    assert [e for e in ENGLISH_LABELS if e in text] == []


def test_zh_cn_report_page_translates_headings_alerts_table_and_disclaimer() -> None:
    from medlm import DISCLAIMER
    from medlm.monitor.alerts import VitalAlert
    from medlm.monitor.glucose.report import html_report

    profile = agp_profile(five_days_of_steps())
    alert = VitalAlert.model_construct(
        patient_id="p1", time=T0, kind="hypoglycaemia", level=2, notify=True, reason="r"
    )
    page = html_report(profile, [alert], disclaimer=DISCLAIMER, rejected=3, language="zh_CN")
    assert "<html lang='zh-CN'>" in page
    for chinese in ("血糖报告：患者 p1", "血糖警报", "免责声明", "<th>类型</th>", "<td>是</td>"):
        assert chinese in page
    assert "3 条读数被拒收" in page and "并非医疗器械" in page
    assert [e for e in ENGLISH_LABELS if e in _without_image(page)] == []


def test_zh_cn_png_is_drawn_with_a_cjk_font(tmp_path: Path) -> None:
    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: fonts-wqy-microhei)")
    from matplotlib.image import imread

    profile = agp_profile(five_days_of_steps())
    zh = render_png(profile, tmp_path / "zh.png", language="zh_CN")
    en = render_png(profile, tmp_path / "en.png")
    assert zh.read_bytes().startswith(PNG_MAGIC)
    zh_pixels, en_pixels = imread(zh), imread(en)
    assert zh_pixels.shape == en_pixels.shape
    assert abs(zh_pixels - en_pixels).sum() > 100  # the labels differ


def test_without_a_cjk_font_the_zh_cn_png_is_refused_and_the_html_has_no_plot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agp, "cjk_font", lambda: None)
    profile = agp_profile(five_days_of_steps())
    with pytest.raises(InputError, match="CJK font"):
        render_png(profile, tmp_path / "out" / "zh.png", language="zh_CN")
    assert not (tmp_path / "out").exists()
    fragment = render_html(profile, language="zh_CN")
    assert "data:image/png" not in fragment
    assert "此图需要中文字体" in fragment and "目标范围内时间" in fragment
