"""De-identification evaluation: precision, recall and F2 per HIPAA category and overall, for
medlm's detector and (when installed) an offline Presidio analyzer, side by side."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pydantic import BaseModel

from medlm.errors import DataPackageMissingError
from medlm.privacy.categories import HIPAA_CATEGORY, PhiLabel
from medlm.privacy.corpora import GoldNote, case_table, deidgate_notes, synthetic_notes
from medlm.privacy.detector import PhiDetector
from medlm.records import Span

logger = logging.getLogger(__name__)
Detect = Callable[[str], list[Span]]


class CategoryScore(BaseModel):
    """Counts and scores for one HIPAA category (or "overall")."""

    category: str
    gold: int
    predicted: int
    true_positive_gold: int
    true_positive_predicted: int
    missed: int
    precision: float | None
    recall: float | None
    f2: float | None


class CorpusReport(BaseModel):
    """One detector on one corpus; `skipped` says why when it could not run."""

    corpus: str
    detector: str
    synthetic: bool = True
    notes: int = 0
    categories: list[CategoryScore] = []
    skipped: str | None = None


def _f2(p: float | None, r: float | None) -> float | None:
    if p is None or r is None or p + r == 0:
        return None if p is None or r is None else 0.0
    return 5 * p * r / (4 * p + r)


def _score(category: str, counts: list[int]) -> CategoryScore:
    gold, predicted, tp_gold, tp_pred, missed = counts
    precision = tp_pred / predicted if predicted else None
    recall = tp_gold / gold if gold else None
    return CategoryScore(
        category=category,
        gold=gold,
        predicted=predicted,
        true_positive_gold=tp_gold,
        true_positive_predicted=tp_pred,
        missed=missed,
        precision=precision,
        recall=recall,
        f2=_f2(precision, recall),
    )


def _category(label: str) -> str:
    """A medlm label's HIPAA category; other detectors already label by category."""
    return HIPAA_CATEGORY[PhiLabel(label)] if label in PhiLabel.__members__ else label


def score_notes(notes: list[GoldNote], detect: Detect) -> list[CategoryScore]:
    """A gold span is found when a predicted span overlaps it; it leaks when its exact text is
    not covered at all. A predicted span is correct when it overlaps any gold span."""
    counts: dict[str, list[int]] = {}
    for note in notes:
        predicted = detect(note.text)
        for g in note.gold:
            row = counts.setdefault(g.label, [0, 0, 0, 0, 0])
            hit = any(p.overlaps(g) for p in predicted)
            row[0] += 1
            row[2] += hit
            row[4] += not hit
        for p in predicted:
            category = (
                HIPAA_CATEGORY.get(PhiLabel(p.label), p.label)
                if p.label in PhiLabel.__members__
                else p.label
            )
            row = counts.setdefault(category, [0, 0, 0, 0, 0])
            row[1] += 1
            row[3] += any(p.overlaps(g) for g in note.gold)
    total = [sum(c[i] for c in counts.values()) for i in range(5)]
    return [_score(k, counts[k]) for k in sorted(counts)] + [_score("overall", total)]


def _medlm_detector(ner: bool) -> Detect:
    detector = PhiDetector(ner=ner)
    return lambda text: detector.detect(text).spans


def evaluate(synthetic_size: int = 300, with_presidio: bool = True) -> list[CorpusReport]:
    """Run every available corpus through medlm's detector and, optionally, Presidio."""
    from medlm.privacy.presidio import presidio_detector

    loaders: list[tuple[str, Callable[[], list[GoldNote]]]] = [
        ("deidgate (synthetic)", deidgate_notes),
        ("presidio-evaluator templates (synthetic)", lambda: synthetic_notes(synthetic_size)),
        ("medlm clinical case table (synthetic)", case_table),
    ]
    detectors: list[tuple[str, Callable[[], Detect]]] = [
        ("medlm rules", lambda: _medlm_detector(ner=False)),
        ("medlm + spaCy NER", lambda: _medlm_detector(ner=True)),
    ]
    if with_presidio:
        detectors.append(("presidio (offline)", presidio_detector))
    reports: list[CorpusReport] = []
    for corpus_name, load in loaders:
        try:
            notes = load()
        except DataPackageMissingError as exc:
            reports.append(CorpusReport(corpus=corpus_name, detector="-", skipped=str(exc)))
            continue
        for detector_name, make in detectors:
            try:
                detect = make()
            except DataPackageMissingError as exc:
                reports.append(
                    CorpusReport(corpus=corpus_name, detector=detector_name, skipped=str(exc))
                )
                continue
            scores = score_notes(notes, detect)
            reports.append(
                CorpusReport(
                    corpus=corpus_name,
                    detector=detector_name,
                    notes=len(notes),
                    categories=scores,
                )
            )
    return reports
