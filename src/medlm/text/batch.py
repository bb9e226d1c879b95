"""Request and output records of `extract`, and JSON-lines batches that stream and never stop early.

Input lines are `{"id", "text", "targets": [...]}`; each output line is
`{"id", "entities": [...], "sections": [...]}`, or `{"id", "line", "error"}` for a line that could
not be analysed (not UTF-8, not JSON, no text, too long): the rest of the batch goes on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from medlm.errors import InputError, MedlmError
from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.results import CodeMatch, Entity, Measurement, MedicationDetails, TextAnalysis
from medlm.text.vocabulary import TargetTerm, Vocabulary

logger = logging.getLogger(__name__)


class ExtractRequest(BaseModel):
    """One document to analyse, with optional target terms."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    text: str
    targets: list[str | TargetTerm] = Field(default_factory=list)


class AssertionOut(BaseModel):
    negated: bool
    possible: bool
    historical: bool
    hypothetical: bool
    family: bool
    experiencer: str


class EntityOut(BaseModel):
    """One entity as written in extract output."""

    text: str
    start: int
    end: int
    label: str
    preferred_name: str | None
    code: str | None = Field(description="Best code as 'system|code', or null when none is sure.")
    codes: list[CodeMatch]
    assertion: AssertionOut
    section: str | None
    medication: MedicationDetails | None = None
    measurement: Measurement | None = None


class SectionOut(BaseModel):
    name: str
    header: str
    start: int
    end: int


class ExtractResult(BaseModel):
    """What `extract` returns for one document."""

    id: str | None
    entities: list[EntityOut]
    sections: list[SectionOut]


class ExtractError(BaseModel):
    """A line of a batch that could not be analysed."""

    id: str | None = None
    line: int
    error: str


def entity_out(entity: Entity) -> EntityOut:
    best = max(entity.codes, key=lambda c: c.score) if entity.codes else None
    a = entity.assertion
    return EntityOut(
        text=entity.text,
        start=entity.start,
        end=entity.end,
        label=entity.label,
        preferred_name=entity.preferred_name,
        code=str(best.coding) if best else None,
        codes=list(entity.codes),
        assertion=AssertionOut(
            negated=a.negated,
            possible=a.possible,
            historical=a.historical,
            hypothetical=a.hypothetical,
            family=a.family,
            experiencer=a.experiencer,
        ),
        section=entity.section,
        medication=entity.medication,
        measurement=entity.measurement,
    )


def result_out(analysis: TextAnalysis) -> ExtractResult:
    """The extract output record of an analysis."""
    return ExtractResult(
        id=analysis.id,
        entities=[entity_out(e) for e in analysis.entities],
        sections=[SectionOut(**s.model_dump()) for s in analysis.sections],
    )


def decode(raw: bytes, where: str) -> str:
    """UTF-8 text, or an InputError naming where the first bad byte is."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at position {exc.start}"
        ) from exc


def _line_request(raw: bytes | str, n: int) -> ExtractRequest:
    text = decode(raw, f"line {n}") if isinstance(raw, bytes) else raw
    try:
        return ExtractRequest.model_validate_json(text)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
        )
        raise InputError(f"line {n} is not a valid request: {problems}") from exc


def _line_id(raw: bytes | str) -> str | None:
    try:
        value = json.loads(raw).get("id")
    except (ValueError, AttributeError):
        return None
    return str(value) if value is not None else None


def process_lines(
    lines: Iterable[bytes | str],
    analyzer: MedicalTextAnalyzer,
    vocabulary: Vocabulary | None = None,
    extra_targets: list[str] | None = None,
    first_line: int = 1,
) -> Iterator[ExtractResult | ExtractError]:
    """One output per non-blank input line, in order; bad lines become ExtractError."""
    for n, raw in enumerate(lines, start=first_line):
        if not raw.strip():
            continue
        try:
            request = _line_request(raw, n)
        except MedlmError as exc:
            logger.info("line %d is not a valid request", n)
            yield ExtractError(id=_line_id(raw), line=n, error=str(exc))
            continue
        targets = [*request.targets, *(extra_targets or [])]
        try:
            analysis = analyzer.analyze(
                request.text, targets=targets, vocabulary=vocabulary, doc_id=request.id
            )
        except (MedlmError, PydanticValidationError) as exc:
            logger.info("line %d could not be analysed", n)
            yield ExtractError(id=request.id, line=n, error=f"line {n}: {_reason(exc)}")
            continue
        yield result_out(analysis)


def _reason(exc: Exception) -> str:
    """The message of a rejected line (a pydantic error as its fields and messages)."""
    if isinstance(exc, PydanticValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or exc.title}: {e['msg']}" for e in exc.errors()
        )
    return str(exc)
