"""Policy evaluation: IPW value with known randomization probabilities, and ACTG 175 end to end."""

from __future__ import annotations

import numpy as np
import pytest

from medlm.datasets import load
from medlm.knowledge.treatment import load_trial
from medlm.treatment.policy import evaluate_policies, ipw_value


def test_ipw_value_of_a_single_arm_is_its_weighted_mean() -> None:
    arms = np.array([0, 0, 1, 1])
    y = np.array([1.0, 3.0, 10.0, 20.0])
    p = np.array([0.5, 0.5])
    assert ipw_value(arms, y, np.zeros(4, dtype=int), p) == pytest.approx(2.0)
    assert ipw_value(arms, y, np.ones(4, dtype=int), p) == pytest.approx(15.0)
    assert ipw_value(arms, y, np.array([0, 1, 1, 0]), p) == pytest.approx((1.0 + 10.0) / 2)


def test_actg175_policy_evaluation_reports_values_with_cis() -> None:
    frame = load("actg175").frame
    result = evaluate_policies(frame, load_trial("actg175"), n_folds=2, n_bootstrap=50, max_iter=20)
    assert result.n_patients == 2139
    assert set(result.arms) == {
        "zidovudine",
        "zidovudine + didanosine",
        "zidovudine + zalcitabine",
        "didanosine",
    }
    # zidovudine monotherapy is the weakest arm on CD4 at 20 weeks
    assert min(result.arms, key=lambda a: result.arms[a].value) == "zidovudine"
    for est in [*result.arms.values(), *(p.value for p in result.policies)]:
        assert est.ci_low < est.value < est.ci_high
    assert [p.learner for p in result.policies] == ["T-learner", "DR-learner"]
    assert "treating everyone with" in result.conclusion
    assert all(sum(p.arm_shares.values()) == pytest.approx(1.0) for p in result.policies)
    # the self-normalized value of a single arm is that arm's mean outcome, with a tighter CI
    zdv = frame[frame["arms"] == 0]["cd420"].mean()
    assert result.arms_self_normalized["zidovudine"].value == pytest.approx(zdv)
    for name, ht in result.arms.items():
        sn = result.arms_self_normalized[name]
        assert sn.ci_high - sn.ci_low < ht.ci_high - ht.ci_low
