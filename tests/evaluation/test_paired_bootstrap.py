"""Paired bootstrap over groups: tiny cases whose intervals can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from medlm.errors import InputError
from medlm.evaluation.paired_bootstrap import (
    group_confusions,
    macro_f1_from_confusion,
    paired_bootstrap,
    resample_counts,
)

LABELS = ("A", "B", "C")


def test_identical_predictions_give_a_difference_and_interval_of_exactly_zero() -> None:
    gold = ["A", "B", "C", "A", "B", "C"]
    predicted = ["A", "B", "B", "A", "C", "C"]
    result = paired_bootstrap(gold, predicted, predicted, [1, 1, 1, 2, 2, 2], LABELS)
    assert (result.difference, result.ci_low, result.ci_high) == (0.0, 0.0, 0.0)
    assert result.share_at_or_below_zero == 1.0
    assert result.model == result.baseline


def test_perfect_model_against_an_always_wrong_baseline_differs_by_one_in_every_resample() -> None:
    gold = ["A", "B", "C"] * 4
    wrong = ["B", "C", "A"] * 4
    result = paired_bootstrap(gold, gold, wrong, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], LABELS)
    assert (result.model, result.baseline, result.difference) == (1.0, 0.0, 1.0)
    assert (result.ci_low, result.ci_high) == (1.0, 1.0)
    assert result.share_at_or_below_zero == 0.0
    assert (result.groups, result.items, result.resamples) == (4, 12, 1_000)


def test_two_groups_where_only_one_differs_give_the_binomial_interval() -> None:
    # One item per group; the model is right in both, the baseline only in group 2. A resample
    # draws two groups: the accuracy difference is 0, 1/2 or 1 with chances 1/4, 1/2, 1/4.
    result = paired_bootstrap(
        ["A", "A"], ["A", "A"], ["B", "A"], ["g1", "g2"], LABELS,
        statistic="accuracy", resamples=4_000, seed=3,
    )  # fmt: skip
    assert result.difference == 0.5
    assert (result.ci_low, result.ci_high) == (0.0, 1.0)
    assert result.share_at_or_below_zero == pytest.approx(0.25, abs=0.03)


def test_a_clearly_better_model_has_an_interval_above_zero() -> None:
    rng = np.random.default_rng(0)
    gold = rng.choice(LABELS, size=600).tolist()
    good = [g if rng.random() < 0.9 else "A" for g in gold]
    weak = [g if rng.random() < 0.6 else "A" for g in gold]
    groups = [i // 6 for i in range(600)]  # 100 abstracts of 6 sentences
    result = paired_bootstrap(gold, good, weak, groups, LABELS, seed=1)
    assert result.difference > 0.2
    assert 0 < result.ci_low < result.difference < result.ci_high
    assert result.share_at_or_below_zero == 0.0


def test_same_seed_gives_the_same_interval_and_another_seed_another_one() -> None:
    rng = np.random.default_rng(5)
    gold = rng.choice(LABELS, size=90).tolist()
    a = [g if rng.random() < 0.7 else "B" for g in gold]
    b = [g if rng.random() < 0.7 else "C" for g in gold]
    groups = [i // 3 for i in range(90)]
    first = paired_bootstrap(gold, a, b, groups, LABELS, seed=7)
    assert paired_bootstrap(gold, a, b, groups, LABELS, seed=7) == first
    other = paired_bootstrap(gold, a, b, groups, LABELS, seed=8)
    assert (other.ci_low, other.ci_high) != (first.ci_low, first.ci_high)


def test_macro_f1_from_confusion_equals_scikit_learn_with_absent_classes_scoring_zero() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(2)
    for size in (1, 5, 40):
        gold = rng.choice(["A", "B"], size=size).tolist()  # class C never occurs
        predicted = rng.choice(["A", "B"], size=size).tolist()
        confusion = group_confusions(gold, predicted, [0] * size, LABELS)[0]
        expected = f1_score(gold, predicted, labels=list(LABELS), average="macro", zero_division=0)
        assert float(macro_f1_from_confusion(confusion)) == pytest.approx(expected)


def test_each_resample_draws_as_many_groups_as_there_are() -> None:
    counts = resample_counts(n_groups=7, resamples=50, seed=0)
    assert counts.shape == (50, 7)
    assert (counts.sum(axis=1) == 7).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": ["A"]}, "model has 1 items, gold has 2"),
        ({"groups": [1, 2, 3]}, "groups has 3 items, gold has 2"),
        ({"baseline": ["A", "Z"]}, r"baseline\[1\] = 'Z' is not one of the labels"),
        ({"gold": [], "model": [], "baseline": [], "groups": []}, "gold is empty"),
        ({"resamples": 0}, "resamples = 0"),
    ],
)
def test_bad_input_names_the_field_and_value(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "gold": ["A", "B"],
        "model": ["A", "B"],
        "baseline": ["A", "A"],
        "groups": [1, 2],
        "labels": LABELS,
    }
    with pytest.raises(InputError, match=message):
        paired_bootstrap(**{**arguments, **kwargs})  # type: ignore[arg-type]
