"""Anonymization operators: placeholders, masks, surrogates, date shifts, ages and ZIP codes."""

from __future__ import annotations

from medlm.privacy import Operator, OperatorConfig, deidentify
from medlm.privacy.checksums import luhn_valid, npi_valid, ssn_plausible, vin_valid
from medlm.privacy.dates import patient_offset_days, shift_date_text
from medlm.privacy.operators import generalize_zip
from medlm.privacy.terms import restricted_zip3

ACCEPTANCE = (
    "Pt John Smith (MRN 4455667), seen 03/14/2025 at 12 Elm Street, Boston MA 02118; "
    "call 617-555-0199 or jsmith@example.org. Age 93."
)


def test_acceptance_note_keeps_the_sentence_and_removes_every_identifier() -> None:
    out = deidentify(ACCEPTANCE).text
    for phi in ("John", "Smith", "4455667", "03/14/2025", "Elm", "Boston", "02118", "617-555",
                "jsmith", "93"):  # fmt: skip
        assert phi not in out
    assert "MA 021;" in out and "Age 90 or older." in out and out.startswith("Pt [NAME] (MRN")


def test_mask_keeps_length_and_redact_removes() -> None:
    masked = deidentify("SSN 402-19-8877.", OperatorConfig(operator=Operator.MASK)).text
    assert masked == "SSN ***********."
    assert deidentify("SSN 402-19-8877.", OperatorConfig(operator=Operator.REDACT)).text == "SSN ."


def test_surrogate_is_consistent_within_a_patient_and_differs_across_patients() -> None:
    text = "Seen by Dr. Alma Petrov. Dr. Alma Petrov agreed."
    a = OperatorConfig(operator=Operator.SURROGATE, patient_id="p1")
    b = OperatorConfig(operator=Operator.SURROGATE, patient_id="p2")
    out_a1, out_a2 = deidentify(text, a).text, deidentify(text, a).text
    assert out_a1 == out_a2 and "Petrov" not in out_a1
    fake = out_a1.removeprefix("Seen by Dr. ").split(".")[0]
    assert out_a1 == f"Seen by Dr. {fake}. Dr. {fake} agreed."
    others = {deidentify(text, b.model_copy(update={"patient_id": f"q{i}"})).text for i in range(5)}
    assert len(others | {out_a1}) > 1


def test_date_shift_keeps_intervals_within_a_patient() -> None:
    config = OperatorConfig(shift_dates=True, patient_id="p7", secret="s")
    out = deidentify("Admitted 11/02/2023, discharged 11/05/2023.", config).text
    days = patient_offset_days("s", "p7", 365)
    assert days != 0
    assert (
        out == f"Admitted {shift_date_text('11/02/2023', days)}, "
        f"discharged {shift_date_text('11/05/2023', days)}."
    )
    assert shift_date_text("2024-02-28", 2) == "2024-03-01"
    assert shift_date_text("March 14, 2025", -14) == "February 28, 2025"


def test_restricted_three_digit_zip_becomes_000() -> None:
    restricted = restricted_zip3()
    assert len(restricted) == 17
    assert generalize_zip("03603", restricted) == "000"
    assert generalize_zip("02118-1234", restricted) == "021"


def test_check_digits() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert npi_valid("1234567893") and not npi_valid("1234567890")
    assert vin_valid("1HGCM82633A004352") and not vin_valid("1HGCM82633A004353")
    assert ssn_plausible("402", "19", "8877") and not ssn_plausible("666", "19", "8877")
