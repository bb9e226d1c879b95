"""Each job maps a chunk to outputs and per-record rejects; one bad record never stops the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from medlm.batch.jobs import make_job
from medlm.errors import InputError


def _items(records: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return list(enumerate(records, start=1))


def test_risk_job_rejects_a_non_number_by_field_and_scores_the_others(
    pima_model: Path, pima_rows: list[dict[str, Any]]
) -> None:
    job = make_job("risk", {"model": str(pima_model)})
    job.setup()
    bad = {**pima_rows[1], "Glucose": "high"}
    result = job.process(_items([pima_rows[0], bad, pima_rows[2]]), "line")
    assert [o["id"] for o in result.outputs] == ["pima-0001", "pima-0003"]
    (reject,) = result.rejects
    assert (reject.id, reject.line, reject.field) == ("pima-0002", 2, "Glucose")
    assert "'high' is not a number" in reject.error


def test_risk_job_isolates_a_value_the_model_refuses(
    pima_model: Path, pima_rows: list[dict[str, Any]]
) -> None:
    job = make_job("risk", {"model": str(pima_model)})
    job.setup()
    huge = {**pima_rows[1], "Insulin": 1e300}
    result = job.process(_items([pima_rows[0], huge, pima_rows[2]]), "row")
    assert [o["row"] for o in result.outputs] == [1, 3]
    assert [(r.row, r.id) for r in result.rejects] == [(2, "pima-0002")]
    assert "Insulin" in result.rejects[0].error


def test_risk_job_scores_every_plausible_patient_and_rejects_none(
    pima_model: Path, pima_rows: list[dict[str, Any]]
) -> None:
    job = make_job("risk", {"model": str(pima_model)})
    job.setup()
    # A 52-year-old with a fasting glucose of 190 mg/dL and a BMI of 38, nothing else recorded.
    patient = {"id": "p1", "Glucose": 190, "BMI": 38.0, "Age": 52}
    result = job.process(_items([patient, *pima_rows[:5]]), "line")
    assert result.rejects == []
    first = result.outputs[0]
    assert first["score"]["patient_id"] == "p1" and 0.0 <= first["probability"] <= 1.0
    assert "Insulin" in first["score"]["missing"]


def test_risk_job_scores_agree_whatever_the_chunk(
    pima_model: Path, pima_rows: list[dict[str, Any]]
) -> None:
    job = make_job("risk", {"model": str(pima_model)})
    job.setup()
    together = job.process(_items(pima_rows[:10]), "line").outputs
    alone = [job.process([(n, r)], "line").outputs[0] for n, r in _items(pima_rows[:10])]
    assert [o["id"] for o in together] == [o["id"] for o in alone]
    assert [o["tier"] for o in together] == [o["tier"] for o in alone]
    assert [o["probability"] for o in together] == pytest.approx(
        [o["probability"] for o in alone], abs=1e-12
    )


def test_risk_job_without_a_model_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        make_job("risk", {"model": str(tmp_path / "nowhere")}).setup()


def test_deid_job_replaces_phi_and_rejects_a_record_without_text() -> None:
    job = make_job("deid", {"ner": "off"})
    job.setup()
    note = {"id": "n1", "text": "Seen by Dr. John Smith on 03/14/2024, MRN 12345678."}
    result = job.process(_items([note, {"id": "n2", "body": "x"}]), "line")
    (out,) = result.outputs
    assert "John Smith" not in out["text"] and "12345678" not in out["text"]
    assert {s["label"] for s in out["spans"]} >= {"NAME", "DATE"}
    (reject,) = result.rejects
    assert (reject.id, reject.line, reject.field) == ("n2", 2, "text")


def test_deid_job_leaves_a_note_without_phi_unchanged() -> None:
    job = make_job("deid", {"ner": "off"})
    job.setup()
    note = {"id": "n1", "text": "Chest pain resolved after aspirin; troponin negative."}
    (out,) = job.process(_items([note]), "line").outputs
    assert out["text"] == note["text"] and out["spans"] == []


def test_unknown_job_is_refused_by_name() -> None:
    with pytest.raises(InputError, match="unknown job 'ocr'"):
        make_job("ocr", {})


@pytest.mark.slow
def test_embed_job_gives_unit_vectors_and_rejects_a_text_that_is_not_a_string() -> None:
    job = make_job("embed", {"model": "minilm"})
    job.setup()
    records = [{"id": "a", "text": "Patient denies chest pain."}, {"id": "b", "text": 42}]
    result = job.process(_items(records), "line")
    (out,) = result.outputs
    assert len(out["embedding"]) == 384
    assert np.linalg.norm(out["embedding"]) == pytest.approx(1.0, abs=1e-5)
    assert [(r.id, r.field) for r in result.rejects] == [("b", "text")]
    assert "is a int, not a string" in result.rejects[0].error


@pytest.mark.slow
def test_text_job_rejects_a_record_the_analyzer_fails_on_and_keeps_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = make_job("text", {})
    job.setup()
    real = job.analyzer_.analyze

    def flaky(text: str, *args: Any, **kwargs: Any) -> Any:
        if "CONCLUSIONS" in text:  # as a section finder's KeyError once did on a heading
            raise KeyError("conclusions")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(job.analyzer_, "analyze", flaky)
    records = [
        {"id": "a", "text": "Results were good. CONCLUSIONS: Aspirin helped."},
        {"id": "b", "text": "Patient denies chest pain."},
    ]
    result = job.process(_items(records), "line")
    assert [o["id"] for o in result.outputs] == ["b"]
    assert [(r.id, r.line) for r in result.rejects] == [("a", 1)]
    assert "unexpected KeyError" in result.rejects[0].error


def test_deid_job_rejects_a_record_that_fails_unexpectedly_and_keeps_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import medlm.batch.jobs.deid as deid_module

    real = deid_module.deidentify

    def flaky(text: str, *args: Any) -> Any:
        if "boom" in text:
            raise RuntimeError("detector crashed")
        return real(text, *args)

    monkeypatch.setattr(deid_module, "deidentify", flaky)
    job = make_job("deid", {"ner": "off"})
    job.setup()
    records = [{"id": "a", "text": "boom"}, {"id": "b", "text": "Seen 03/14/2024."}]
    result = job.process(_items(records), "line")
    assert [o["id"] for o in result.outputs] == ["b"]
    assert [(r.id, r.line) for r in result.rejects] == [("a", 1)]
    assert "unexpected RuntimeError" in result.rejects[0].error


def test_embed_job_refuses_an_unknown_precision_path_by_name() -> None:
    job = make_job("embed", {"model": "minilm", "path": "fp8"})
    with pytest.raises(InputError, match="precision path 'fp8'"):
        job.setup()


@pytest.mark.slow
def test_embed_job_on_the_bf16_path_stays_within_cosine_0_99_of_fp32() -> None:
    from medlm.lm.hardware import bf16_supported

    if not bf16_supported():
        pytest.skip("this CPU has no bf16")
    records = [{"id": "a", "text": "Patient denies chest pain."}, {"id": "b", "text": "No."}]
    vectors = {}
    for path in ("fp32", "bf16-weights"):
        job = make_job("embed", {"model": "minilm", "path": path})
        job.setup()
        assert job.encoder_.path == path
        vectors[path] = np.array(
            [o["embedding"] for o in job.process(_items(records), "line").outputs]
        )
    cosines = (vectors["fp32"] * vectors["bf16-weights"]).sum(axis=1)
    assert cosines.min() >= 0.99
    assert not np.array_equal(vectors["fp32"], vectors["bf16-weights"])  # another path ran
