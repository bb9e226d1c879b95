"""Band-edge case tables for NEWS2 (RCP 2017 Chart 1 and 4), MEWS (Subbe 2001) and qSOFA."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from medlm.knowledge.early_warning import load_mews, load_news2, load_plausibility, load_qsofa
from medlm.monitor.scoring import score_mews, score_news2, score_qsofa
from medlm.monitor.vitals import VitalSigns

NORMAL: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2": 97,
    "on_oxygen": False,
    "systolic_bp": 120,
    "heart_rate": 70,
    "consciousness": "A",
    "temperature_c": 37.0,
}


def vitals(**changes: Any) -> VitalSigns:
    return VitalSigns(
        patient_id="p", time=datetime(2026, 1, 1, tzinfo=UTC), **{**NORMAL, **changes}
    )


def news2_sub(parameter: str, **changes: Any) -> int:
    return score_news2(vitals(**changes), load_news2()).subscores[parameter]


@pytest.mark.parametrize(
    ("value", "points"),
    [(0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)],
)
def test_news2_respiration_band_edges(value: float, points: int) -> None:
    assert news2_sub("respiration_rate", respiratory_rate=value) == points


@pytest.mark.parametrize(
    ("value", "points"), [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
)
def test_news2_spo2_scale1_band_edges(value: float, points: int) -> None:
    assert news2_sub("spo2", spo2=value) == points


@pytest.mark.parametrize("on_oxygen", [False, True])
def test_news2_spo2_scale1_ignores_oxygen_for_the_spo2_subscore(on_oxygen: bool) -> None:
    assert news2_sub("spo2", spo2=93, on_oxygen=on_oxygen) == 2


@pytest.mark.parametrize(
    ("value", "on_oxygen", "points"),
    [
        (83, False, 3), (84, False, 2), (85, False, 2), (86, False, 1), (87, False, 1),
        (88, False, 0), (92, False, 0), (93, False, 0), (97, False, 0), (100, False, 0),
        (83, True, 3), (84, True, 2), (85, True, 2), (86, True, 1), (87, True, 1),
        (88, True, 0), (92, True, 0), (93, True, 1), (94, True, 1), (95, True, 2),
        (96, True, 2), (97, True, 3), (100, True, 3),
    ],
)  # fmt: skip
def test_news2_spo2_scale2_band_edges_on_air_and_on_oxygen(
    value: float, on_oxygen: bool, points: int
) -> None:
    assert news2_sub("spo2", spo2=value, spo2_scale=2, on_oxygen=on_oxygen) == points


def test_spo2_scale2_scores_oxygen_above_96_as_3() -> None:
    result = score_news2(vitals(spo2=98, spo2_scale=2, on_oxygen=True), load_news2())
    assert result.subscores["spo2"] == 3
    assert result.subscores["air_or_oxygen"] == 2


def test_spo2_scale2_without_knowing_air_or_oxygen_is_missing_not_zero() -> None:
    result = score_news2(vitals(spo2=95, spo2_scale=2, on_oxygen=None), load_news2())
    assert "spo2" in result.missing and "air_or_oxygen" in result.missing
    assert result.total is None


@pytest.mark.parametrize(("on_oxygen", "points"), [(False, 0), (True, 2)])
def test_news2_air_or_oxygen(on_oxygen: bool, points: int) -> None:
    assert news2_sub("air_or_oxygen", on_oxygen=on_oxygen) == points


@pytest.mark.parametrize(
    ("value", "points"),
    [(60, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_news2_systolic_bp_band_edges(value: float, points: int) -> None:
    assert news2_sub("systolic_bp", systolic_bp=value) == points


@pytest.mark.parametrize(
    ("value", "points"),
    [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3)],
)
def test_news2_pulse_band_edges(value: float, points: int) -> None:
    assert news2_sub("pulse", heart_rate=value) == points


@pytest.mark.parametrize(("level", "points"), [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)])
def test_news2_consciousness_acvpu(level: str, points: int) -> None:
    assert news2_sub("consciousness", consciousness=level) == points


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (34.0, 3), (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0),
        (38.1, 1), (39.0, 1), (39.1, 2), (41.0, 2),
    ],
)  # fmt: skip
def test_news2_temperature_band_edges(value: float, points: int) -> None:
    assert news2_sub("temperature", temperature_c=value) == points


RESPONSES = {
    "routine": ("low", "routine monitoring", "minimum 12-hourly"),
    "ward": ("low", "ward-based response", "minimum 4-6-hourly"),
    "red": ("low-medium", "urgent ward-based response", "minimum 1-hourly"),
    "urgent": ("medium", "urgent response", "minimum 1-hourly"),
    "emergency": ("high", "emergency response", "continuous monitoring of vital signs"),
}


@pytest.mark.parametrize(
    ("changes", "total", "expected"),
    [
        ({}, 0, "routine"),
        ({"heart_rate": 95}, 1, "ward"),
        ({"heart_rate": 95, "systolic_bp": 105, "respiratory_rate": 10}, 3, "ward"),
        ({"heart_rate": 135}, 3, "red"),
        ({"consciousness": "C", "heart_rate": 95}, 4, "red"),
        ({"heart_rate": 115, "respiratory_rate": 22, "temperature_c": 38.5}, 5, "urgent"),
        ({"heart_rate": 135, "respiratory_rate": 22, "temperature_c": 38.5}, 6, "urgent"),
        ({"heart_rate": 135, "respiratory_rate": 22, "temperature_c": 39.5}, 7, "emergency"),
    ],
)
def test_news2_response_levels(changes: dict[str, Any], total: int, expected: str) -> None:
    result = score_news2(vitals(**changes), load_news2())
    assert result.total == total
    assert (result.risk, result.response, result.monitoring_frequency) == RESPONSES[expected]


def test_news2_maximum_aggregate_is_20() -> None:
    worst = vitals(
        respiratory_rate=30, spo2=80, on_oxygen=True, systolic_bp=80,
        heart_rate=140, consciousness="U", temperature_c=34.0,
    )  # fmt: skip
    assert score_news2(worst, load_news2()).total == 20
    assert tuple(load_news2().aggregate_range) == (0, 20)


def test_news2_missing_parameter_gives_partial_result_not_low_total() -> None:
    result = score_news2(vitals(respiratory_rate=None, heart_rate=135), load_news2())
    assert result.total is None and result.risk is None
    assert result.missing == ["respiration_rate"]
    assert result.partial_total == 3 and result.red_score and result.level == 2


MEWS_NAMES = {
    "systolic_bp": "systolic_bp",
    "heart_rate": "heart_rate",
    "respiratory_rate": "respiratory_rate",
    "temperature_c": "temperature",
}


@pytest.mark.parametrize(
    ("field", "value", "points"),
    [
        ("systolic_bp", 70, 3), ("systolic_bp", 71, 2), ("systolic_bp", 80, 2),
        ("systolic_bp", 81, 1), ("systolic_bp", 100, 1), ("systolic_bp", 101, 0),
        ("systolic_bp", 199, 0), ("systolic_bp", 200, 2),
        ("heart_rate", 39, 2), ("heart_rate", 40, 2), ("heart_rate", 41, 1), ("heart_rate", 50, 1),
        ("heart_rate", 51, 0), ("heart_rate", 100, 0), ("heart_rate", 101, 1),
        ("heart_rate", 110, 1), ("heart_rate", 111, 2), ("heart_rate", 129, 2),
        ("heart_rate", 130, 3),
        ("respiratory_rate", 8, 2), ("respiratory_rate", 9, 0), ("respiratory_rate", 14, 0),
        ("respiratory_rate", 15, 1), ("respiratory_rate", 20, 1), ("respiratory_rate", 21, 2),
        ("respiratory_rate", 29, 2), ("respiratory_rate", 30, 3),
        ("temperature_c", 34.9, 2), ("temperature_c", 35.0, 0), ("temperature_c", 38.4, 0),
        ("temperature_c", 38.5, 2),
    ],
)  # fmt: skip
def test_mews_subbe_2001_band_edges(field: str, value: float, points: int) -> None:
    result = score_mews(vitals(**{field: value}), load_mews())
    assert result.subscores[MEWS_NAMES[field]] == points


@pytest.mark.parametrize(("level", "points"), [("A", 0), ("V", 1), ("P", 2), ("U", 3)])
def test_mews_avpu(level: str, points: int) -> None:
    assert score_mews(vitals(consciousness=level), load_mews()).subscores["avpu"] == points


def test_mews_is_pinned_to_subbe_2001_and_new_confusion_is_missing() -> None:
    table = load_mews()
    assert "Subbe 2001" in table.version and table.high_risk_total == 5
    assert score_mews(vitals(consciousness="C"), table).missing == ["avpu"]


@pytest.mark.parametrize(
    ("changes", "total", "positive"),
    [
        ({}, 0, False),
        ({"systolic_bp": 101, "respiratory_rate": 21}, 0, False),
        ({"systolic_bp": 100}, 1, False),
        ({"respiratory_rate": 22}, 1, False),
        ({"systolic_bp": 100, "respiratory_rate": 22}, 2, True),
        ({"consciousness": "C", "respiratory_rate": 22}, 2, True),
        ({"consciousness": "V", "respiratory_rate": 30, "systolic_bp": 85}, 3, True),
    ],
)
def test_qsofa_sepsis3_criteria(changes: dict[str, Any], total: int, positive: bool) -> None:
    result = score_qsofa(vitals(**changes), load_qsofa())
    assert (result.total, result.positive) == (total, positive)


def test_every_score_entry_carries_a_citation() -> None:
    for table in (load_news2(), load_mews()):
        assert all(p.citation for p in table.parameters.values())
    assert all(r.citation.startswith("RCP 2017") for r in load_news2().responses)
    assert all(c.citation for c in load_qsofa().criteria.values())
    assert "engineering choice" in load_plausibility().version
