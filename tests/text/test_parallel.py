"""Parallel batches give the same output, in the same order, as one process."""

from __future__ import annotations

import json

import pytest

from medlm.text import MedicalTextAnalyzer
from medlm.text.batch import ExtractError, process_lines
from medlm.text.parallel import process_lines_parallel


def test_two_workers_match_one_process_with_error_line_numbers(
    analyzer: MedicalTextAnalyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("medlm.text.parallel.CHUNK", 3)
    lines = [json.dumps({"id": str(i), "text": f"No fever on day {i}."}) for i in range(7)]
    lines.insert(5, "{broken")
    serial = list(process_lines(lines, analyzer))
    parallel = list(process_lines_parallel(lines, analyzer, workers=2))
    assert parallel == [o.model_dump_json() for o in serial]
    (error,) = [o for o in serial if isinstance(o, ExtractError)]
    assert error.line == 6 and "line 6" in error.error
