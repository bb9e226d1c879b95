"""De-identification throughput: medlm's rules alone, with spaCy person names, and Presidio.

Runs each detector over the same notes (the presidio-evaluator template corpus, synthetic,
or deidgate's notes when that is not installed), best of 3 passes after one warm-up, and prints
notes per second and the ratio to medlm's rules (the baseline).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/deid_speed.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

from medlm.errors import DataPackageMissingError
from medlm.privacy.corpora import deidgate_notes, synthetic_notes
from medlm.privacy.detector import PhiDetector


def _rate(detect: Callable[[str], object], texts: list[str]) -> float:
    for text in texts[:20]:
        detect(text)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            detect(text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def main() -> None:
    try:
        notes, corpus = synthetic_notes(300), "presidio-evaluator templates (synthetic)"
    except DataPackageMissingError:
        notes, corpus = deidgate_notes(), "deidgate (synthetic)"
    texts = [n.text for n in notes]
    detectors: dict[str, Callable[[str], object]] = {"medlm rules": PhiDetector(ner=False).detect}
    try:
        detectors["medlm + spaCy NER"] = PhiDetector(ner=True).detect
    except DataPackageMissingError as exc:
        print(f"medlm + spaCy NER skipped: {exc}")
    try:
        from medlm.privacy.presidio import presidio_detector

        detectors["presidio (offline)"] = presidio_detector()
    except DataPackageMissingError as exc:
        print(f"presidio skipped: {exc}")
    print(f"{len(texts)} notes of {corpus}, mean {sum(map(len, texts)) / len(texts):.0f} chars")
    base = None
    for name, detect in detectors.items():
        rate = _rate(detect, texts)
        base = base or rate
        print(f"{name:<20} {rate:>8.0f} notes/s   {rate / base:>5.2f}x medlm rules")


if __name__ == "__main__":
    main()
