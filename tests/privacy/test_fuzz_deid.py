"""Property tests on de-identification: any text (surrogates, odd dates, extreme years) with any
operator is de-identified, never a crash, and shifted dates stay readable."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medlm.privacy import Operator, OperatorConfig, deidentify
from medlm.privacy.dates import shift_date_text
from medlm.privacy.detector import PhiDetector

FUZZ = settings(
    max_examples=int(os.environ.get("MEDLM_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize="MEDLM_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
YEAR = st.one_of(st.integers(1, 9999).map(lambda y: f"{y:04d}"), st.integers(0, 99).map(str))
DATES = st.one_of(
    st.builds(lambda m, d, y, sep: f"{m}{sep}{d}{sep}{y}", st.integers(0, 13), st.integers(0, 32),
              YEAR, st.sampled_from(["/", "-", "."])),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", YEAR, st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda mo, d, y: f"{mo} {d}, {y}", st.sampled_from(["January", "Feb", "dec", "Sept"]),
              st.integers(0, 32), YEAR),
    st.builds(lambda d, mo, y: f"{d} of {mo} {y}", st.integers(0, 32),
              st.sampled_from(["March", "Dec"]), YEAR),
)  # fmt: skip
PIECES = st.one_of(
    DATES,
    st.text(max_size=20),
    st.sampled_from(["\ud800", "John Smith", "MRN 12345678", "555-123-4567", "age 93", "\n"]),
)
TEXTS = st.lists(PIECES, max_size=6).map(" ".join)


@pytest.fixture(scope="module")
def detector() -> PhiDetector:
    return PhiDetector(ner=False)


@FUZZ
@given(value=st.one_of(DATES, st.text(max_size=15)), days=st.integers(-3650, 3650))
def test_shift_date_text_shifts_or_answers_none(value: str, days: int) -> None:
    shifted = shift_date_text(value, days)
    assert shifted is None or shifted.strip()


@FUZZ
@given(
    text=TEXTS,
    operator=st.sampled_from(list(Operator)),
    shift=st.booleans(),
    patient=st.one_of(st.text(min_size=1, max_size=10), st.sampled_from(["\ud800", "p\udfff"])),
)
def test_deidentify_answers_for_any_text(
    detector: PhiDetector, text: str, operator: Operator, shift: bool, patient: str
) -> None:
    config = OperatorConfig(operator=operator, shift_dates=shift, patient_id=patient)
    result = deidentify(text, config, detector)
    assert all(0 <= s.start < s.end <= len(text) for s in result.spans)
    assert result.unshifted_dates <= len(result.spans)


def test_a_patient_id_with_a_lone_surrogate_still_keys_surrogates_and_shifts(
    detector: PhiDetector,
) -> None:
    config = OperatorConfig(operator=Operator.SURROGATE, shift_dates=True, patient_id="p\ud800")
    first = deidentify("Seen 01/02/2020 by John Smith.", config, detector)
    again = deidentify("Seen 01/02/2020 by John Smith.", config, detector)
    assert first.text == again.text
    assert "John Smith" not in first.text and "01/02/2020" not in first.text
