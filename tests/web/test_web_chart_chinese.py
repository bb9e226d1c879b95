"""The chart in Chinese: the risk card's tier, reasons and population note, the safety issues
and the recommendations are rendered from their message templates with the patient's own
values; the English chart shows the same English texts as before."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from tests.web.test_web_chart import build_app, sign_in

from medlm.privacy.auth import Role
from medlm.records import (
    CodeSystem,
    Coding,
    Condition,
    Dose,
    MedicationStatement,
    Observation,
    Patient,
    PatientRecord,
    Sex,
)
from medlm.records.fhir import to_bundle
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.population import population_for
from medlm.settings import Settings

TIERS = {"high": "高风险", "medium": "中风险", "low": "低风险"}
MEDLM, LOINC = CodeSystem.MEDLM, CodeSystem.LOINC


def _obs(pid: str, system: CodeSystem, code: str, value: float, unit: str) -> Observation:
    return Observation(
        patient_id=pid, code=Coding(system=system, code=code), value=value, unit=unit
    )


def _woman_at_risk() -> PatientRecord:
    """A 52-year-old woman without diabetes: high 2-hour glucose and BMI (the Pima inputs)."""
    pid = "zh-risk"
    return PatientRecord(
        patient=Patient(id=pid, age=52, sex=Sex.FEMALE),
        observations=[
            _obs(pid, MEDLM, "pregnancies", 3, "1"),
            _obs(pid, MEDLM, "ogtt-2h-glucose", 183, "mg/dL"),
            _obs(pid, LOINC, "8462-4", 74, "mm[Hg]"),
            _obs(pid, MEDLM, "triceps-skinfold", 32, "mm"),
            _obs(pid, LOINC, "39156-5", 38.2, "kg/m2"),
            _obs(pid, MEDLM, "diabetes-pedigree", 0.9, "1"),
        ],
    )


def _diabetic_kidneys_failing() -> PatientRecord:
    """A 67-year-old man with type 2 diabetes on metformin 1000 mg, eGFR 25, HbA1c 8.4%."""
    pid = "zh-ckd"
    return PatientRecord(
        patient=Patient(id=pid, age=67, sex=Sex.MALE),
        conditions=[
            Condition(patient_id=pid, code=Coding(system=CodeSystem.ICD10CM, code="E11.9"))
        ],
        medication_statements=[
            MedicationStatement(
                id="m1", patient_id=pid, name="metformin", dose=Dose(value=1000, unit="mg")
            )
        ],
        observations=[
            _obs(pid, LOINC, "62238-1", 25, "mL/min/{1.73_m2}"),
            _obs(pid, LOINC, "4548-4", 8.4, "%"),
        ],
    )


def _died_last_year() -> PatientRecord:
    """The woman at risk, recorded as having died on 2 November 2025."""
    woman = _woman_at_risk()
    pid = "zh-dead"
    return PatientRecord(
        patient=Patient(
            id=pid, age=52, sex=Sex.FEMALE, deceased=True, deceased_on=date(2025, 11, 2)
        ),
        observations=[o.model_copy(update={"patient_id": pid}) for o in woman.observations],
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Both patients' charts in English and in Chinese."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    data = from_dataset("pima")
    model = DiseaseRiskPredictor(
        population=population_for("pima"), name="pima-diabetes", outcome="diabetes"
    )
    model.fit(data.features, data.target)  # type: ignore[arg-type]
    model.save(Path(settings.data_dir) / "risk-models" / "diabetes")
    app = build_app(settings)
    records = [_woman_at_risk(), _diabetic_kidneys_failing(), _died_last_year()]
    found = {}
    with TestClient(app, follow_redirects=False) as client:
        assert client.post("/v1/records/ingest", json=to_bundle(records)).status_code == 200
        sign_in(client, app, "doc", Role.CLINICIAN)
        for record in records:
            pid = record.patient.id
            found[f"{pid} en"] = client.get(f"/patients/{pid}?lang=en").text
            found[f"{pid} zh"] = client.get(f"/patients/{pid}?lang=zh_CN").text
    return found


def _risk_card(html: str) -> re.Match[str]:
    card = re.search(r'<article class="card risk-card tier-(\w+)".*?</article>', html, re.S)
    assert card is not None
    return card


def test_chinese_risk_card_shows_the_tier_translated_reasons_and_population(
    pages: dict[str, str],
) -> None:
    card = _risk_card(pages["zh-risk zh"])
    tier, html = card.group(1), card.group(0)
    assert f'<span class="tier">{TIERS[tier]}</span>' in html
    reasons = html.split('<ul class="reasons">')[1]
    assert "血糖 183 mg/dL：" in reasons  # the patient's own glucose, glossary term, unit kept
    assert 'lang="en"' not in reasons
    assert "居住在亚利桑那州凤凰城附近" in html  # the population note
    assert "<h3>糖尿病 " in html


def test_english_risk_card_keeps_the_english_reason_text(pages: dict[str, str]) -> None:
    html = _risk_card(pages["zh-risk en"]).group(0)
    assert '<span lang="en">Glucose 183 mg/dL: +' in html
    assert not re.search(r"[\u4e00-\u9fff]", html)


def test_chinese_chart_translates_the_kidney_issue_and_the_metformin_recommendation(
    pages: dict[str, str],
) -> None:
    treatment = pages["zh-ckd zh"].split('id="treatment-heading"')[1]
    assert "<h3>高严重度，禁忌证：二甲双胍</h3>" in treatment
    assert '<span lang="en">metformin</span>，eGFR 25：' in treatment  # record's name kept
    assert "<h3>停用：二甲双胍</h3>" in treatment
    assert "<p>eGFR 25 低于 30：停用二甲双胍</p>" in treatment
    assert "糖化血红蛋白（HbA1c）8.4% 达到或高于个体化目标" in treatment
    assert "<h3>调整：降糖治疗</h3>" in treatment  # the class from the glossary


def test_chinese_chart_says_why_a_model_was_not_applied_in_chinese(pages: dict[str, str]) -> None:
    outside = pages["zh-ckd zh"].split("<details>")[1].split("</details>")[0]
    assert "diabetes (糖尿病)" in outside
    assert "男；该模型仅适用于女性" in outside
    assert "已发生所预测的结局" in outside


def test_english_chart_keeps_the_english_treatment_cards(pages: dict[str, str]) -> None:
    treatment = pages["zh-ckd en"].split('id="treatment-heading"')[1]
    assert '<h3 lang="en">Stop metformin</h3>' in treatment
    assert "<p>eGFR 25 is below 30: stop metformin.</p>" in treatment
    assert "metformin with eGFR 25: " in treatment
    assert not re.search(r"[\u4e00-\u9fff]", treatment.split("</section>")[0])


def test_a_reason_the_de_identified_chart_rewrites_is_not_rendered_from_its_raw_values() -> None:
    from medlm.explain import top_reasons
    from medlm.privacy.detector import PhiDetector
    from medlm.risk import RiskScore
    from medlm.web.components.cards import risk_card
    from medlm.web.components.deid_chart import deid_scores

    row = {"Age": 93.0, "Glucose": 120.0}
    reasons = top_reasons(row, np.array([0.4, 0.1]), ["Age", "Glucose"], units={})
    score = RiskScore(
        patient_id="p1", probability=0.5, tier=None, outcome="diabetes", model_name="m",
        model_version="1", family="logistic", reasons=reasons,
    )  # fmt: skip
    (shown,) = deid_scores([score], PhiDetector(), "secret")
    age, glucose = shown.reasons
    assert age.message is None and glucose.message is not None
    html = str(risk_card(shown, locale="zh_CN"))
    assert "93" not in html and "血糖 120：" in html


def test_a_patient_refused_as_deceased_is_said_in_chinese(pages: dict[str, str]) -> None:
    assert "患者 zh-dead 于 2025-11-02 死亡" in pages["zh-dead zh"]
    assert '<span lang="en">patient zh-dead died on 2025-11-02</span>' in pages["zh-dead en"]


@pytest.mark.parametrize("died", [date(2025, 11, 2), None])
def test_the_charts_refusal_template_says_what_the_risk_batch_says(died: date | None) -> None:
    from medlm.i18n import message_text
    from medlm.records.timing import deceased_reason
    from medlm.web.components.chart_results import refusal_message

    patient = Patient(id="p9", age=70, sex=Sex.MALE, deceased=True, deceased_on=died)
    reason = deceased_reason(patient, datetime(2026, 1, 1, tzinfo=UTC))
    assert reason is not None
    message = refusal_message(PatientRecord(patient=patient), reason)
    assert message is not None and message_text("en", message) == reason
