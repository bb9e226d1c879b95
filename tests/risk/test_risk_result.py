"""RiskScore tiers and the FHIR RiskAssessment they render as."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.riskassessment import RiskAssessment

from medlm.errors import ConfigError
from medlm.explain import Contribution
from medlm.risk import RiskScore, RiskTier, assign_tier


@pytest.mark.parametrize(
    ("p", "tier"),
    [(0.0, RiskTier.LOW), (0.099, RiskTier.LOW), (0.1, RiskTier.MEDIUM), (0.2, RiskTier.HIGH)],
)
def test_tier_cut_points_are_inclusive_at_the_lower_edge(p: float, tier: RiskTier) -> None:
    assert assign_tier(p, (0.1, 0.2)) == tier


@pytest.mark.parametrize("cuts", [(0.3, 0.2), (0.0, 0.5), (0.1,)])
def test_bad_cut_points_are_a_config_error(cuts: tuple[float, ...]) -> None:
    with pytest.raises(ConfigError):
        assign_tier(0.5, cuts)


def _score(tier: RiskTier = RiskTier.MEDIUM) -> RiskScore:
    return RiskScore(
        patient_id="pima-0001",
        probability=0.15,
        tier=tier,
        outcome="diabetes",
        reasons=[
            Contribution(
                feature="Glucose",
                value=148.0,
                unit="mg/dL",
                contribution=0.9,
                text="Glucose 148 mg/dL: +0.90",
            )
        ],
        model_name="pima-diabetes",
        model_version="0.1.0",
        family="logreg",
    )


def test_risk_assessment_validates_as_r4_with_probability_tier_basis_and_method() -> None:
    resource = _score().to_fhir()
    parsed = RiskAssessment.model_validate(resource)
    prediction = parsed.prediction[0]
    assert float(prediction.probabilityDecimal) == 0.15
    assert prediction.qualitativeRisk.coding[0].code == "moderate"  # HL7 risk-probability
    assert parsed.subject.reference == "Patient/pima-0001"
    assert "logreg" in parsed.method.text and "pima-diabetes" in parsed.method.text
    assert parsed.basis[0].display == "Glucose 148 mg/dL: +0.90"
    assert "not a medical device" in parsed.note[0].text
