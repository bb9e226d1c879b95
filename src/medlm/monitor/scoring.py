"""Early-warning scores for one vital-sign set: NEWS2 (RCP 2017), MEWS (Subbe 2001), qSOFA.

This is the straightforward per-set implementation; `medlm.monitor.vectorised` scores many sets
at once with the same tables and is checked against this one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from medlm.knowledge.early_warning import MewsTable, News2Table, QsofaTable
from medlm.monitor.vitals import Consciousness, VitalSigns

NEWS2_SUBSCORES: tuple[str, ...] = (
    "respiration_rate",
    "spo2",
    "air_or_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
)


class News2Result(BaseModel):
    """A NEWS2 score. With a parameter missing, `total` is None (never a falsely low total)."""

    model_config = ConfigDict(frozen=True)

    total: int | None = Field(description="Aggregate 0-20, or None when a parameter is missing.")
    partial_total: int = Field(description="Sum of the sub-scores present: a lower bound.")
    subscores: dict[str, int]
    missing: list[str] = Field(default_factory=list)
    red_score: bool = Field(description="3 points in any single parameter.")
    risk: str | None = Field(description="low, low-medium, medium or high; None when partial.")
    response: str | None = None
    monitoring_frequency: str | None = None
    level: int = Field(
        description="Response level 0-4; for a partial set, the level its known sub-scores "
        "already guarantee (the true level is at least this)."
    )

    @property
    def complete(self) -> bool:
        return not self.missing


def _spo2_table(vitals: VitalSigns) -> str | None:
    if vitals.spo2_scale == 1:
        return "spo2_scale_1"
    if vitals.on_oxygen is None:
        return None  # scale 2 cannot be scored without knowing air or oxygen
    return "spo2_scale_2_on_oxygen" if vitals.on_oxygen else "spo2_scale_2_on_air"


def news2_subscores(vitals: VitalSigns, table: News2Table) -> tuple[dict[str, int], list[str]]:
    """The sub-score of each parameter present, and the names of those missing."""
    params = table.parameters
    values: dict[str, float | None] = {
        "respiration_rate": vitals.respiratory_rate,
        "systolic_bp": vitals.systolic_bp,
        "pulse": vitals.heart_rate,
        "temperature": vitals.temperature_c,
    }
    scores: dict[str, int] = {}
    missing: list[str] = []
    for name in NEWS2_SUBSCORES:
        if name == "spo2":
            spo2_table = _spo2_table(vitals)
            if vitals.spo2 is None or spo2_table is None:
                missing.append(name)
            else:
                scores[name] = params[spo2_table].points(vitals.spo2)
        elif name == "air_or_oxygen":
            if vitals.on_oxygen is None:
                missing.append(name)
            else:
                key = "oxygen" if vitals.on_oxygen else "air"
                scores[name] = params[name].categories[key]
        elif name == "consciousness":
            if vitals.consciousness is None:
                missing.append(name)
            else:
                scores[name] = params[name].categories[vitals.consciousness.value]
        else:
            value = values[name]
            if value is None:
                missing.append(name)
            else:
                scores[name] = params[name].points(value)
    return scores, missing


def news2_from_subscores(
    subscores: dict[str, int], missing: list[str], table: News2Table
) -> News2Result:
    """Aggregate, red score and clinical response from the sub-scores."""
    partial = sum(subscores.values())
    red = any(points >= table.red_score_points for points in subscores.values())
    row = table.response_for(partial, red)
    complete = not missing
    return News2Result(
        total=partial if complete else None,
        partial_total=partial,
        subscores=subscores,
        missing=missing,
        red_score=red,
        risk=row.risk if complete else None,
        response=row.name if complete else None,
        monitoring_frequency=row.monitoring_frequency if complete else None,
        level=row.level,
    )


def score_news2(vitals: VitalSigns, table: News2Table) -> News2Result:
    """NEWS2 for one set, as RCP 2017 Chart 1 and Chart 4 say."""
    subscores, missing = news2_subscores(vitals, table)
    return news2_from_subscores(subscores, missing, table)


class SimpleScore(BaseModel):
    """MEWS or qSOFA: total (None when a parameter is missing), sub-scores, missing, flag."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    total: int | None
    partial_total: int
    subscores: dict[str, int]
    missing: list[str]
    positive: bool | None = Field(description="At or above the score's cited threshold.")


def score_mews(vitals: VitalSigns, table: MewsTable) -> SimpleScore:
    """MEWS (Subbe 2001). New confusion ('C') has no MEWS category and is reported missing."""
    scores: dict[str, int] = {}
    missing: list[str] = []
    for name, param in table.parameters.items():
        value = getattr(vitals, param.input)
        if isinstance(value, Consciousness):
            if value.value in param.categories:
                scores[name] = param.categories[value.value]
            else:
                missing.append(name)
        elif value is None:
            missing.append(name)
        else:
            scores[name] = param.points(value)
    return _simple(table.name, table.version, scores, missing, table.high_risk_total)


def score_qsofa(vitals: VitalSigns, table: QsofaTable) -> SimpleScore:
    """qSOFA (Sepsis-3): one point each for SBP <=100, RR >=22 and altered mentation."""
    scores: dict[str, int] = {}
    missing: list[str] = []
    for name, rule in table.criteria.items():
        value = getattr(vitals, rule.input)
        if value is None:
            missing.append(name)
        elif rule.altered:
            scores[name] = int(value.value in rule.altered)
        elif rule.max is not None:
            scores[name] = int(value <= rule.max)
        else:
            scores[name] = int(rule.min is not None and value >= rule.min)
    return _simple(table.name, table.version, scores, missing, table.positive_total)


def _simple(
    name: str, version: str, scores: dict[str, int], missing: list[str], threshold: int
) -> SimpleScore:
    partial = sum(scores.values())
    if partial >= threshold:
        positive: bool | None = True
    else:
        positive = None if missing else False
    return SimpleScore(
        name=name,
        version=version,
        total=None if missing else partial,
        partial_total=partial,
        subscores=scores,
        missing=missing,
        positive=positive,
    )
