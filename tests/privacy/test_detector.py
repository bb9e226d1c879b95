"""PHI detector case table: each HIPAA category found, clinical look-alikes kept."""

from __future__ import annotations

import pytest

from medlm.privacy import PhiDetector, PhiLabel


def _found(text: str) -> set[tuple[str, str]]:
    return {(s.label, s.text_in(text)) for s in PhiDetector().detect(text).spans}


@pytest.mark.parametrize(
    ("text", "label", "value"),
    [
        ("Seen by Dr. Alma Petrov today.", PhiLabel.NAME, "Alma Petrov"),
        ("Progress note: Iris Vandermeer (MRN 889120) stable.", PhiLabel.NAME, "Iris Vandermeer"),
        ("She prefers to be called 'Sunny' at visits.", PhiLabel.NAME, "Sunny"),
        ("Lives at 4417 Old Kettle Rd, Fresno, CA 93726.", PhiLabel.STREET, "4417 Old Kettle Rd"),
        ("Lives at 4417 Old Kettle Rd, Fresno, CA 93726.", PhiLabel.CITY, "Fresno"),
        ("Lives at 4417 Old Kettle Rd, Fresno, CA 93726.", PhiLabel.ZIP, "93726"),
        ("Resides in Tulare County.", PhiLabel.COUNTY, "Tulare County"),
        ("Admitted 11/02/2023 for observation.", PhiLabel.DATE, "11/02/2023"),
        ("Admitted on March 3, 2024.", PhiLabel.DATE, "March 3, 2024"),
        ("Admitted on the third of July.", PhiLabel.DATE, "the third of July"),
        ("A 94-year-old woman.", PhiLabel.AGE, "94"),
        ("Call (559) 555-0142 after noon.", PhiLabel.PHONE, "(559) 555-0142"),
        ("Records faxed to (312) 555-0198.", PhiLabel.FAX, "(312) 555-0198"),
        (
            "Email m.ferndale@zephyrmail.example now.",
            PhiLabel.EMAIL,
            "m.ferndale@zephyrmail.example",
        ),
        ("SSN 402-19-8877 on file.", PhiLabel.SSN, "402-19-8877"),
        ("SSN as written: 402 19 8877.", PhiLabel.SSN, "402 19 8877"),
        ("Chart filed under mrn 2280.", PhiLabel.MRN, "2280"),
        ("Member ID is HPX-77-40921.", PhiLabel.HEALTH_PLAN, "HPX-77-40921"),
        ("Billing account 6620148833 charged.", PhiLabel.ACCOUNT, "6620148833"),
        ("Provider license number is 1841007193.", PhiLabel.LICENSE, "1841007193"),
        ("VIN 1HGCM82633A004352 parked.", PhiLabel.VEHICLE, "1HGCM82633A004352"),
        ("Device serial SN-CG5-881207X.", PhiLabel.DEVICE, "SN-CG5-881207X"),
        ("See https://mychart.example/p/994201.", PhiLabel.URL, "https://mychart.example/p/994201"),
        ("Reachable at 10.34.201.7 today.", PhiLabel.IP, "10.34.201.7"),
        ("Voiceprint template VP-559A on file.", PhiLabel.BIOMETRIC, "VP-559A"),
        ("Photo on file as jdoe_frontal.jpg.", PhiLabel.PHOTO, "jdoe_frontal.jpg"),
        ("Study code CRIMSON-0447 links here.", PhiLabel.ID, "CRIMSON-0447"),
    ],
)
def test_detector_finds_each_safe_harbor_category(text: str, label: PhiLabel, value: str) -> None:
    found = _found(text)
    assert any(lab == label and value in got for lab, got in found), found


@pytest.mark.parametrize(
    "text",
    [
        "History of Parkinson disease and Hodgkin lymphoma, on levodopa.",
        "NEWS2 5 at 06:00, GCS 15.",
        "A 45-year-old man, age 67 in the chart.",
        "BP 120/80, metformin 500 mg twice daily.",
        "Follow up in 2024.",
    ],
)
def test_detector_keeps_clinical_text_that_is_not_phi(text: str) -> None:
    assert _found(text) == set()


def test_eponym_candidate_is_suppressed_with_a_reason() -> None:
    detection = PhiDetector().detect("Patient Parkinson disease is progressing.")
    assert detection.spans == []
    assert "eponym" in detection.suppressed[0].reason


def test_invalid_vin_check_digit_is_not_a_vehicle() -> None:
    assert (PhiLabel.VEHICLE, "1HGCM82633A004353") not in _found("Code 1HGCM82633A004353.")


def test_later_mentions_of_a_found_name_are_tagged() -> None:
    text = "Consult for patient Reyes-Villalobos, also charted as Reyes Villalobos; Reyes agreed."
    names = {v for lab, v in _found(text) if lab == PhiLabel.NAME}
    assert {"Reyes-Villalobos", "Reyes Villalobos", "Reyes"} <= names
