"""RiskScore → FHIR R4 RiskAssessment (validated with the fhir.resources R4B models)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medlm.errors import ValidationError

if TYPE_CHECKING:
    from medlm.risk.result import RiskScore

# HL7 terminology code system for qualitative risk.
RISK_PROBABILITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/risk-probability"
# medlm's tiers onto that code system's codes (it has no "medium": "moderate" is its middle).
TIER_CODES = {"low": "low", "medium": "moderate", "high": "high"}


def risk_assessment(score: RiskScore, evidence: list[str] | None = None) -> dict[str, Any]:
    """A RiskAssessment resource: probability, qualitative risk, basis and method.

    `evidence` are references such as "Observation/pima-0001-bmi" put into `basis`; without
    them the basis names each reason in text.
    """
    from fhir.resources.R4B.riskassessment import RiskAssessment

    reasons = "; ".join(r.text for r in score.reasons)
    basis: list[dict[str, str]] = [{"reference": ref} for ref in evidence or []]
    if not basis:
        basis = [{"display": r.text} for r in score.reasons]
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": f"risk-{score.patient_id}"[:64],
        "status": "final",
        "subject": {"reference": f"Patient/{score.patient_id}"},
        "occurrenceDateTime": score.created.isoformat(),
        "method": {
            "text": f"medlm {score.family} model {score.model_name} version {score.model_version}"
        },
        "prediction": [_prediction(score, reasons)],
        "note": [{"text": text} for text in _notes(score)],
    }
    if basis:
        resource["basis"] = basis
    try:
        RiskAssessment.model_validate(resource)
    except Exception as exc:  # fhir.resources raises pydantic errors
        raise ValidationError(
            f"RiskAssessment for patient {score.patient_id!r} is not valid FHIR R4: {exc}",
            record=score.patient_id,
        ) from exc
    return resource


def _prediction(score: RiskScore, reasons: str) -> dict[str, Any]:
    """Probability and qualitative risk; only the outcome when the patient is outside the
    model's population (the model's arithmetic is not a risk for them)."""
    if score.tier is None:
        return {"outcome": {"text": score.outcome}}
    prediction: dict[str, Any] = {
        "outcome": {"text": score.outcome},
        "probabilityDecimal": round(score.probability, 6),
        "qualitativeRisk": {
            "coding": [{"system": RISK_PROBABILITY_SYSTEM, "code": TIER_CODES[score.tier]}],
            "text": score.tier.value,
        },
    }
    if reasons:
        prediction["rationale"] = reasons
    return prediction


def _notes(score: RiskScore) -> list[str]:
    notes = []
    if score.population is not None and score.population.outside:
        notes.append("outside the model's population: " + "; ".join(score.population.reasons))
    if score.low_confidence:
        notes.append(f"low confidence: {score.missing_share:.0%} of the weight is imputed inputs")
    return [*notes, score.disclaimer]
