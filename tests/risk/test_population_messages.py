"""Population notes as message templates: the English reasons are unchanged, the Chinese ones
come from the catalogue, and the record's own wording stays English."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.risk.bundles import bundle, condition, quantity

from medlm.i18n import message_parts, message_text
from medlm.records import PatientRecord
from medlm.records.read import read_document
from medlm.risk.population import check_population, population_for

AS_OF = datetime(2026, 2, 1, tzinfo=UTC)
BMI = ("39156-5", "Body mass index", 31.0, "kg/m2")


def _record(*resources: dict, gender: str, birth_date: str) -> PatientRecord:
    (record,) = read_document(bundle(*resources, gender=gender, birth_date=birth_date)).records
    return record


def test_a_man_aged_90_gets_both_reasons_in_english_and_chinese() -> None:
    man = _record(quantity("bmi", *BMI), gender="male", birth_date="1935-06-01")
    status = check_population(man, population_for("pima"), AS_OF)
    assert status.outside and len(status.messages) == len(status.reasons) == 2
    assert [message_text("en", m) for m in status.messages] == status.reasons
    sex, age = (message_text("zh_CN", m) for m in status.messages)
    assert sex == "男；该模型仅适用于女性"
    assert age == "2026-02-01 时年龄 90 岁；模型数据的年龄范围为 21-81 岁"


def test_a_recorded_diabetes_keeps_the_records_display_in_english() -> None:
    woman = _record(
        quantity("bmi", *BMI),
        condition("c-t2d", "44054006", "Diabetes mellitus type 2 (disorder)"),
        gender="female",
        birth_date="1985-06-01",
    )
    status = check_population(woman, population_for("pima"), AS_OF)
    (reason,) = status.messages
    parts = message_parts("zh_CN", reason)
    assert [p.text for p in parts if p.english] == ["Diabetes mellitus type 2 (disorder)"]
    assert "已发生所预测的结局" in "".join(p.text for p in parts)


def test_a_woman_aged_40_is_inside_with_the_populations_description_translated() -> None:
    woman = _record(quantity("bmi", *BMI), gender="female", birth_date="1985-06-01")
    status = check_population(woman, population_for("pima"), AS_OF)
    assert status.status == "inside" and status.messages == []
    assert status.population_message is not None
    assert message_text("en", status.population_message) == status.population
    assert message_text("zh_CN", status.population_message).startswith("居住在亚利桑那州凤凰城附近")


def test_a_model_without_a_population_says_so_in_chinese() -> None:
    woman = _record(quantity("bmi", *BMI), gender="female", birth_date="1985-06-01")
    status = check_population(woman, None, AS_OF)
    (reason,) = status.messages
    assert message_text("en", reason) == status.reasons[0]
    assert message_text("zh_CN", reason).startswith("模型的训练数据未说明适用人群")
