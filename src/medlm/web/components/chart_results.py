"""The chart's clinical results for one PatientRecord: risk scores of the models whose
population the patient fits, the treatment report, and the analysed notes.

Each step calls the library the API routes call (`predict_batch`, `TreatmentRecommender`,
`MedicalTextAnalyzer`); a step that cannot run says why in `problems` and the rest still show,
so one unreadable input never blanks the page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from medlm.errors import MedlmError
from medlm.messages import MessageRef, MessageTemplate
from medlm.records import IngestReport, PatientRecord
from medlm.risk import DiseaseRiskPredictor, RiskScore
from medlm.risk.batch import predict_batch
from medlm.risk.population import check_population
from medlm.text import MedicalTextAnalyzer
from medlm.text.results import TextAnalysis
from medlm.treatment import TreatmentRecommender, TreatmentReport
from medlm.treatment.inputs import record_input

logger = logging.getLogger(__name__)


class ModelOutside(BaseModel):
    """A loaded model the patient is outside the population of, and why (not scored)."""

    model_config = ConfigDict(frozen=True)

    model: str
    outcome: str
    reasons: list[str]
    messages: list[MessageRef] = Field(
        default_factory=list, description="`reasons` as message templates, in the same order."
    )


class ChartProblem(BaseModel):
    """A part of the chart that could not be computed: which part (`part`: a risk model, the
    treatment check or a note), its name, and the library's English message (with its message
    template when there is one: a patient refused as deceased)."""

    model_config = ConfigDict(frozen=True)

    part: Literal["risk model", "treatment", "note"]
    name: str = ""
    detail: str
    message: MessageRef | None = None


# A refused patient's reason, in the words of `records.timing.deceased_reason` (a test checks
# the two agree) so the chart can say it in the page's language.
DECEASED = MessageTemplate(
    id="chart.deceased",
    text="patient %(patient)s is recorded as deceased (date of death not recorded)",
)
DIED_ON = MessageTemplate(id="chart.died-on", text="patient %(patient)s died on %(date)s")


def refusal_message(record: PatientRecord, reason: str) -> MessageRef | None:
    """The template of a deceased patient's refusal, when it says exactly `reason`."""
    patient = record.patient
    said = (
        DIED_ON(patient=patient.id, date=patient.deceased_on.isoformat())
        if patient.deceased_on is not None
        else DECEASED(patient=patient.id)
    )
    return said.ref if said.text == reason else None


class ChartResults(BaseModel):
    """Risk, treatment and notes for one patient, with what could not be computed."""

    scores: list[RiskScore] = Field(default_factory=list)
    outside: list[ModelOutside] = Field(default_factory=list)
    treatment: TreatmentReport | None = None
    notes: list[TextAnalysis] = Field(default_factory=list)
    problems: list[ChartProblem] = Field(default_factory=list)


def risk_results(
    models: Mapping[str, DiseaseRiskPredictor],
    record: PatientRecord,
    as_of: datetime,
    freshness_days: Mapping[str, float] | None,
    results: ChartResults,
) -> None:
    """Score the record with every model whose population it fits (or states none)."""
    for name, model in sorted(models.items()):
        status = check_population(record, model.population_, as_of)
        if status.outside:
            results.outside.append(
                ModelOutside(
                    model=name,
                    outcome=model.outcome,
                    reasons=status.reasons,
                    messages=status.messages,
                )
            )
            continue
        try:
            batch = predict_batch(
                model, IngestReport(records=[record]), as_of=as_of, freshness_days=freshness_days
            )
        except MedlmError as exc:
            results.problems.append(ChartProblem(part="risk model", name=name, detail=str(exc)))
            continue
        results.scores += batch.scores
        results.problems += [
            ChartProblem(
                part="risk model",
                name=name,
                detail=r.reason,
                message=refusal_message(record, r.reason),
            )
            for r in batch.refused
        ]


def treatment_results(
    recommender: TreatmentRecommender, record: PatientRecord, as_of: datetime, out: ChartResults
) -> None:
    """The treatment report of the record (through the same boundary as the API)."""
    try:
        given = record_input(record, as_of=as_of)
        out.treatment = recommender.recommend(given.record, as_of=as_of, unread=given.unread)
    except MedlmError as exc:
        out.problems.append(ChartProblem(part="treatment", detail=str(exc)))


def note_results(analyzer: MedicalTextAnalyzer, record: PatientRecord, out: ChartResults) -> None:
    """Each note of the record analysed (entities with codes and context)."""
    for i, note in enumerate(record.notes):
        try:
            out.notes.append(analyzer.analyze(note, doc_id=note.id or f"note {i + 1}"))
        except MedlmError as exc:
            out.problems.append(
                ChartProblem(part="note", name=note.id or str(i + 1), detail=str(exc))
            )


def chart_results(
    record: PatientRecord,
    *,
    models: Mapping[str, DiseaseRiskPredictor],
    recommender: TreatmentRecommender,
    analyzer: MedicalTextAnalyzer,
    as_of: datetime,
    freshness_days: Mapping[str, float] | None = None,
) -> ChartResults:
    """Everything the chart shows about the record besides its vital signs."""
    results = ChartResults()
    risk_results(models, record, as_of, freshness_days, results)
    treatment_results(recommender, record, as_of, results)
    note_results(analyzer, record, results)
    return results
