"""Labelled de-identification corpora: deidgate's notes, a synthetic corpus from
presidio-evaluator's templates, and medlm's clinical case table; all synthetic (no real PHI)."""

from __future__ import annotations

import csv
import random
import re
from importlib import import_module, resources
from importlib.metadata import PackageNotFoundError, files
from pathlib import Path

import yaml
from pydantic import BaseModel

from medlm.errors import DataPackageMissingError, InputError
from medlm.records import Span

CATEGORY_LETTER = {
    "name": "A names", "geo": "B geographic", "date": "C dates and ages over 89",
    "phone": "D telephone", "fax": "E fax", "email": "F email", "ssn": "G social security",
    "mrn": "H medical record", "health_plan": "I health plan", "account": "J account",
    "license": "K certificate/licence", "vehicle": "L vehicle", "device": "M device",
    "url": "N URL", "ip": "O IP address", "biometric": "P biometric",
    "photo": "Q full-face photograph", "other": "R other unique code",
}  # fmt: skip
"""Gold category (deidgate's names) to HIPAA Safe Harbor category."""


class GoldNote(BaseModel):
    """One labelled note: its text and gold PHI spans labelled with HIPAA categories."""

    id: str
    text: str
    gold: list[Span]


def _spans(note_id: str, text: str, phi: list[tuple[str, str]]) -> list[Span]:
    """Gold spans from (category, value) pairs: each value's next occurrence in the text."""
    spans: list[Span] = []
    used: dict[str, int] = {}
    for category, value in phi:
        if category not in CATEGORY_LETTER:
            raise InputError(f"corpus note {note_id}: unknown PHI category {category!r}")
        start = text.find(value, used.get(value, 0))
        if start < 0:
            raise InputError(f"corpus note {note_id}: gold value for {category} not in the text")
        used[value] = start + len(value)
        spans.append(Span(start=start, end=start + len(value), label=CATEGORY_LETTER[category]))
    return spans


def _note(note_id: str, text: str, phi: list[tuple[str, str]]) -> GoldNote:
    return GoldNote(id=note_id, text=text, gold=_spans(note_id, text, phi))


def deidgate_notes() -> list[GoldNote]:
    """deidgate's bundled labelled notes (MIT; 100% synthetic by its own statement)."""
    try:
        corpus = import_module("deidgate.corpus")
    except ImportError as exc:
        raise DataPackageMissingError("deidgate", "the deidgate gold notes") from exc
    return [
        _note(s["id"], s["text"], [(p["category"], p["value"]) for p in s["phi"]])
        for s in corpus.load_corpus()
    ]


def case_table() -> list[GoldNote]:
    """medlm's own synthetic clinical-note case table (`knowledge/privacy/deid_cases.yaml`)."""
    path = resources.files("medlm.knowledge.privacy") / "deid_cases.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        _note(c["id"], c["text"], [(cat, str(value)) for cat, value in c["phi"]])
        for c in data["cases"]
    ]


def _raw_data_dir() -> Path:
    try:
        paths = files("presidio-evaluator") or []
    except PackageNotFoundError as exc:
        raise DataPackageMissingError(
            "presidio-evaluator",
            "the synthetic template corpus (install it with --no-deps; only its files are read)",
        ) from exc
    for path in paths:
        if path.name == "templates.txt":
            return Path(str(path.locate())).parent
    raise DataPackageMissingError("presidio-evaluator", "data_generator/raw_data/templates.txt")


def synthetic_notes(n: int = 300, seed: int = 7) -> list[GoldNote]:
    """`n` SYNTHETIC sentences from presidio-evaluator's templates, filled with its fake US
    people (FakeNameGenerator rows) and seeded generated numbers; gold spans are exact."""
    from medlm.privacy.synthetic import fill_template

    raw = _raw_data_dir()
    templates = [
        t.strip()
        for t in (raw / "templates.txt").read_text(encoding="utf-8").splitlines()
        if "{{" in t
    ]
    with (raw / "FakeNameGenerator.com_3000.csv").open(encoding="utf-8-sig") as fh:
        people = [row for row in csv.DictReader(fh) if row["Country"] == "US"]
    rng = random.Random(seed)
    notes: list[GoldNote] = []
    for i in range(n):
        template = templates[i % len(templates)]
        text, phi = fill_template(template, rng.choice(people), rng)
        if re.search(r"\{\{", text):
            continue
        notes.append(_note(f"synthetic-{i:04d}", text, phi))
    return notes
