"""Routes for clinical and literature text analysis."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from medlm import DISCLAIMER
from medlm.errors import MedlmError
from medlm.records import ClinicalNote
from medlm.service.auth import audit_patients
from medlm.service.batch_limit import check_batch
from medlm.service.deps import AnalyzerDep, SettingsDep
from medlm.service.responses import READS_BODY, errors
from medlm.settings import Settings
from medlm.text import TargetTerm, Vocabulary, VocabularyStore
from medlm.text.batch import ExtractResult, result_out
from medlm.text.fhir import to_fhir

router = APIRouter(prefix="/v1/text", tags=["text"])


class ExtractBody(BaseModel):
    """One document: plain text or a ClinicalNote, with optional targets or a saved vocabulary."""

    text: str | None = None
    note: ClinicalNote | None = None
    id: str | None = None
    targets: list[str | TargetTerm] = Field(default_factory=list)
    vocabulary: str | None = Field(default=None, description="Name of a saved vocabulary.")
    include_fhir: bool = False


class VocabularyBody(BaseModel):
    """Terms of a vocabulary to save."""

    terms: list[TargetTerm] = Field(min_length=1)
    description: str | None = None


class ExtractResponse(BaseModel):
    result: ExtractResult
    fhir: list[dict[str, Any]] | None = None
    disclaimer: str = DISCLAIMER


@router.post("/extract", responses=errors(*READS_BODY))
def extract(
    body: ExtractBody, analyzer: AnalyzerDep, settings: SettingsDep, request: Request
) -> ExtractResponse:
    """Entities with offsets, codes and context; 422 with a clear message on bad input, 413
    for more targets than `limits.max_batch_items`."""
    check_batch(len(body.targets), settings.limits, "targets")
    audit_patients(request, [body.note.patient_id if body.note is not None else None])
    if (body.text is None) == (body.note is None):
        raise HTTPException(status_code=422, detail="give exactly one of 'text' or 'note'")
    try:
        vocab = _store(settings).load(body.vocabulary) if body.vocabulary else None
        document = body.note if body.note is not None else str(body.text)
        analysis = analyzer.analyze(
            document, targets=body.targets, vocabulary=vocab, doc_id=body.id
        )
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    fhir = to_fhir(analysis) if body.include_fhir else None
    return ExtractResponse(result=result_out(analysis), fhir=fhir)


class VocabularyList(BaseModel):
    names: list[str]


def _store(settings: Settings) -> VocabularyStore:
    return VocabularyStore(settings.data_dir / "vocabularies")


@router.get("/vocabularies")
def list_vocabularies(settings: SettingsDep) -> VocabularyList:
    """Names of the saved vocabularies."""
    return VocabularyList(names=_store(settings).names())


VOCABULARY_NAME = r"^[A-Za-z0-9_-]{1,64}$"
"""A saved vocabulary's name: letters, digits, `_` and `-` (it names a file)."""


@router.put("/vocabularies/{name}", responses=errors(*READS_BODY))
def save_vocabulary(
    name: Annotated[str, Path(pattern=VOCABULARY_NAME, description="1-64 of A-Z a-z 0-9 _ -")],
    body: VocabularyBody,
    settings: SettingsDep,
) -> Vocabulary:
    """Save (or replace) a named vocabulary of target terms; 422 for another kind of name."""
    check_batch(len(body.terms), settings.limits, "terms")
    try:
        vocabulary = Vocabulary(name=name, terms=tuple(body.terms), description=body.description)
        _store(settings).save(vocabulary)
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return vocabulary
