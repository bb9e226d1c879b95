"""`medlm treat recommend` on whole generated US Core bundles and on a deceased patient."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app

carebundle = pytest.importorskip("carebundle")
AS_OF = "2026-06-01"


def _bundle(profile: str, seed: int = 7) -> dict[str, Any]:
    return json.loads(carebundle.to_json(carebundle.generate_bundle(profile=profile, seed=seed)))


@pytest.mark.parametrize("profile", ["type2_diabetes", "hypertension", "ckd_stage3"])
def test_recommend_json_exits_0_on_a_whole_generated_bundle(
    runner: CliRunner, cli_env: Path, tmp_path: Path, profile: str
) -> None:
    path = tmp_path / f"{profile}.json"
    path.write_text(json.dumps(_bundle(profile)))
    result = runner.invoke(app, ["treat", "recommend", str(path), "--json", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) >= {"recommendations", "issues", "missing"}


def test_a_deceased_patient_exits_2_naming_the_date(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    bundle = _bundle("hypertension")
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    patient["deceasedDateTime"] = "2024-02-29"
    path = tmp_path / "dead.json"
    path.write_text(json.dumps(bundle))
    result = runner.invoke(app, ["treat", "recommend", str(path), "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "died on 2024-02-29" in result.output
