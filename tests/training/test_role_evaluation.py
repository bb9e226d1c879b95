"""`evaluate_sentence_roles` against TF-IDF: the paired comparison and its leakage rule."""

from __future__ import annotations

from typing import Any

import pytest
from roles_helpers import synthetic_abstracts

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.training import role_evaluation, sentence_roles
from medlm.training.role_evaluation import compare_with_tfidf, evaluate_sentence_roles


def test_predictions_equal_to_a_perfect_baseline_differ_by_exactly_zero() -> None:
    test = synthetic_abstracts(8, "test")
    gold = [s.label for s in test]
    comparison = compare_with_tfidf(test, gold, synthetic_abstracts(30), None, resamples=200)
    assert comparison.macro_f1 == 1.0  # the cue words make the baseline perfect
    d = comparison.macro_f1_difference
    assert (d.difference, d.ci_low, d.ci_high, d.share_at_or_below_zero) == (0, 0, 0, 1.0)
    assert (d.groups, d.items, d.resamples) == (8, 40, 200)


def test_a_model_that_always_says_results_is_shown_worse_than_the_baseline() -> None:
    test = synthetic_abstracts(8, "test")
    comparison = compare_with_tfidf(test, ["RESULTS"] * len(test), synthetic_abstracts(30), None)
    d = comparison.macro_f1_difference
    assert d.model == pytest.approx(1 / 15, abs=1e-4)  # F1 1/3 on RESULTS, 0 on four roles
    assert d.ci_high < 0 and d.share_at_or_below_zero == 1.0
    assert comparison.per_class_f1["OBJECTIVE"] == 1.0


def test_a_calibrated_baseline_is_also_compared_by_its_plain_argmax() -> None:
    test = synthetic_abstracts(6, "test")
    validation = synthetic_abstracts(4, "validation")
    comparison = compare_with_tfidf(
        test, ["RESULTS"] * len(test), synthetic_abstracts(20), validation, resamples=100
    )
    assert comparison.baseline_decoding.startswith("per-role biases chosen on validation")
    assert comparison.sentence_level_macro_f1 == 1.0
    plain = comparison.macro_f1_difference_to_sentence_level
    assert plain is not None and plain.baseline == 1.0 and plain.ci_high < 0
    assert (plain.resamples, plain.seed) == (100, 0)


class _Spy:
    """Records which splits were loaded and which PMIDs the baseline was fitted on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loaded: list[str | None] = []
        self.fitted: list[str] = []
        self.journal: list[bool] = []
        self.scored_journals: list[set[str]] = []
        monkeypatch.setattr(sentence_roles, "load_role_sentences", self.load)
        original = role_evaluation.tfidf_decisions

        def spy(sentences: Any, train: Any, validation: Any, journal: bool = False) -> Any:
            self.fitted.extend(s.pmid for s in train)
            self.journal.append(journal)
            self.scored_journals.append({s.journal for s in sentences})
            return original(sentences, train, validation, journal)

        monkeypatch.setattr(role_evaluation, "tfidf_decisions", spy)

    def load(self, split: str | None = None) -> list[RoleSentence]:
        self.loaded.append(split)
        sentences = synthetic_abstracts(20 if split == "train" else 4, split or "train")
        return [s.model_copy(update={"journal": f"J{int(s.pmid[-1]) % 2}"}) for s in sentences]


def test_the_baseline_is_fitted_on_train_only_and_the_test_split_is_only_scored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy = _Spy(monkeypatch)
    metrics = evaluate_sentence_roles("tfidf", split="test")
    assert sorted(spy.loaded, key=str) == ["test", "train", "validation"]
    assert spy.fitted and all(pmid.startswith("train") for pmid in spy.fitted)
    assert metrics.decoding.startswith("per-role biases chosen on validation")
    assert metrics.vs_tfidf is None  # the baseline is not compared with itself


def test_baseline_comparison_is_attached_to_a_model_folder_evaluation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    spy = _Spy(monkeypatch)
    folder = tmp_path / "model"
    folder.mkdir()

    def perfect(path: Any, sentences: Any, on_batch: Any = None) -> Any:
        return role_evaluation.RoleDecisions([s.label for s in sentences])

    monkeypatch.setattr(role_evaluation, "model_decisions", perfect)
    metrics = evaluate_sentence_roles(str(folder), split="test", baseline=True, resamples=50)
    assert metrics.macro_f1 == 1.0 and metrics.vs_tfidf is not None
    assert metrics.vs_tfidf.macro_f1_difference.groups == 4
    assert all(pmid.startswith("train") for pmid in spy.fitted)
    assert set(metrics.vs_tfidf.per_class_f1) == set(ROLES)
    plain = evaluate_sentence_roles(str(folder), split="test")
    assert plain.vs_tfidf is None


def test_a_model_reading_the_journal_meets_a_baseline_reading_it_and_is_scored_without_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    spy = _Spy(monkeypatch)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "abstract_model.json").write_text('{"journal": true}')
    seen: list[set[str]] = []

    def perfect_with_journal(path: Any, sentences: Any, on_batch: Any = None) -> Any:
        seen.append({s.journal for s in sentences})
        return role_evaluation.RoleDecisions(
            [s.label if s.journal else "RESULTS" for s in sentences]
        )

    monkeypatch.setattr(role_evaluation, "model_decisions", perfect_with_journal)
    metrics = evaluate_sentence_roles(str(folder), split="test", baseline=True, resamples=50)
    assert metrics.reads_journal and metrics.macro_f1 == 1.0
    assert metrics.vs_tfidf is not None and "heading style" in metrics.vs_tfidf.baseline
    assert spy.journal == [True, False]  # the same cue, then the plain baseline
    assert seen == [{"J0", "J1"}, {""}] and spy.scored_journals[1] == {""}
    unknown = metrics.without_journal
    assert unknown is not None and not unknown.reads_journal and unknown.macro_f1 < 1.0
    assert unknown.vs_tfidf is not None and "heading style" not in unknown.vs_tfidf.baseline
