"""The text demo: real MEDLINE abstracts and a labelled synthetic note, written as HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from medlm.text.demo import SYNTHETIC_NOTE, run_demo


@pytest.mark.slow
def test_demo_writes_html_with_real_abstracts_and_labelled_synthetic_note(tmp_path: Path) -> None:
    lines = run_demo(tmp_path)
    assert sum(line.startswith("real MEDLINE abstract PMID") for line in lines) == 3
    assert any(line.startswith("SYNTHETIC note") for line in lines)
    html = (tmp_path / "text-analysis.html").read_text(encoding="utf-8")
    assert "SYNTHETIC NOTE" in html and "PMID" in html and "<mark" in html
    assert SYNTHETIC_NOTE.startswith("SYNTHETIC NOTE")
    assert (tmp_path / "text-entities.jsonl").read_text(encoding="utf-8").count("\n") == 4
