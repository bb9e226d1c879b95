"""CHA2DS2-VASc and HAS-BLED computed from PatientFacts, item by item, with what was not read.

The items and points are the cited tables in `knowledge/risk_scores/` (cha2ds2_vasc.yaml,
has_bled.yaml); one function reads any such table. An item the record cannot show (age or sex
unknown, a bleeding history medlm has no value set for) is listed, never guessed: the points are
then a lower bound.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from medlm.knowledge.risk_scores import ScoreTable, band_points, load_score
from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.messages import Message, MessageTemplate, empty, joined_with_commas
from medlm.records import Sex
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.common import on_class, taking

SCORE = MessageTemplate(id="treatment.score", text="%(name)s %(points)s%(items)s")
SCORE_FLOOR = MessageTemplate(
    id="treatment.score-floor", text="%(name)s at least %(points)s%(items)s"
)
SCORE_ITEMS = MessageTemplate(id="treatment.score-items", text=" (%(items)s)")
SCORE_ITEM = MessageTemplate(id="treatment.score-item", text="%(item)s %(points)s", terms=("item",))


class ItemScore(BaseModel):
    """Points for a score, the items that scored, and the items that could not be read."""

    model_config = ConfigDict(frozen=True)

    name: str
    points: int
    scored: dict[str, int] = Field(default_factory=dict, description="Item -> points (> 0).")
    unknown: list[str] = Field(
        default_factory=list, description="Items the record could not decide (score is a floor)."
    )
    not_read: list[str] = Field(
        default_factory=list, description="Items medlm does not read from records (counted 0)."
    )

    def text(self) -> str:
        """'CHA2DS2-VASc 3 (hypertension 1, age 2)'."""
        return self.said().text

    def said(self) -> Message:
        """`text` as a message template (the items as glossary terms)."""
        parts = [SCORE_ITEM(item=k.replace("_", " "), points=v) for k, v in self.scored.items()]
        items = SCORE_ITEMS(items=joined_with_commas(parts)) if parts else empty()
        total = SCORE_FLOOR if self.unknown else SCORE
        return total(name=self.name, points=self.points, items=items)

    def missing_lines(self) -> list[str]:
        out = [f"{self.name}: {u} not available, the score is a lower bound" for u in self.unknown]
        if self.not_read:
            out.append(
                f"{self.name} items not read from the record (counted 0): "
                + ", ".join(self.not_read)
            )
        return out


def _item(
    name: str, item: dict[str, Any], facts: PatientFacts, k: TreatmentKnowledge
) -> tuple[int | None, str | None]:
    """(points, None), or (None, what is unknown), or (0, None) when absent."""
    pts = int(item.get("points", 0))
    if "bands" in item:
        if facts.age is None:
            return None, "age"
        return band_points(item["bands"], facts.age), None
    if "age_above" in item:
        if facts.age is None:
            return None, "age"
        return (pts if facts.age > item["age_above"] else 0), None
    if "sex" in item:
        if facts.sex not in (Sex.MALE, Sex.FEMALE):
            return None, "sex"
        return (pts if facts.sex.value == item["sex"] else 0), None
    if "systolic_above" in item:
        sbp = facts.lab("systolic_bp")
        if sbp is None or sbp.exact is None:
            return None, "systolic blood pressure"
        return (pts if sbp.exact > item["systolic_above"] else 0), None
    hit = bool(set(item.get("concepts", [])) & facts.conditions)
    if "creatinine_at_least_mg_dl" in item:
        creat = facts.lab("creatinine")
        hit = hit or (
            creat is not None and creat.at_least(item["creatinine_at_least_mg_dl"]) is True
        )
    if "classes" in item:
        hit = hit or on_class(facts, k, item["classes"])
    return (pts if hit else 0), None


def score(table: ScoreTable, label: str, facts: PatientFacts, k: TreatmentKnowledge) -> ItemScore:
    """Score `facts` (PatientFacts) against a risk-score table."""
    points, scored, unknown, not_read = 0, {}, [], []
    for name, item in table.items.items():
        if "not_read" in item:
            only = item.get("only_on_classes")
            if only is None or taking(facts, k, only):
                not_read.append(str(item["not_read"]))
            continue
        got, why = _item(name, item, facts, k)
        if why is not None:
            unknown.append(why)
        elif got:
            points += got
            scored[name] = got
    return ItemScore(name=label, points=points, scored=scored, unknown=unknown, not_read=not_read)


def cha2ds2_vasc(facts: PatientFacts, k: TreatmentKnowledge) -> ItemScore:
    return score(load_score("cha2ds2_vasc"), "CHA2DS2-VASc", facts, k)


def has_bled(facts: PatientFacts, k: TreatmentKnowledge) -> ItemScore:
    return score(load_score("has_bled"), "HAS-BLED", facts, k)
