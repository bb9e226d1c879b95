"""FDA-approved targeted therapy by tumour biomarker and tumour type: the typed oncology.yaml.

Each `Approval` names its biomarkers, the tumour-type condition concept (`solid_tumour` for a
tumour-agnostic label), the regimen, the approval context (line of therapy, partners), the date
and the FDA label it comes from; `Approval.cite` turns that into the `Citation` every
recommendation carries. Biomarkers say how a normalised alteration is recognised
(`medlm.treatment.variants`). Read once, on first use (like the concept library); a
malformed file raises ConfigError naming the entry.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from medlm.errors import ConfigError
from medlm.knowledge.treatment import Citation, Verification

Source = Literal["germline", "somatic"]
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MatchRule(_Frozen):
    """One way an alteration counts as the biomarker (kind plus optional narrowing)."""

    kind: str
    changes: tuple[str, ...] = ()
    codons: tuple[int, ...] = ()
    exon: int | None = None


class Biomarker(_Frozen):
    key: str = ""
    display: str
    genes: tuple[str, ...] = Field(min_length=1)
    match: tuple[MatchRule, ...] = Field(min_length=1)
    note: str | None = None


class ExonRange(_Frozen):
    residues: tuple[int, int]
    cite: dict[str, str]


class Approval(_Frozen):
    """One FDA-labelled indication: biomarker(s) x tumour type -> regimen."""

    id: str
    biomarkers: tuple[str, ...] = Field(min_length=1)
    tumour: str
    except_tumours: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ("somatic",)
    regimen: tuple[str, ...] = Field(min_length=1)
    context: str = Field(min_length=1)
    approved: str
    date_note: str | None = None
    label: str = Field(min_length=1)
    url: str = Field(min_length=1)
    verification: Verification

    @model_validator(mode="after")
    def _date_shape(self) -> Approval:
        if not _DATE.match(self.approved):
            raise ValueError(f"approved {self.approved!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        return self

    @property
    def agnostic(self) -> bool:
        return self.tumour == "solid_tumour"

    @property
    def display(self) -> str:
        return " + ".join(self.regimen)

    @property
    def cite(self) -> Citation:
        return Citation(
            source=self.url,
            document=f"{self.label} US prescribing information (FDA label)",
            year=int(self.approved[:4]),
            section=f"1 Indications and Usage (approved {self.approved})",
            verification=self.verification,
        )


class OncologyKnowledge(_Frozen):
    version: str
    checked: str
    exon_ranges: dict[str, dict[int, ExonRange]]
    biomarkers: dict[str, Biomarker]
    approvals: tuple[Approval, ...]

    @model_validator(mode="after")
    def _known_biomarkers(self) -> OncologyKnowledge:
        for approval in self.approvals:
            unknown = [b for b in approval.biomarkers if b not in self.biomarkers]
            if unknown:
                raise ValueError(f"approval {approval.id!r} names unknown biomarkers {unknown}")
        return self


@lru_cache(maxsize=1)
def load_oncology_knowledge() -> OncologyKnowledge:
    """The targeted-therapy table from oncology.yaml, read once (ConfigError naming the entry)."""
    text = resources.files(__package__).joinpath("oncology.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError("treatment knowledge file oncology.yaml is not a mapping")
    try:
        knowledge = OncologyKnowledge.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"treatment knowledge file oncology.yaml: {exc}") from exc
    biomarkers = {k: b.model_copy(update={"key": k}) for k, b in knowledge.biomarkers.items()}
    return knowledge.model_copy(update={"biomarkers": biomarkers})
