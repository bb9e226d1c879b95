"""Property tests on the text readers: extraction targets and JSON-lines requests of any shape
are analysed or refused with medlm's own errors, never a crash."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medlm.errors import MedlmError
from medlm.text import MedicalTextAnalyzer
from medlm.text.batch import ExtractError, ExtractResult, process_lines
from medlm.text.vocabulary import TargetTerm, as_targets

FUZZ = settings(
    max_examples=int(os.environ.get("MEDLM_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize="MEDLM_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ODD = st.sampled_from(
    ["\ud800", "pain\udfff", "", "   ", "CHANGE OF  THE JOINT", "chest\npain", "x" * 201,
     "no chest pain", "\x00", "(", "[", "*", "\\", "pain."]
)  # fmt: skip
TEXT = st.one_of(st.text(max_size=30), ODD)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
JSON = st.recursive(
    SCALAR,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(["term", "label", "code"]), TEXT), children, max_size=3
        ),
    ),
    max_leaves=15,
)
TARGETS = st.lists(st.one_of(TEXT, JSON), max_size=4)


@pytest.fixture(scope="module")
def analyzer() -> MedicalTextAnalyzer:
    return MedicalTextAnalyzer(packaged=False)


@FUZZ
@given(items=TARGETS)
def test_as_targets_accepts_terms_or_refuses_with_a_medlm_error(items: list[Any]) -> None:
    try:
        targets = as_targets(items)
    except MedlmError:
        return
    assert all(isinstance(t, TargetTerm) for t in targets)


@FUZZ
@given(text=TEXT, targets=st.lists(TEXT, max_size=3))
def test_analyze_with_any_targets_answers_or_refuses_with_a_medlm_error(
    analyzer: MedicalTextAnalyzer, text: str, targets: list[str]
) -> None:
    try:
        analysis = analyzer.analyze(f"Patient denies {text}. Has {text}.", targets=targets)
    except MedlmError:
        return
    assert all(0 <= e.span.start <= e.span.end for e in analysis.entities)


REQUESTS = st.one_of(
    st.fixed_dictionaries(
        {"id": st.one_of(TEXT, JSON), "text": st.one_of(TEXT, JSON), "targets": TARGETS}
    ),
    JSON,
)


@FUZZ
@given(
    lines=st.lists(
        st.one_of(REQUESTS.map(json.dumps), TEXT, st.binary(max_size=20)), min_size=1, max_size=4
    )
)
def test_process_lines_answers_one_result_or_error_per_line(
    analyzer: MedicalTextAnalyzer, lines: list[str | bytes]
) -> None:
    outputs = list(process_lines(lines, analyzer))
    assert all(isinstance(o, ExtractResult | ExtractError) for o in outputs)
    assert len(outputs) == sum(1 for line in lines if line.strip())


@pytest.mark.parametrize("term", ["\ud800", "pain\udfff"])
def test_a_target_with_a_lone_surrogate_is_an_input_error(term: str) -> None:
    with pytest.raises(MedlmError):
        as_targets([term])
