"""The per-set scorer and the vectorised scorer agree; inputs convert units explicitly."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from medlm.knowledge.early_warning import load_news2
from medlm.monitor.scoring import NEWS2_SUBSCORES, score_news2
from medlm.monitor.vectorised import score_news2_columns
from medlm.monitor.vitals import VitalSigns

vital_sets = st.builds(
    VitalSigns,
    patient_id=st.just("p"),
    time=st.just(datetime(2026, 1, 1, tzinfo=UTC)),
    respiratory_rate=st.none() | st.integers(2, 40).map(float),
    spo2=st.none() | st.integers(70, 100).map(float),
    spo2_scale=st.sampled_from([1, 2]),
    on_oxygen=st.none() | st.booleans(),
    systolic_bp=st.none() | st.integers(60, 240).map(float),
    heart_rate=st.none() | st.integers(30, 160).map(float),
    consciousness=st.none() | st.sampled_from(["A", "C", "V", "P", "U"]),
    temperature_c=st.none() | st.integers(330, 420).map(lambda t: t / 10),
)


def _nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


@settings(max_examples=60, deadline=None)
@given(st.lists(vital_sets, min_size=1, max_size=20))
def test_vectorised_news2_matches_the_per_set_scorer(sets: list[VitalSigns]) -> None:
    table = load_news2()
    cols = {
        name: np.array([_nan(getattr(v, name)) for v in sets])
        for name in ("respiratory_rate", "spo2", "systolic_bp", "heart_rate", "temperature_c")
    }
    cols["spo2_scale"] = np.array([float(v.spo2_scale) for v in sets])
    cols["on_oxygen"] = np.array([_nan(v.on_oxygen) for v in sets])
    consciousness = [v.consciousness.value if v.consciousness else None for v in sets]
    out = score_news2_columns(cols, consciousness, table)
    for i, v in enumerate(sets):
        expected = score_news2(v, table)
        assert out.partial_total[i] == expected.partial_total
        assert out.level[i] == expected.level
        assert bool(out.red_score[i]) == expected.red_score
        total = None if np.isnan(out.total[i]) else int(out.total[i])
        assert total == expected.total
        for name in NEWS2_SUBSCORES:
            got = out.subscores[name][i]
            assert (None if np.isnan(got) else int(got)) == expected.subscores.get(name)
