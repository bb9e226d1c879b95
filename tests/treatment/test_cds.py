"""CDS Hooks cards built from treatment reports."""

from __future__ import annotations

from typing import Any

import pytest

from medlm.errors import InputError
from medlm.records import IngestReport, Rejection
from medlm.treatment import TreatmentRecommender, cds


def test_discovery_lists_patient_view_and_order_sign() -> None:
    hooks = {s.id: s.hook for s in cds.services()}
    assert hooks == {cds.PATIENT_VIEW: "patient-view", cds.ORDER_SIGN: "order-sign"}
    assert all("patient" in s.prefetch for s in cds.services())


def test_order_sign_cards_cover_only_issues_of_the_orders(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(meds=("lisinopril", "losartan", "nitroglycerin"), orders=("Viagra",))
    response = cds.cards(cds.ORDER_SIGN, recommender.check(record))
    assert len(response.cards) == 1
    card = response.cards[0]
    assert card.indicator == "critical"
    assert card.summary == "High interaction: nitroglycerin + sildenafil"
    action = card.suggestions[0].actions[0]
    assert (action.type, action.resourceId) == ("delete", "MedicationRequest/m100")


def test_patient_view_cards_have_short_summaries_and_create_suggestions(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(conditions=("E11.9", "I25.10"), egfr=80, sbp=150, dbp=95)
    response = cds.cards(cds.PATIENT_VIEW, recommender.recommend(record))
    assert response.cards
    assert all(len(c.summary) < 140 for c in response.cards)
    creates = [a for c in response.cards for s in c.suggestions for a in s.actions]
    assert creates and all(a.type == "create" for a in creates)
    assert creates[0].resource is not None
    assert creates[0].resource["resourceType"] == "MedicationRequest"
    assert "could not run" in response.cards[-1].summary


def test_long_summaries_are_cut_below_140_characters() -> None:
    text = cds._summary("x" * 300)
    assert len(text) < 140 and text.endswith("...")


def test_unknown_service_is_an_input_error(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    with pytest.raises(InputError, match="unknown CDS service"):
        cds.cards("nope", recommender.check(make_record()))


def test_has_patient_finds_it_directly_or_in_a_bundle() -> None:
    patient = {"resourceType": "Patient", "id": "p1"}
    assert cds.has_patient({"anyKey": patient})
    assert cds.has_patient({"x": {"resourceType": "Bundle", "entry": [{"resource": patient}]}})
    assert not cds.has_patient({"x": {"resourceType": "Bundle", "entry": "x"}})
    assert not cds.has_patient(None)


@pytest.mark.parametrize(
    ("field", "reason", "refused"),
    [
        ("prefetch.observations", "not a FHIR resource or Bundle", True),
        ("prefetch.observations.entry", "Bundle.entry must be a JSON array", True),
        ("context.draftOrders.entry", "Bundle.entry must be a JSON array", True),
        ("Bundle.entry.resource", "context.draftOrders: no resource", True),
        ("prefetch.user", "not a FHIR resource or Bundle", False),
    ],
)
def test_malformed_refuses_the_structure_of_declared_keys_only(
    field: str, reason: str, refused: bool
) -> None:
    report = IngestReport(rejections=[Rejection(field=field, reason=reason)])
    assert bool(cds.malformed(report)) is refused
