"""Product strength parsed from drug names, and milligrams per administration."""

from __future__ import annotations

import pytest

from medlm.records import Dose
from medlm.treatment.doses import dose_mg, parse_strength


@pytest.mark.parametrize(
    ("name", "strength"),
    [
        ("simvastatin 20 MG Oral Tablet", Dose(value=20, unit="mg")),
        (
            "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet",
            Dose(value=100, unit="mg"),
        ),
        ("fentanyl 0.025 MG/HR Transdermal System", None),
        ("levothyroxine sodium 0.075 MG Oral Tablet", Dose(value=0.075, unit="mg")),
        ("Amoxicillin 250 MG/5ML", Dose(value=50, unit="mg/mL")),
        ("amoxicillin 50 MG/ML Oral Suspension", Dose(value=50, unit="mg/mL")),
        ("Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension", None),
        ("Glucophage", None),
        (None, None),
    ],
)
def test_parse_strength_reads_one_strength_only(name: str | None, strength: Dose | None) -> None:
    assert parse_strength(name) == strength


@pytest.mark.parametrize(
    ("dose", "strength", "mg"),
    [
        (Dose(value=1), Dose(value=20, unit="mg"), 20.0),
        (Dose(value=2, unit="tablet"), Dose(value=20, unit="mg"), 40.0),
        (Dose(value=1, unit="{tbl}"), Dose(value=5, unit="mg"), 5.0),
        (Dose(value=0.5, unit="g"), None, 500.0),
        (Dose(value=40, unit="mg"), Dose(value=20, unit="mg"), 40.0),
        (Dose(value=5, unit="mL"), Dose(value=50, unit="mg/mL"), 250.0),
        (Dose(value=1), None, None),
        (Dose(value=5, unit="mL"), Dose(value=20, unit="mg"), None),
        (None, Dose(value=20, unit="mg"), None),
    ],
)
def test_dose_mg_uses_the_strength_for_counts_and_volumes(
    dose: Dose | None, strength: Dose | None, mg: float | None
) -> None:
    assert dose_mg(dose, strength) == mg
