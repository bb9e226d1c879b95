"""Reasons as message templates: the English text is unchanged and the template renders it."""

from __future__ import annotations

import numpy as np
import pytest

from medlm.explain import describe, top_reasons
from medlm.explain.contributions import reason_message
from medlm.i18n import message_parts, message_text


@pytest.mark.parametrize(
    ("value", "unit", "method", "text"),
    [
        (168.0, "mg/dL", None, "Glucose 168 mg/dL: +0.21"),
        (168.5, None, None, "Glucose 168.5: +0.21"),
        (None, "mg/dL", None, "Glucose missing: +0.21"),
        ("female", None, None, "Glucose female: +0.21"),
        (3, "1", None, "Glucose 3: +0.21"),
        (168.0, "mg/dL", "integrated gradients", "Glucose 168 mg/dL: +0.21 (integrated gradients)"),
    ],
)
def test_reason_text_is_what_the_template_renders_in_english(
    value: object, unit: str | None, method: str | None, text: str
) -> None:
    said = reason_message("Glucose", value, 0.2071, unit, method)
    assert said.text == describe("Glucose", value, 0.2071, unit, method) == text
    assert message_text("en", said.ref) == text


def test_top_reasons_carry_their_message() -> None:
    row = {"Glucose": 183.0, "BMI": float("nan")}
    (first, second) = top_reasons(row, np.array([0.9, -0.31]), ["Glucose", "BMI"], units={})
    assert first.message is not None and message_text("en", first.message) == first.text
    assert second.text == "BMI missing: -0.31"
    assert second.message is not None and second.message.id == "explain.reason-missing"


def test_chinese_reason_uses_the_glossary_term_and_keeps_the_signed_log_odds() -> None:
    said = reason_message("Glucose", 183.0, 0.8123, "mg/dL")
    assert message_text("zh_CN", said.ref) == "血糖 183 mg/dL：+0.81"
    assert not any(p.english for p in message_parts("zh_CN", said.ref))


def test_chinese_reason_marks_an_input_the_glossary_lacks_as_english() -> None:
    parts = message_parts("zh_CN", reason_message("serum_zinc", 11.0, -0.4).ref)
    assert [p.text for p in parts if p.english] == ["serum_zinc"]
    assert "".join(p.text for p in parts) == "serum_zinc 11：-0.40"
