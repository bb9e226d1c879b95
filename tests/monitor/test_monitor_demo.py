"""The monitoring demo runs on the packaged data and writes its plot."""

from __future__ import annotations

from pathlib import Path

import pytest

from medlm.monitor.demo import run_demo


def test_demo_summarises_both_policies_and_writes_the_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    lines = run_demo(tmp_path)
    assert any(line.startswith("medlm policy") for line in lines)
    assert any(line.startswith("naive policy") for line in lines)
    assert "SYNTHETIC" in lines[0]
    plot = tmp_path / "monitor_deterioration.png"
    assert plot.stat().st_size > 10_000
