"""Structured messages: a template fills the English text and keeps its parameters as data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from medlm.messages import TEMPLATE_MODULES, MessageRef, MessageTemplate, empty, templates

SRC = Path(__file__).parents[1] / "src" / "medlm"

RENAL = MessageTemplate(
    id="test.renal", text="%(drug)s with eGFR %(egfr)s: %(reason)s", quoted=("drug", "reason")
)
SCORE = MessageTemplate(
    id="test.score", text="%(name)s %(value)s%(note)s", numbers={"value": "+.2f"}
)
NOTE = MessageTemplate(id="test.note", text=" (%(mg)s mg)")


def test_template_writes_the_english_sentence_and_keeps_raw_values_in_the_reference() -> None:
    said = RENAL(drug="Metformin 500 mg tablet", egfr=27.0, reason="stop it")
    assert said.text == "Metformin 500 mg tablet with eGFR 27: stop it"
    assert said.ref == MessageRef(
        id="test.renal",
        params={"drug": "Metformin 500 mg tablet", "egfr": 27.0, "reason": "stop it"},
    )


def test_numbers_follow_the_templates_spec_and_nested_messages_keep_their_reference() -> None:
    said = SCORE(name="glucose", value=0.2049, note=NOTE(mg=12.5))
    assert said.text == "glucose +0.20 (12.5 mg)"
    assert said.ref.params["note"] == MessageRef(id="test.note", params={"mg": 12.5})
    assert SCORE(name="age", value=-1.0, note=empty()).text == "age -1.00"


def test_a_lone_percent_sign_is_literal() -> None:
    said = MessageTemplate(id="test.pct", text="HbA1c %(value)s% is high")(value=8.4)
    assert said.text == "HbA1c 8.4% is high"


def test_parameters_must_match_the_placeholders() -> None:
    with pytest.raises(ValueError, match=r"test\.renal.*egfr"):
        RENAL(drug="metformin", reason="stop it")
    with pytest.raises(ValueError, match="not placeholders"):
        MessageTemplate(id="test.bad", text="%(a)s", terms=("b",))


def test_reference_round_trips_through_json() -> None:
    ref = SCORE(name="glucose", value=0.5, note=NOTE(mg=3)).ref
    assert MessageRef.model_validate_json(ref.model_dump_json()) == ref


def _declaring_modules() -> set[str]:
    """Modules under src/medlm whose code calls MessageTemplate(...)."""
    found = set()
    for path in SRC.rglob("*.py"):
        if path.name == "messages.py" and path.parent == SRC:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "MessageTemplate"
        ]
        if calls:
            parts = path.relative_to(SRC.parent).with_suffix("").parts
            found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_every_module_that_declares_templates_is_registered() -> None:
    assert _declaring_modules() - set(TEMPLATE_MODULES) == set()


def test_registry_holds_the_producers_templates_and_the_populations() -> None:
    ids = set(templates())
    assert {"explain.reason-unit", "treatment.safety.renal", "risk.population.pima"} <= ids
