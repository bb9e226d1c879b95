"""`medlm monitor score`: a summary on stderr and the exit status say how much could be scored;
a refused value shows as rejected, not as missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app

SET = {
    "patient_id": "p1", "time": "2026-01-01T08:00:00Z", "respiratory_rate": 18, "spo2": 97,
    "on_oxygen": False, "systolic_bp": 120, "heart_rate": 80, "consciousness": "A",
    "temperature_c": 37.0,
}  # fmt: skip


def _score(runner: CliRunner, lines: list[str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app,
        ["monitor", "score", *args],
        input="\n".join(lines) + "\n",
        env={"COLUMNS": "400"},  # a wide table: no cell is wrapped
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [[], ["--json"]])
def test_no_scorable_line_exits_1_with_a_summary_on_stderr(
    runner: CliRunner, cli_env: Path, args: list[str]
) -> None:
    code, _, err = _score(runner, ["{not json", '{"x": 1}', "[1]"], *args)
    assert code == 1
    assert "none of the 3 input lines could be scored" in err


def test_empty_input_exits_1_saying_there_is_no_set(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["monitor", "score"], input="")
    assert result.exit_code == 1
    assert "no vital-sign set" in result.stderr


@pytest.mark.parametrize("args", [[], ["--json"]])
def test_some_unscorable_lines_exit_0_with_a_warning_counting_them(
    runner: CliRunner, cli_env: Path, args: list[str]
) -> None:
    code, out, err = _score(
        runner, [json.dumps(SET), "{not json", json.dumps(SET | {"patient_id": "p2"})], *args
    )
    assert code == 0
    assert "1 of 3 input lines could not be scored" in err
    assert "p2" in out


def test_every_line_scored_gives_no_warning(runner: CliRunner, cli_env: Path) -> None:
    code, _, err = _score(runner, [json.dumps(SET)])
    assert code == 0
    assert "warning" not in err and "error" not in err


def test_the_fhir_output_with_no_set_exits_1_with_an_error_line(
    runner: CliRunner, cli_env: Path
) -> None:
    code, _, err = _score(runner, ["{not json"], "--fhir")
    assert code == 1
    assert "no vital-sign set could be scored" in err


def test_a_rejected_heart_rate_shows_as_rejected_with_its_reason_not_as_missing(
    runner: CliRunner, cli_env: Path
) -> None:
    code, out, err = _score(runner, [json.dumps(SET | {"heart_rate": 900})])
    assert code == 0
    assert "missing pulse" not in out
    assert "pulse 900 /min rejected" in out
    assert "plausible range" in out
    assert "1 value(s) rejected" in err


def test_rejected_and_missing_values_are_told_apart(runner: CliRunner, cli_env: Path) -> None:
    line = SET | {"heart_rate": 900}
    del line["respiratory_rate"]
    code, out, _ = _score(runner, [json.dumps(line)])
    assert code == 0
    assert "(pulse 900 /min rejected; missing respiration_rate)" in out
