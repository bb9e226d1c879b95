"""`medlm monitor glucose`: consensus metrics, alerts and rejected lines from JSON lines."""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.knowledge.concepts import load_concepts
from medlm.records.units import convert_concept

T0 = datetime(2025, 3, 1, tzinfo=UTC)
METRICS = {
    "time_in_range", "time_below_70", "time_below_54", "time_above_180", "time_above_250",
    "mean_mg_dl", "gmi", "cv", "readings", "sufficiency",
}  # fmt: skip


def lines(values: list[float], unit: str = "mg/dL", pid: str = "p1", source: str = "cgm") -> str:
    return "".join(
        json.dumps(
            {
                "patient_id": pid,
                "time": (T0 + timedelta(minutes=5 * i)).isoformat(),
                "glucose": v,
                "unit": unit,
                "source": source,
            }
        )
        + "\n"
        for i, v in enumerate(values)
    )


def invoke(runner: CliRunner, text: str, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["monitor", "glucose", "--json", *args], input=text)
    return result.exit_code, json.loads(result.stdout)


def fourteen_days_mmol() -> list[float]:
    """SYNTHETIC: 14 days at 5 minutes in mmol/L to one decimal, as meters display it; a daily
    swing from about 3 to 15 mmol/L, with the bounds' mmol/L values placed every few hours."""
    values = []
    for i in range(14 * 288):
        mg = 160 + 105 * math.sin(2 * math.pi * i / 288) + 7 * math.sin(i / 7)
        values.append(round(mg / 18.016, 1))
    for i in range(0, len(values), 37):
        values[i] = (3.9, 3.0, 10.0, 13.9)[(i // 37) % 4]
    return values


def to_mg_dl(mmol: list[float]) -> list[float]:
    """The records boundary's conversion (the glucose concept's molar mass, 180.16 g/mol)."""
    glucose = load_concepts().observation("glucose")
    return [convert_concept(glucose, v, "mmol/L", "mg/dL") for v in mmol]


def consensus(values: list[float]) -> dict[str, float]:
    n = len(values)
    return {
        "time_in_range": 100 * sum(70 <= v <= 180 for v in values) / n,
        "time_below_70": 100 * sum(v < 70 for v in values) / n,
        "time_below_54": 100 * sum(v < 54 for v in values) / n,
        "time_above_180": 100 * sum(v > 180 for v in values) / n,
        "time_above_250": 100 * sum(v > 250 for v in values) / n,
        "mean_mg_dl": sum(values) / n,
    }


def test_the_boundary_converts_3_9_mmol_to_70_26_mg_dl() -> None:
    assert to_mg_dl([3.9])[0] == pytest.approx(70.26, abs=0.005)


@pytest.mark.slow  # reading 4032 lines through the records boundary takes a few seconds
def test_fourteen_day_trace_gives_the_consensus_metrics_within_a_tenth_point(
    runner: CliRunner, cli_env: Path
) -> None:
    mg = to_mg_dl(fourteen_days_mmol())
    code, out = invoke(runner, lines(mg))
    assert code == 0
    assert set(out) == {"metrics", "alerts", "rejected"} and set(out["metrics"]) == METRICS
    for key, value in consensus(mg).items():
        assert out["metrics"][key] == pytest.approx(value, abs=0.1), key
    assert out["metrics"]["readings"] == 14 * 288
    assert out["metrics"]["sufficiency"] == 100.0
    assert out["metrics"]["gmi"] == pytest.approx(3.31 + 0.02392 * consensus(mg)["mean_mg_dl"])
    assert 0 < out["metrics"]["time_below_54"] < out["metrics"]["time_below_70"]


@pytest.mark.slow
def test_the_same_trace_in_mmol_per_litre_gives_the_same_metrics(
    runner: CliRunner, cli_env: Path
) -> None:
    mmol = fourteen_days_mmol()
    _, in_mmol = invoke(runner, lines(mmol, unit="mmol/L"))
    _, in_mg = invoke(runner, lines(to_mg_dl(mmol)))
    assert in_mmol["metrics"] == in_mg["metrics"]
    assert in_mmol["alerts"] and [
        (a["time"], a["kind"], a["level"]) for a in in_mmol["alerts"]
    ] == [(a["time"], a["kind"], a["level"]) for a in in_mg["alerts"]]


def test_a_20_minute_run_at_50_mg_dl_raises_a_level_2_hypoglycaemia_alert(
    runner: CliRunner, cli_env: Path
) -> None:
    code, out = invoke(runner, lines([120, 100, 80, 50, 50, 50, 50, 50]))
    assert code == 0
    raised = [a for a in out["alerts"] if a["kind"] in ("raised", "escalated")]
    assert raised[-1]["response"] == "level 2 hypoglycaemia"
    assert raised[-1]["signal"] == "glucose" and raised[-1]["notify"] is True
    assert "below 54 mg/dL (ADA Standards of Care 2025, section 6), CGM" in raised[-1]["reason"]


def test_a_bad_line_is_rejected_by_line_and_field_and_the_rest_go_on(
    runner: CliRunner, cli_env: Path
) -> None:
    text = lines([100, 110]) + '{"patient_id":"p1","time":"2025-03-01T01:00:00Z","glucose":5,'
    text += '"unit":"mg/L"}\n'
    code, out = invoke(runner, text)
    assert code == 0
    (rejected,) = out["rejected"]
    assert (rejected["position"], rejected["field"]) == (3, "unit")
    assert out["metrics"]["readings"] == 2


def test_exits_1_when_every_line_is_invalid(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["monitor", "glucose", "--json"], input="not json\n{}\n")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["metrics"] is None and len(out["rejected"]) == 2


def test_several_patients_get_metrics_each_under_patients(runner: CliRunner, cli_env: Path) -> None:
    code, out = invoke(runner, lines([100, 200]) + lines([60, 60], pid="p2"))
    assert code == 0 and out["metrics"] is None
    assert set(out["patients"]) == {"p1", "p2"}
    assert out["patients"]["p2"]["time_below_70"] == 100.0
    assert out["patients"]["p1"]["time_above_180"] == 50.0


def test_table_mode_prints_metrics_alerts_and_the_disclaimer(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["monitor", "glucose"], input=lines([45], source="capillary"))
    assert result.exit_code == 0
    assert "time_in_range" in result.stdout and "hypoglycaemia" in result.stdout
    assert "raised" in result.stdout
    assert "not a medical device" in result.output


def test_a_trace_mixing_units_gives_the_metrics_of_its_mg_dl_values(
    runner: CliRunner, cli_env: Path
) -> None:
    mmol = [3.2, 4.4, 5.6, 7.8, 11.1, 14.4, 2.8, 6.1]
    mg = to_mg_dl(mmol)
    mixed = [json.loads(line) for line in lines(mmol, unit="mmol/L").splitlines()]
    for i in range(0, len(mixed), 2):
        mixed[i].update(glucose=mg[i], unit="mg/dL")
    _, out = invoke(runner, "".join(json.dumps(item) + "\n" for item in mixed))
    _, reference = invoke(runner, lines(mg))
    assert out["metrics"] == reference["metrics"]
    assert out["metrics"]["time_below_54"] == 12.5  # 2.8 mmol/L is 50.4 mg/dL


def test_mmol_bound_values_are_classified_by_their_converted_mg_dl_value(
    runner: CliRunner, cli_env: Path
) -> None:
    # 3.9 -> 70.26 (in range), 3.0 -> 54.05 (below 70 only), 10.0 -> 180.16 (above 180),
    # 13.9 -> 250.42 (above 250): medlm applies the mg/dL bounds after the exact conversion.
    _, out = invoke(runner, lines([3.9, 3.0, 10.0, 13.9], unit="mmol/L"))
    m = out["metrics"]
    assert (m["time_in_range"], m["time_below_70"], m["time_below_54"]) == (25.0, 25.0, 0.0)
    assert (m["time_above_180"], m["time_above_250"]) == (50.0, 25.0)


def one_day(pid: str = "p1", shift: float = 0.0) -> str:
    """SYNTHETIC: one day at 5 minutes, a smooth daily swing from about 70 to 230 mg/dL."""
    return lines([150 + shift + 80 * math.sin(2 * math.pi * i / 288) for i in range(288)], pid=pid)


def test_agp_writes_a_png_of_the_profile_and_keeps_the_json_report(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    image = pytest.importorskip("PIL.Image")
    path = tmp_path / "out" / "agp.png"
    code, out = invoke(runner, one_day(), "--agp", str(path))
    assert code == 0 and out["metrics"]["readings"] == 288
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with image.open(path) as png:
        width, height = png.size
        colours = png.convert("RGB").getcolors(maxcolors=1_000_000)
    assert width > 600 and height > 300
    assert colours is not None and len(colours) > 50  # bands, text and table, not a blank canvas


def test_html_writes_a_standalone_report_with_metrics_plot_alerts_and_disclaimer(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "report.html"
    code, out = invoke(runner, one_day(), "--html", str(path))
    assert code == 0 and out["alerts"]
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert f"{out['metrics']['time_in_range']:.1f} %" in page
    assert f"{out['metrics']['mean_mg_dl']:.1f} mg/dL" in page
    assert "data:image/png;base64," in page
    assert all(html.escape(alert["reason"]) in page for alert in out["alerts"])
    assert "not a medical device" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_agp_with_several_patients_is_an_error_naming_patient_and_writes_nothing(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    path = tmp_path / "agp.png"
    result = runner.invoke(
        app,
        ["monitor", "glucose", "--json", "--agp", str(path)],
        input=lines([100, 110]) + lines([120, 130], pid="p2"),
    )
    assert result.exit_code == 2
    assert "holds 2" in result.stderr and "--patient" in result.stderr
    assert result.stdout == "" and not path.exists()


def test_patient_chooses_whose_profile_and_report_are_drawn(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "p2.html"
    text = one_day("p1") + one_day("p2", shift=-30)
    code, out = invoke(runner, text, "--patient", "p2", "--html", str(path))
    _, alone = invoke(runner, one_day("p2", shift=-30))
    assert code == 0 and out["metrics"] == alone["metrics"]
    assert "patient p2" in path.read_text(encoding="utf-8")
    assert {a["patient_id"] for a in out["alerts"]} <= {"p2"}


def test_a_patient_with_no_reading_exits_1_and_names_the_patient(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(
        app, ["monitor", "glucose", "--patient", "nobody"], input=lines([100, 110])
    )
    assert result.exit_code == 1
    assert "'nobody'" in result.stderr


def test_an_unwritable_report_path_is_one_error_line(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(
        app,
        ["monitor", "glucose", "--json", "--html", str(blocker / "report.html")],
        input=lines([100, 110]),
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_lang_zh_cn_html_report_is_in_chinese_with_no_english_label_left(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "zh.html"
    code, out = invoke(runner, one_day(), "--html", str(path), "--lang", "zh_CN")
    assert code == 0 and out["alerts"]
    page = path.read_text(encoding="utf-8")
    assert "<html lang='zh-CN'>" in page
    for chinese in ("目标范围内时间", "平均血糖", "血糖警报", "免责声明", "并非医疗器械"):
        assert chinese in page
    assert f"{out['metrics']['time_in_range']:.1f} %" in page
    english = ("Time in range", "Mean glucose", "Glucose alerts", "Disclaimer", "Glucose report")
    assert [e for e in english if e in page] == []


def test_lang_zh_cn_agp_writes_a_png(runner: CliRunner, cli_env: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from medlm.monitor.glucose.agp import cjk_font

    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: fonts-wqy-microhei)")
    path = tmp_path / "zh.png"
    code, out = invoke(runner, one_day(), "--agp", str(path), "--lang", "zh_CN")
    assert code == 0 and out["metrics"]["readings"] == 288
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_lang_zh_cn_agp_without_a_cjk_font_is_one_error_line_and_writes_nothing(
    runner: CliRunner, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medlm.monitor.glucose import agp

    monkeypatch.setattr(agp, "cjk_font", lambda: None)
    path = tmp_path / "zh.png"
    result = runner.invoke(
        app,
        ["monitor", "glucose", "--json", "--agp", str(path), "--lang", "zh_CN"],
        input=one_day(),
    )
    assert result.exit_code == 2
    assert "CJK font" in result.stderr and "fonts-wqy-microhei" in result.stderr
    assert result.stdout == "" and not path.exists()


def test_an_unknown_lang_is_refused_naming_the_choices(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(
        app, ["monitor", "glucose", "--json", "--lang", "fr"], input=lines([100, 110])
    )
    assert result.exit_code == 2
    assert "'fr'" in result.stderr and "zh_CN" in result.stderr
