"""evaluate_probabilities: the full held-out record, cut-points and subgroups."""

from __future__ import annotations

import numpy as np
import pytest

from medlm.evaluation.evaluate import age_band, evaluate_probabilities


@pytest.mark.parametrize(
    ("age", "band"), [(21, "<40"), (40, "40-49"), (49.9, "40-49"), (59, "50-59"), (60, ">=60")]
)
def test_age_band_edges(age: float, band: str) -> None:
    assert age_band(age) == band


def test_metrics_carry_cutpoints_and_subgroups_including_one_without_both_outcomes() -> None:
    rng = np.random.default_rng(1)
    p = rng.random(200)
    y = (rng.random(200) < p).astype(int)
    sex = ["female"] * 100 + ["male"] * 100
    y[100:] = 0  # no events among men: their AUROC is undefined
    y[:5] = 1
    metrics = evaluate_probabilities(
        y, p, model="m", cutpoints=(0.1, 0.2), groups={"sex": sex}, n_boot=100
    )
    assert [t.threshold for t in metrics.thresholds] == [0.1, 0.2]
    groups = {s.group: s for s in metrics.subgroups}
    assert groups["male"].auroc is None and groups["male"].events == 0
    assert groups["female"].auroc is not None and groups["female"].n == 100
    assert metrics.auroc_ci[0] < metrics.auroc < metrics.auroc_ci[1]
