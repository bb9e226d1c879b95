"""User vocabularies: per-call targets and saved vocabularies."""

from __future__ import annotations

from pathlib import Path

import pytest

from medlm.errors import InputError, ValidationError
from medlm.records import CodeSystem, Coding
from medlm.text import MedicalTextAnalyzer, TargetTerm, Vocabulary, VocabularyStore


def test_target_with_label_and_code_is_found_with_context() -> None:
    code = Coding(system=CodeSystem.SNOMED.value, code="233604007", display="Pneumonia")
    target = TargetTerm(term="pneumonia", label="infection", code=code)
    result = MedicalTextAnalyzer(packaged=False).analyze("No pneumonia on CXR.", targets=[target])
    (entity,) = result.entities
    assert entity.label == "infection" and entity.assertion.negated
    assert entity.codes[0].coding == code and entity.codes[0].method == "exact"


def test_saved_vocabulary_round_trips_and_is_used(tmp_path: Path) -> None:
    store = VocabularyStore(tmp_path / "vocabularies")
    vocab = Vocabulary(name="lung", terms=(TargetTerm(term="ground glass opacity"),))
    store.save(vocab)
    assert store.names() == ["lung"] and store.load("lung") == vocab
    result = MedicalTextAnalyzer(packaged=False).analyze(
        "Possible ground glass opacity.", vocabulary=store.load("lung")
    )
    assert result.entities[0].assertion.possible


def test_missing_vocabulary_names_the_saved_ones(tmp_path: Path) -> None:
    store = VocabularyStore(tmp_path)
    store.save(Vocabulary(name="a", terms=(TargetTerm(term="x"),)))
    with pytest.raises(InputError, match=r"no saved vocabulary named 'b' \(saved: a\)"):
        store.load("b")


def test_vocabulary_name_with_a_path_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="invalid"):
        VocabularyStore(tmp_path).load("../etc")


def test_blank_target_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"targets\[1\]"):
        MedicalTextAnalyzer(packaged=False).analyze("text", targets=["ok", " "])
