"""Transparent clinical scores as baselines: FINDRISC, the ADA risk test, Framingham 2008.

Scores use whatever items the input has and list the items it lacks: a partial score is a
lower bound of the full one and is reported as such, never completed by guessing.
Definitions, versions and citations live in `medlm.knowledge.risk_scores`; a record's items
are read through the concept layer by `medlm.risk.clinical_inputs`.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from medlm.knowledge.risk_scores import band_points, load_score
from medlm.records import PatientRecord


class ScoreInputs(BaseModel):
    """Questionnaire answers and measurements; None means not known."""

    age: float | None = None
    male: bool | None = None
    bmi: float | None = None
    waist_cm: float | None = None
    physically_inactive: bool | None = None
    no_daily_vegetables: bool | None = None
    bp_medication_ever: bool | None = None
    high_blood_pressure: bool | None = None
    high_glucose_ever: bool | None = None
    gestational_diabetes: bool | None = None
    family_history: str | None = Field(
        default=None, description="'none', 'second_degree' or 'first_degree'"
    )

    @classmethod
    def from_record(
        cls, record: PatientRecord, as_of: datetime | date | None = None
    ) -> ScoreInputs:
        """Age at `as_of` (default now), sex, BMI, hypertension and BP treatment from a record,
        read through the concept layer (`medlm.risk.clinical_inputs`, which also gives each
        item's evidence); questionnaire items stay unknown."""
        from medlm.records.timing import resolve_as_of
        from medlm.risk.clinical_inputs import score_inputs

        return score_inputs(record, resolve_as_of(as_of))[0]


class ScoreResult(BaseModel):
    """Points from the items that were known, and the items that were not."""

    score: str
    version: str
    points: int
    missing_items: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing_items


def _flag(items: dict[str, object], name: str, value: bool | None, missing: list[str]) -> int:
    if value is None:
        missing.append(name)
        return 0
    spec = items[name]
    return int(spec["points_if_true"]) if value else 0  # type: ignore[index]


def findrisc(inputs: ScoreInputs) -> ScoreResult:
    """FINDRISC points (0-26) from the known items."""
    table = load_score("findrisc")
    items, missing, points = table.items, [], 0
    for name, value in (("age", inputs.age), ("bmi", inputs.bmi)):
        if value is None:
            missing.append(name)
        else:
            points += band_points(items[name]["bands"], value)
    if inputs.waist_cm is None or inputs.male is None:
        missing.append("waist")
    else:
        key = "waist_men" if inputs.male else "waist_women"
        points += band_points(items[key]["bands"], inputs.waist_cm)
    for name in ("physically_inactive", "no_daily_vegetables", "bp_medication_ever"):
        points += _flag(items, name, getattr(inputs, name), missing)
    points += _flag(items, "high_glucose_ever", inputs.high_glucose_ever, missing)
    if inputs.family_history is None:
        missing.append("family_history")
    else:
        points += int(items["family_history"]["levels"][inputs.family_history])
    return ScoreResult(
        score=table.name, version=table.version, points=points, missing_items=missing
    )


def ada_risk_test(inputs: ScoreInputs, asian: bool = False) -> ScoreResult:
    """ADA risk test points (0-10; >= 5 is high risk) from the known items."""
    table = load_score("ada_risk_test")
    items, missing, points = table.items, [], 0
    if inputs.age is None:
        missing.append("age")
    else:
        points += band_points(items["age"]["bands"], inputs.age)
    points += _flag(items, "male", inputs.male, missing)
    if inputs.male is False:  # the item applies to women only
        points += _flag(items, "gestational_diabetes", inputs.gestational_diabetes, missing)
    if inputs.family_history is None:
        missing.append("family_history_first_degree")
    else:
        points += int(inputs.family_history == "first_degree")
    points += _flag(items, "high_blood_pressure", inputs.high_blood_pressure, missing)
    points += _flag(items, "physically_inactive", inputs.physically_inactive, missing)
    if inputs.bmi is None:
        missing.append("bmi")
    else:
        points += band_points(items["bmi_asian" if asian else "bmi"]["bands"], inputs.bmi)
    return ScoreResult(
        score=table.name, version=table.version, points=points, missing_items=missing
    )


def framingham_cvd_bmi(
    *,
    age: float,
    male: bool,
    bmi: float,
    sbp: float,
    bp_treated: bool,
    smoker: bool,
    diabetes: bool,
) -> float:
    """10-year general CVD risk, D'Agostino 2008 office-based (BMI) model."""
    table = load_score("framingham_2008")
    c = (table.model_extra or {})["men" if male else "women"]
    linear = (
        c["ln_age"] * math.log(age)
        + c["ln_bmi"] * math.log(bmi)
        + c["ln_sbp_treated" if bp_treated else "ln_sbp_untreated"] * math.log(sbp)
        + c["smoker"] * float(smoker)
        + c["diabetes"] * float(diabetes)
    )
    return float(1 - c["baseline_survival_10y"] ** math.exp(linear - c["mean_linear_predictor"]))


def framingham_on_frame(frame: pd.DataFrame) -> np.ndarray:
    """Framingham BMI-model risk for each row of the Framingham extract (NaN if inputs lack)."""
    out = np.full(len(frame), np.nan)
    needed = ["age", "male", "BMI", "sysBP", "BPMeds", "currentSmoker", "diabetes"]
    for i, row in enumerate(frame[needed].itertuples(index=False)):
        values = dict(zip(needed, row, strict=True))
        if any(pd.isna(v) for v in values.values()):
            continue
        out[i] = framingham_cvd_bmi(
            age=float(values["age"]),
            male=bool(values["male"]),
            bmi=float(values["BMI"]),
            sbp=float(values["sysBP"]),
            bp_treated=bool(values["BPMeds"]),
            smoker=bool(values["currentSmoker"]),
            diabetes=bool(values["diabetes"]),
        )
    return out


def partial_points(
    frame: pd.DataFrame, score: str, *, age: str, bmi: str, male: bool
) -> tuple[np.ndarray, list[str]]:
    """FINDRISC or ADA points from the age and BMI columns of a table, and the missing items."""
    scorer = findrisc if score == "findrisc" else ada_risk_test
    points: list[float] = []
    missing: list[str] = []
    for a, b in zip(frame[age], frame[bmi], strict=True):
        result = scorer(
            ScoreInputs(
                age=None if pd.isna(a) else float(a),
                male=male,
                bmi=None if pd.isna(b) else float(b),
            )
        )
        points.append(result.points)
        missing = missing or result.missing_items
    return np.asarray(points, dtype=float), [m for m in missing if m not in ("age", "bmi")]
