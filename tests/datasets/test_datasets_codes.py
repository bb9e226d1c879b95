"""codes.yaml: LOINC codes pinned to their sources, medlm codes for the rest."""

from __future__ import annotations

import pytest

from medlm.datasets.actg import TABLE_MAP as ACTG_MAP
from medlm.datasets.cardio import TABLE_MAPS
from medlm.datasets.cdisc import TEST_CONCEPTS
from medlm.datasets.codes import concept, concepts
from medlm.datasets.pima import TABLE_MAP as PIMA_MAP
from medlm.errors import InputError
from medlm.records import CodeSystem

PINNED_LOINC = {
    "systolic-bp": ("8480-6", "mm[Hg]"),
    "diastolic-bp": ("8462-4", "mm[Hg]"),
    "heart-rate": ("8867-4", "/min"),
    "body-temperature": ("8310-5", "Cel"),
    "body-height": ("8302-2", "cm"),
    "body-weight": ("29463-7", "kg"),
    "bmi": ("39156-5", "kg/m2"),
    "cholesterol": ("2093-3", "mg/dL"),
    "glucose": ("2345-7", "mg/dL"),
    "creatinine": ("2160-0", "mg/dL"),
    "sodium": ("2951-2", "mmol/L"),
}


@pytest.mark.parametrize(("name", "expected"), sorted(PINNED_LOINC.items()))
def test_loinc_concepts_keep_their_cited_code_and_unit(
    name: str, expected: tuple[str, str]
) -> None:
    spec = concept(name)
    assert (spec.coding.system, spec.coding.code, spec.unit) == (CodeSystem.LOINC.value, *expected)
    assert spec.source


def test_only_the_cited_concepts_use_loinc() -> None:
    loinc = {n for n, c in concepts().items() if c.coding.system == CodeSystem.LOINC.value}
    assert loinc == set(PINNED_LOINC)


def test_medlm_codes_are_their_concept_names() -> None:
    for name, spec in concepts().items():
        if spec.coding.system == CodeSystem.MEDLM.value:
            assert spec.coding.code == name


def test_every_mapped_column_names_an_existing_concept() -> None:
    maps = [PIMA_MAP, ACTG_MAP, *TABLE_MAPS.values()]
    used = {col.concept for table_map in maps for col in table_map.observations}
    used |= {name for name, _unit in TEST_CONCEPTS.values()}
    assert used <= set(concepts())


def test_unknown_concept_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no concept 'nope'"):
        concept("nope")


SHARED = {
    "systolic-bp": "systolic_bp",
    "diastolic-bp": "diastolic_bp",
    "heart-rate": "heart_rate",
    "body-temperature": "body_temperature",
    "body-height": "body_height",
    "body-weight": "body_weight",
    "bmi": "bmi",
    "cholesterol": "total_cholesterol",
    "glucose": "glucose",
    "creatinine": "creatinine",
    "sodium": "sodium",
}


def test_dataset_measures_name_their_shared_concept_in_its_canonical_unit() -> None:
    from medlm.knowledge.concepts import load_concepts

    library = load_concepts()
    assert {n: c.shared for n, c in concepts().items() if c.shared} == SHARED
    for name, key in SHARED.items():
        assert concept(name).unit == library.observation(key).unit, name
        # the shared concept's value set holds the dataset's own code
        assert library.observation_concept(concept(name).coding) is library.observation(key)


def test_a_two_hour_ogtt_glucose_is_not_the_shared_glucose() -> None:
    spec = concept("ogtt-2h-glucose")
    assert spec.shared is None and spec.unlike == "glucose"
    assert spec.coding.system == CodeSystem.MEDLM.value


def test_table_records_carry_the_shared_concept_of_each_measure() -> None:
    import pandas as pd

    from medlm.datasets.convert import table_to_records

    frame = pd.DataFrame(
        {"Age": [50], "Glucose": [148.0], "BloodPressure": [72.0]}
        | {
            c.column: [None]
            for c in PIMA_MAP.observations
            if c.column not in ("Glucose", "BloodPressure")
        }
    )
    record = table_to_records(PIMA_MAP, frame)[0]
    assert {o.code.code: o.concept for o in record.observations} == {
        "ogtt-2h-glucose": None,
        "8462-4": "diastolic_bp",
    }
