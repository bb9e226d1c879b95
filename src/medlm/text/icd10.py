"""ICD-10-CM coding of problem names: exact, synonym and guarded fuzzy matches with a score.

The index is built from the ICD-10-CM tabular list shipped in `simple-icd-10-cm` (CMS, April
2026): each code's description, the description without a trailing ", unspecified" or "NOS" or
its parenthesised non-essential modifiers, and its inclusion terms. When a name leads to several
codes, the one that is an ancestor of all the others is used; if there is none, the name gets
no code: no code is better than a wrong one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from medlm.errors import DataPackageMissingError
from medlm.records import CodeSystem, Coding
from medlm.text.dictionary import term_key
from medlm.text.results import CodeMatch, MatchMethod
from medlm.text.terminology import ICD_PACKAGE, package_dir

_PAREN = re.compile(r"\s*\([^)]*\)")
_SUFFIX = re.compile(r"(,\s*unspecified|\s+NOS|,\s*not elsewhere classified)$", re.IGNORECASE)
_SKIP = re.compile(
    r"^(other|unspecified|encounter|personal history|family history)\b|elsewhere", re.I
)

_SYNONYM_TAGS = ("inclusionTerm", "includes")
FUZZY_MIN = 0.92
SCORES: dict[str, float] = {"exact": 1.0, "stripped": 0.95, "inclusion": 0.9, "reordered": 0.85}


@dataclass(frozen=True, slots=True)
class IcdEntry:
    code: str
    description: str
    kind: str  # exact, stripped, inclusion


def _variants(description: str) -> list[tuple[str, str]]:
    out = [(description, "exact")]
    plain = _SUFFIX.sub("", _PAREN.sub("", description)).strip()
    if plain and plain.lower() != description.lower():
        out.append((plain, "stripped"))
    return out


class IcdIndex:
    """Look-up of ICD-10-CM codes by written name."""

    def __init__(self, entries: list[tuple[str, str, list[str]]]) -> None:
        self._by_key: dict[tuple[str, ...], list[IcdEntry]] = {}
        self._by_bag: dict[tuple[str, ...], list[IcdEntry]] = {}
        self.descriptions: dict[str, str] = {}
        for code, desc, inclusions in entries:
            self.descriptions[code] = desc
            for text, kind in _variants(desc):
                self._add(text, IcdEntry(code, desc, kind))
            for inc in inclusions:
                for text, _kind in _variants(inc):
                    self._add(text, IcdEntry(code, desc, "inclusion"))
        self._keys_by_first: dict[str, list[tuple[str, ...]]] = {}
        for key in self._by_key:
            self._keys_by_first.setdefault(key[0][:3], []).append(key)

    def _add(self, text: str, entry: IcdEntry) -> None:
        key = term_key(text)
        if not key:
            return
        self._by_key.setdefault(key, []).append(entry)
        self._by_bag.setdefault(tuple(sorted(key)), []).append(entry)

    def detection_names(self) -> list[tuple[tuple[str, ...], str]]:
        """(key, name) of names worth matching in running text (no 'Other ...', no encounters)."""
        names = []
        for key, entries in self._by_key.items():
            text = " ".join(key)
            if len(key) <= 8 and _choose(entries) is not None and not _SKIP.search(text):
                names.append((key, text))
        return names

    def code(self, name: str) -> CodeMatch | None:
        """The ICD-10-CM code for a name, or None when unsure."""
        key = term_key(name)
        if not key:
            return None
        entries = self._by_key.get(key)
        if entries and (chosen := _choose(entries)) is not None:
            kind = min((e.kind for e in entries if e.code == chosen.code), key=_rank)
            method: MatchMethod = "exact" if kind == "exact" else "synonym"
            return _match(chosen, method, SCORES[kind], name)
        bag = self._by_bag.get(tuple(sorted(key)))
        if bag and (chosen := _choose(bag)) is not None:
            return _match(chosen, "synonym", SCORES["reordered"], name)
        return self._fuzzy(key, name)

    def _fuzzy(self, key: tuple[str, ...], name: str) -> CodeMatch | None:
        text = " ".join(key)
        digits = [t for t in key if t.isdigit()]
        best: tuple[float, tuple[str, ...]] | None = None
        for cand in self._keys_by_first.get(key[0][:3], []):
            if len(cand) != len(key) or [t for t in cand if t.isdigit()] != digits:
                continue
            ratio = difflib.SequenceMatcher(None, text, " ".join(cand)).ratio()
            if ratio >= FUZZY_MIN and (best is None or ratio > best[0]):
                best = (ratio, cand)
        if best is None:
            return None
        chosen = _choose(self._by_key[best[1]])
        return _match(chosen, "fuzzy", round(best[0] * 0.9, 3), name) if chosen else None


def _rank(kind: str) -> int:
    return {"exact": 0, "stripped": 1, "inclusion": 2}[kind]


def _choose(entries: list[IcdEntry]) -> IcdEntry | None:
    best = min(_rank(e.kind) for e in entries)
    top = {e.code: e for e in entries if _rank(e.kind) == best}
    if len(top) == 1:
        return next(iter(top.values()))
    for code, entry in sorted(top.items(), key=lambda kv: len(kv[0])):
        if all(other.startswith(code.rstrip(".")) for other in top):
            return entry
    return None


def _match(entry: IcdEntry, method: MatchMethod, score: float, name: str) -> CodeMatch:
    coding = Coding(system=CodeSystem.ICD10CM.value, code=entry.code, display=entry.description)
    return CodeMatch(coding=coding, method=method, score=score, matched_term=name)


@cache
def icd_index() -> IcdIndex:
    """The ICD-10-CM index, built once per process from the tabular XML (about 2 s)."""
    folder = package_dir("simple_icd_10_cm", ICD_PACKAGE, "ICD-10-CM coding") / "data"
    files = sorted(folder.glob("icd10cm-tabular-*.xml")) + sorted(
        folder.glob("icd10c*tabular*.xml")
    )
    if not files:
        raise DataPackageMissingError(ICD_PACKAGE, "ICD-10-CM coding (no tabular XML found)")
    from xml.etree import ElementTree

    entries: list[tuple[str, str, list[str]]] = []
    for _event, diag in ElementTree.iterparse(files[-1]):
        if diag.tag != "diag":
            continue
        code, desc = diag.findtext("name"), diag.findtext("desc")
        if code and desc:
            notes = [n.text or "" for tag in _SYNONYM_TAGS for n in diag.findall(f"{tag}/note")]
            entries.append((code, desc, [n for n in notes if n and "classifiable" not in n]))
        for child in list(diag):
            if child.tag != "diag":
                diag.remove(child)
    return IcdIndex(entries)
