"""Score a stream of JSON-lines vital-sign sets, one output object per input line, in order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from medlm.errors import InputError
from medlm.knowledge.early_warning import load_news2, load_plausibility
from medlm.monitor.inputs import read_json_lines
from medlm.monitor.scoring import score_news2
from medlm.monitor.vitals import check_plausible


def score_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """For each line: `{patient_id, time, news2, rejected?}` or `{line, error}`; never stops."""
    table, limits = load_news2(), load_plausibility()
    for line_no, item in read_json_lines(lines):
        if isinstance(item, InputError):
            yield {"line": line_no, "error": str(item)}
            continue
        clean, rejected = check_plausible(item, limits)
        result = score_news2(clean, table)
        out: dict[str, Any] = {
            "patient_id": item.patient_id,
            "time": item.time.isoformat().replace("+00:00", "Z"),
            "news2": result.model_dump(mode="json"),
        }
        if rejected:
            out["rejected"] = [
                r.model_dump(mode="json", include={"parameter", "value", "reason"})
                for r in rejected
            ]
        yield out
