"""Vital-sign sets from record Observations by concept; FHIR, JSON lines and degF score alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from medlm.knowledge.early_warning import load_news2
from medlm.monitor.observations import build_sets, vital_sets
from medlm.monitor.scoring import score_news2
from medlm.records import CodeSystem, Coding, Observation, ObservationStatus
from medlm.records.loose_observations import read_observation_resources
from medlm.records.read import read_document
from medlm.records.vital_lines import read_vital_lines

T = datetime(2026, 1, 1, 8, tzinfo=UTC)
UCUM = "http://unitsofmeasure.org"


def obs(
    concept: str, value: float | None = None, unit: str | None = None, **kw: Any
) -> Observation:
    fields: dict[str, Any] = {"patient_id": "p1", "effective": T, "concept": concept}
    return Observation(
        code=Coding(system=CodeSystem.MEDLM, code=concept), value=value, unit=unit,
        **(fields | kw),
    )  # fmt: skip


def test_observations_of_one_time_become_one_set_in_canonical_units() -> None:
    sets, rejected = build_sets(
        [obs("heart_rate", 112, "/min"), obs("body_temperature", 38.4, "Cel"),
         obs("consciousness", value_text="Alert"), obs("oxygen_flow", 2, "L/min")]
    )  # fmt: skip
    assert rejected == [] and len(sets) == 1
    vitals = sets[0]
    assert (vitals.heart_rate, vitals.temperature_c, vitals.on_oxygen) == (112, 38.4, True)
    assert vitals.consciousness is not None and vitals.consciousness.value == "A"


def test_a_value_not_in_the_canonical_unit_is_rejected_never_converted_here() -> None:
    sets, rejected = build_sets([obs("body_temperature", 101.1, "[degF]")])
    assert sets == [] and "canonical 'Cel'" in rejected[0].reason


@pytest.mark.parametrize(
    ("observation", "reason"),
    [
        (obs("heart_rate", 90, "/min", comparator=">"), "bound"),
        (obs("heart_rate", 90, "/min", effective=None), "no effective time"),
        (obs("heart_rate", 90, "/min", status=ObservationStatus.ENTERED_IN_ERROR), "status"),
        (obs("consciousness", value_text="drowsy"), "ACVPU"),
    ],
)
def test_unusable_observations_are_rejected_with_a_reason(
    observation: Observation, reason: str
) -> None:
    sets, rejected = build_sets([observation])
    assert sets == [] and reason in rejected[0].reason


def test_room_air_fio2_is_air_and_a_higher_fraction_is_oxygen() -> None:
    air, _ = build_sets([obs("heart_rate", 80, "/min"), obs("inspired_oxygen", 21, "%")])
    oxygen, _ = build_sets([obs("heart_rate", 80, "/min"), obs("inspired_oxygen", 28, "%")])
    assert (air[0].on_oxygen, oxygen[0].on_oxygen) == (False, True)


def test_a_second_different_value_at_the_same_time_is_a_conflict() -> None:
    sets, rejected = build_sets([obs("heart_rate", 80, "/min"), obs("heart_rate", 95, "/min")])
    assert sets[0].heart_rate == 80 and "conflicts" in rejected[0].reason


def test_other_concepts_are_left_aside_or_with_strict_rejected() -> None:
    glucose = obs("glucose", 100, "mg/dL")
    assert build_sets([glucose, obs("diastolic_bp", 70, "mm[Hg]")]) == ([], [])
    _, rejected = build_sets([glucose, obs("diastolic_bp", 70, "mm[Hg]")], strict=True)
    assert [r.field for r in rejected] == ["glucose"]


# --- a Synthea-shaped bundle: BP panel 55284-4, oral temperature 8331-1 in degF, SpO2 with the
# pulse-oximetry and arterial codes, an in-patient encounter, urn:uuid references.


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _observation(rid: str, codes: list[str], **value: Any) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{rid}",
        "resource": {
            "resourceType": "Observation", "id": rid, "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],  # noqa: E501
            "code": {"coding": [{"system": "http://loinc.org", "code": c} for c in codes]},
            "subject": {"reference": "urn:uuid:pat-1"},
            "encounter": {"reference": "urn:uuid:enc-1"},
            "effectiveDateTime": "2026-01-01T08:00:00+00:00",
            **value,
        },
    }  # fmt: skip


def synthea_bundle(temperature: dict[str, Any]) -> dict[str, Any]:
    bp = {"component": [
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
         "valueQuantity": _quantity(105, "mm[Hg]")},
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
         "valueQuantity": _quantity(70, "mm[Hg]")},
    ]}  # fmt: skip
    return {
        "resourceType": "Bundle", "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:pat-1",
             "resource": {"resourceType": "Patient", "id": "pat-1", "gender": "female",
                          "birthDate": "1950-02-03"}},
            {"fullUrl": "urn:uuid:enc-1",
             "resource": {"resourceType": "Encounter", "id": "enc-1", "status": "finished",
                          "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                    "code": "IMP"},
                          "subject": {"reference": "urn:uuid:pat-1"}}},
            _observation("bp", ["55284-4"], **bp),
            _observation("temp", ["8331-1"], valueQuantity=temperature),
            _observation("hr", ["8867-4"], valueQuantity=_quantity(112, "/min")),
            _observation("rr", ["9279-1"], valueQuantity=_quantity(22, "/min")),
            _observation("sat", ["59408-5", "2708-6"], valueQuantity=_quantity(95, "%")),
        ],
    }  # fmt: skip


def _only_set(report: Any) -> Any:
    sets, rejected = vital_sets(report.records)
    assert rejected == [] and len(sets) == 1, (report.rejections, rejected)
    return sets[0]


def test_a_synthea_bundle_with_bp_panel_and_oral_degf_temperature_scores() -> None:
    report = read_document(synthea_bundle(_quantity(101.1, "[degF]")))
    vitals = _only_set(report)
    news2 = score_news2(vitals, load_news2())
    assert news2.subscores == {
        "respiration_rate": 2, "spo2": 1, "systolic_bp": 1, "pulse": 2, "temperature": 1,
    }  # fmt: skip
    assert sorted(news2.missing) == ["air_or_oxygen", "consciousness"]
    assert vitals.encounter_class == "IMP"
    assert sorted(vitals.sources) == [
        "Observation/bp", "Observation/hr", "Observation/rr", "Observation/sat", "Observation/temp",
    ]  # fmt: skip


FULL_LINE = {"patient_id": "pat-1", "time": "2026-01-01T08:00:00Z", "respiratory_rate": 22,
             "spo2": 95, "systolic_bp": 105, "heart_rate": 112, "temperature_c": 38.0}  # fmt: skip


@pytest.mark.parametrize("fahrenheit", [100.4, 96.8, 95.0])  # 38.0, 36.0, 35.0 degC: band edges
def test_the_same_set_as_fhir_as_json_lines_and_in_degf_gives_the_same_news2(
    fahrenheit: float,
) -> None:
    celsius = round((fahrenheit - 32) * 5 / 9, 1)
    table = load_news2()
    as_lines = read_vital_lines([json.dumps(FULL_LINE | {"temperature_c": celsius})])
    as_degf = read_vital_lines(
        [json.dumps({k: v for k, v in FULL_LINE.items() if k != "temperature_c"}
                    | {"temperature_f": fahrenheit})]
    )  # fmt: skip
    as_fhir = read_document(synthea_bundle(_quantity(fahrenheit, "[degF]")))
    as_fhir_cel = read_document(synthea_bundle(_quantity(celsius, "Cel")))
    scores = [
        score_news2(_only_set(r), table).model_dump(include={"partial_total", "subscores"})
        for r in (as_lines, as_degf, as_fhir, as_fhir_cel)
    ]
    assert all(s == scores[0] for s in scores), scores


@pytest.mark.parametrize("profile", ["healthy", "hypertension", "ckd_stage3"])
def test_carebundle_vital_signs_become_sets_with_their_encounter_class(profile: str) -> None:
    import carebundle

    bundle = json.loads(carebundle.to_json(carebundle.generate_bundle(profile=profile, seed=3)))
    sets, rejected = vital_sets(read_document(bundle).records)
    assert sets and rejected == []
    news2 = score_news2(sets[-1], load_news2())
    assert {"respiration_rate", "spo2", "systolic_bp", "pulse", "temperature"} <= set(
        news2.subscores
    )
    assert sets[-1].encounter_class is not None


def test_loose_fhir_observations_score_like_the_same_json_line() -> None:
    entries = synthea_bundle(_quantity(38.0, "Cel"))["entry"][2:]
    resources = []
    for entry in entries:
        resource = dict(entry["resource"])
        resource["subject"] = {"reference": "Patient/pat-1"}
        resource.pop("encounter")
        resources.append(resource)
    from_fhir = _only_set(read_observation_resources(resources))
    from_line = _only_set(read_vital_lines([json.dumps(FULL_LINE)]))
    table = load_news2()
    assert score_news2(from_fhir, table) == score_news2(from_line, table)


@pytest.mark.parametrize(("birth_date", "scored"), [("2012-06-01", False), ("2010-01-01", True)])
def test_a_set_taken_before_the_patient_was_16_is_not_scored_with_news2(
    birth_date: str, scored: bool
) -> None:
    # the set is on 2026-01-01: aged 13 (not validated, RCP 2017) or 16 (scored)
    bundle = synthea_bundle(_quantity(37.0, "Cel"))
    bundle["entry"][0]["resource"]["birthDate"] = birth_date
    sets, rejected = vital_sets(read_document(bundle).records)
    assert len(sets) == int(scored)
    if not scored:
        assert [r.field for r in rejected] == ["patient.birth_date"]
        assert "before the patient was 16: NEWS2 is not validated" in rejected[0].reason
