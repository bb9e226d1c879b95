"""NEWS2 for many vital-sign sets at once (numpy), from the same cited tables as `scoring`.

Inputs are columns (NaN = missing; `on_oxygen` as 1.0/0.0/NaN, `consciousness` as the ACVPU
letter or None). Results agree with `medlm.monitor.scoring.score_news2` set for set (tested).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from medlm.knowledge.early_warning import News2Table, Parameter
from medlm.monitor.scoring import NEWS2_SUBSCORES

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class News2Columns:
    """Per-set NEWS2 results as arrays; `total` is NaN where any parameter is missing."""

    subscores: dict[str, FloatArray]  # NaN where that parameter is missing
    total: FloatArray
    partial_total: FloatArray
    red_score: NDArray[np.bool_]
    level: NDArray[np.int64]


def _band_points(param: Parameter, values: FloatArray) -> FloatArray:
    conditions = []
    for band in param.bands:
        if band.max is not None:
            conditions.append(values <= band.max)
        elif band.below is not None:
            conditions.append(values < band.below)
        else:
            conditions.append(np.ones_like(values, dtype=bool))
    points = np.select(conditions, [float(b.points) for b in param.bands])
    return np.where(np.isnan(values), np.nan, points)


def _category_points(param: Parameter, values: Sequence[str | None]) -> FloatArray:
    return np.array(
        [np.nan if v is None else float(param.categories[v]) for v in values], dtype=float
    )


def _spo2_points(cols: Mapping[str, FloatArray], table: News2Table) -> FloatArray:
    spo2, scale, oxygen = cols["spo2"], cols["spo2_scale"], cols["on_oxygen"]
    p = table.parameters
    scale1 = _band_points(p["spo2_scale_1"], spo2)
    on_air = _band_points(p["spo2_scale_2_on_air"], spo2)
    on_o2 = _band_points(p["spo2_scale_2_on_oxygen"], spo2)
    scale2 = np.where(np.isnan(oxygen), np.nan, np.where(oxygen == 1.0, on_o2, on_air))
    return np.where(scale == 2.0, scale2, scale1)


def score_news2_columns(
    cols: Mapping[str, FloatArray], consciousness: Sequence[str | None], table: News2Table
) -> News2Columns:
    """Score every set; `cols` holds respiratory_rate, spo2, spo2_scale, on_oxygen,
    systolic_bp, heart_rate and temperature_c as float arrays of equal length."""
    p = table.parameters
    oxygen = cols["on_oxygen"]
    subscores = {
        "respiration_rate": _band_points(p["respiration_rate"], cols["respiratory_rate"]),
        "spo2": _spo2_points(cols, table),
        "air_or_oxygen": np.where(
            np.isnan(oxygen),
            np.nan,
            np.where(
                oxygen == 1.0,
                float(p["air_or_oxygen"].categories["oxygen"]),
                float(p["air_or_oxygen"].categories["air"]),
            ),
        ),
        "systolic_bp": _band_points(p["systolic_bp"], cols["systolic_bp"]),
        "pulse": _band_points(p["pulse"], cols["heart_rate"]),
        "consciousness": _category_points(p["consciousness"], consciousness),
        "temperature": _band_points(p["temperature"], cols["temperature_c"]),
    }
    stacked = np.stack([subscores[name] for name in NEWS2_SUBSCORES])  # (7, N)
    partial = np.nansum(stacked, axis=0)
    complete = ~np.isnan(stacked).any(axis=0)
    red = (np.nan_to_num(stacked, nan=0.0) >= table.red_score_points).any(axis=0)
    level = np.zeros(partial.shape, dtype=np.int64)
    for row in reversed(table.responses):  # lowest level first; higher rows overwrite
        rule = row.when
        hit = np.zeros(partial.shape, dtype=bool)
        if rule.min_total is not None:
            hit |= partial >= rule.min_total
        if rule.red_score:
            hit |= red
        level = np.where(hit, row.level, level)
    return News2Columns(
        subscores=subscores,
        total=np.where(complete, partial, np.nan),
        partial_total=partial,
        red_score=red,
        level=level,
    )
