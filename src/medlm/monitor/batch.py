"""Score vital-sign sets read by the records boundary: one output object per set, in order.

JSON lines are scored line by line (`score_lines`); a FHIR document (a Bundle or one
Observation) is scored set by set, a set being a patient's values taken at one time
(`score_records`). Every value the boundary or the monitor refused is reported beside its set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from medlm.knowledge.early_warning import News2Table, load_news2, load_plausibility
from medlm.monitor.observations import build_sets, vital_sets
from medlm.monitor.scoring import News2Result, score_news2
from medlm.monitor.vitals import VitalSigns, check_plausible
from medlm.records import IngestReport, Observation, Rejection
from medlm.records.vital_lines import SET_TYPE, read_vital_lines


def _rejected(rejections: list[Rejection]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json", include={"field", "value", "reason"}) for r in rejections]


def _time(vitals: VitalSigns) -> str:
    return vitals.time.isoformat().replace("+00:00", "Z")


def score_set(
    vitals: VitalSigns, table: News2Table, rejected: list[Rejection]
) -> tuple[dict[str, Any], News2Result]:
    """`{patient_id, time, news2, encounter_class?, rejected?}` for one set, and its NEWS2."""
    clean, implausible = check_plausible(vitals, load_plausibility())
    result = score_news2(clean, table)
    out: dict[str, Any] = {
        "patient_id": vitals.patient_id,
        "time": _time(vitals),
        "news2": result.model_dump(mode="json"),
    }
    if vitals.encounter_class:
        out["encounter_class"] = vitals.encounter_class
    if rejected or implausible:
        out["rejected"] = _rejected([*rejected, *implausible])
    return out, result


def score_lines(lines: Iterable[str], *, as_of: datetime | None = None) -> Iterator[dict[str, Any]]:
    """For each line: `{line, patient_id, time, news2, rejected?}` or `{line, error}`."""
    table = load_news2()
    report = read_vital_lines(lines, as_of=as_of)
    by_set: dict[str, list[Observation]] = {}
    for record in report.records:
        for obs in record.observations:
            by_set.setdefault(obs.group or "", []).append(obs)
    outputs: list[tuple[int, dict[str, Any]]] = []
    refused: dict[int, list[Rejection]] = {}  # values the boundary refused, by line
    for rejection in report.rejections:
        if rejection.position is None:
            continue
        if rejection.resource_type == SET_TYPE:  # the whole line
            error = {"line": rejection.position, "error": rejection.line()}
            outputs.append((rejection.position, error))
        else:
            refused.setdefault(rejection.position, []).append(rejection)
    for set_id, observations in by_set.items():
        line = int(set_id.removeprefix("line")) if set_id.startswith("line") else 0
        sets, rejected = build_sets(observations)
        rejected = [*refused.pop(line, []), *rejected]
        if not sets:
            reasons = "; ".join(r.reason for r in rejected) or "no value could be scored"
            outputs.append((line, {"line": line, "error": reasons}))
            continue
        out, _ = score_set(sets[0], table, rejected)
        outputs.append((line, {"line": line, **out}))
    for line, rejected in refused.items():  # lines none of whose values was kept
        reasons = "; ".join(r.reason for r in rejected)
        outputs.append((line, {"line": line, "error": reasons}))
    for _, out in sorted(outputs, key=lambda item: item[0]):
        yield out


def score_records(
    report: IngestReport, table: News2Table | None = None
) -> tuple[list[tuple[VitalSigns, News2Result, dict[str, Any]]], list[Rejection]]:
    """Each set of the report's records in time order (the set, its NEWS2, its output object),
    and every rejection not shown beside a set (the reader's, and values of no set)."""
    table = table or load_news2()
    sets, rejected = vital_sets(report.records)
    results = []
    shown: set[int] = set()
    for vitals in sets:
        own = [r for r in rejected if r.patient_id == vitals.patient_id and r.time == vitals.time]
        shown.update(id(r) for r in own)
        out, news2 = score_set(vitals, table, own)
        results.append((vitals, news2, out))
    return results, [*report.rejections, *(r for r in rejected if id(r) not in shown)]
