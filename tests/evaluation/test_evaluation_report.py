"""Report folders: report.json, report.html with the PNGs embedded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from medlm.evaluation.evaluate import evaluate_probabilities
from medlm.evaluation.report import Report, write_report


def test_report_folder_has_json_html_and_embedded_plots(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(0)
    p = rng.random(300)
    y = (rng.random(300) < p).astype(int)
    metrics = evaluate_probabilities(y, p, model="demo <model>", cutpoints=(0.1, 0.2), n_boot=100)
    write_report(Report(title="t", data="synthetic", results=[metrics]), tmp_path, {"m": (y, p)})
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["results"][0]["auroc"] == pytest.approx(metrics.auroc)
    assert sorted(saved["plots"]) == ["decision_curve.png", "reliability.png"]
    html = (tmp_path / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2
    assert "demo &lt;model&gt;" in html  # names are escaped
    assert (tmp_path / "reliability.png").read_bytes()[:4] == b"\x89PNG"
