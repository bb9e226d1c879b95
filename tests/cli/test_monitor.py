"""`medlm monitor score` and `medlm monitor replay` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medlm.cli.app import app

ACCEPTANCE = (
    '{"patient_id":"p1","time":"2026-01-01T08:00:00Z","respiratory_rate":22,"spo2":95,'
    '"on_oxygen":false,"systolic_bp":105,"heart_rate":112,"consciousness":"A",'
    '"temperature_c":38.4}'
)


def test_score_acceptance_line_is_total_7_with_emergency_response(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["monitor", "score", "--json"], input=ACCEPTANCE + "\n")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip())
    news2 = out["news2"]
    assert (out["patient_id"], out["time"]) == ("p1", "2026-01-01T08:00:00Z")
    assert news2["total"] == 7
    assert news2["subscores"] == {
        "respiration_rate": 2,
        "spo2": 1,
        "air_or_oxygen": 0,
        "systolic_bp": 1,
        "pulse": 2,
        "consciousness": 0,
        "temperature": 1,
    }
    assert news2["response"] == "emergency response"
    assert news2["risk"] == "high"


def test_score_reports_bad_lines_and_keeps_going_in_order(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    missing_rr = json.loads(ACCEPTANCE) | {"patient_id": "p2", "respiratory_rate": None}
    lines = [ACCEPTANCE, "{not json", json.dumps(missing_rr), '{"patient_id":"p3"}']
    path = tmp_path / "vitals.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["monitor", "score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    outs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outs) == 4
    assert outs[0]["news2"]["total"] == 7
    assert outs[1]["line"] == 2 and "not valid JSON" in outs[1]["error"]
    assert outs[2]["news2"]["total"] is None and outs[2]["news2"]["risk"] is None
    assert outs[2]["news2"]["missing"] == ["respiration_rate"]
    assert outs[3]["line"] == 4 and "time" in outs[3]["error"]


def test_score_rejects_impossible_values_with_a_reason(runner: CliRunner, cli_env: Path) -> None:
    line = json.loads(ACCEPTANCE) | {"heart_rate": 400, "spo2": 120}
    result = runner.invoke(app, ["monitor", "score", "--json"], input=json.dumps(line))
    out = json.loads(result.stdout)
    assert {r["field"] for r in out["rejected"]} == {"heart_rate", "spo2"}
    assert out["news2"]["total"] is None and set(out["news2"]["missing"]) == {"pulse", "spo2"}


def test_score_missing_file_is_one_error_line(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["monitor", "score", "/no/such/file.jsonl"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_score_table_output_names_the_response(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["monitor", "score"], input=ACCEPTANCE)
    assert result.exit_code == 0
    assert "emergency response" in result.stdout


def test_replay_scenarios_reports_both_policies_side_by_side(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["monitor", "replay", "--scenarios", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    medlm, naive = report["reports"]
    assert (medlm["policy"], naive["policy"]) == ("medlm", "naive")
    assert medlm["paging_alerts"] < naive["paging_alerts"]
    assert medlm["detected"] == medlm["deteriorating"] == 15
    assert medlm["alerts_on_stable"] == 0
    assert any("SYNTHETIC" in s for s in report["sources"])


def test_replay_cdisc_vitals_dataset(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["monitor", "replay", "--dataset", "cdisc-vitals", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sets"] > 8000 and not report["synthetic_detection"]
    assert report["reports"][0]["patients"] == 254


def test_replay_file_and_no_input_error(runner: CliRunner, cli_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text(ACCEPTANCE + "\nnot json\n")
    result = runner.invoke(app, ["monitor", "replay", str(path), "--json"])
    report = json.loads(result.stdout)
    assert report["sets"] == 1 and len(report["input_errors"]) == 1
    assert report["reports"][0]["paging_alerts"] == 1
    missing = runner.invoke(app, ["monitor", "replay"])
    assert missing.exit_code == 2 and "--scenarios" in missing.output


def _bundle() -> dict[str, object]:
    def obs(rid: str, code: str, value: float, unit: str) -> dict[str, object]:
        return {"fullUrl": f"urn:uuid:{rid}", "resource": {
            "resourceType": "Observation", "id": rid, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": "urn:uuid:p1"}, "effectiveDateTime": "2026-01-01T08:00:00Z",
            "valueQuantity": {"value": value, "unit": unit, "code": unit,
                              "system": "http://unitsofmeasure.org"}}}  # fmt: skip

    return {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p1", "resource": {"resourceType": "Patient", "id": "p1"}},
        obs("rr", "9279-1", 30, "/min"), obs("hr", "8867-4", 125, "/min"),
        obs("temp", "8331-1", 98.6, "[degF]"), obs("sbp", "8480-6", 85, "mm[Hg]"),
        obs("sat", "59408-5", 88, "%"),
    ]}  # fmt: skip


def test_score_reads_a_fhir_bundle_and_scores_its_set(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_bundle()))
    result = runner.invoke(app, ["monitor", "score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [out] = [json.loads(line) for line in result.stdout.splitlines()]
    assert out["news2"]["partial_total"] == 3 + 2 + 0 + 3 + 3
    assert sorted(out["news2"]["missing"]) == ["air_or_oxygen", "consciousness"]


def test_score_fhir_writes_a_bundle_of_news2_and_detected_issues(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["monitor", "score", "--fhir"], input=ACCEPTANCE + "\n")
    assert result.exit_code == 0, result.output
    bundle = json.loads(result.stdout)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Observation", "DetectedIssue"]
    assert bundle["entry"][0]["resource"]["valueInteger"] == 7


def test_score_exits_1_when_no_line_could_be_scored(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["monitor", "score", "--json"], input="{not json\n[1]\n")
    assert result.exit_code == 1
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 2]
