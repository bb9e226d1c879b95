"""Treatment knowledge: typed, cited rules loaded from the versioned YAML files beside this module.

Files: `sources.yaml` (the documents), `drug_classes.yaml`, `interactions/*.yaml` (the
drug-interaction table, one file per kind of interaction, each naming its own `sources`),
`contraindications.yaml` (renal, disease, pregnancy, allergy), `pharmacogenomics.yaml`,
`guidelines.yaml` (ADA diabetes, ACC/AHA 2017 hypertension, ACC/AHA 2018 statins), `af.yaml`
(2023 ACC/AHA/ACCP/HRS atrial fibrillation), `heart_failure.yaml` (2022 AHA/ACC/HFSA HFrEF),
`ckd.yaml` (KDIGO 2024; each of these three names its own documents under `sources`),
`codes.yaml` (how coded concept values such as pregnancy status are read; the codes of each
concept are in `knowledge/concepts/`) and `trials.yaml` (randomized trial designs). Every rule
carries a `Citation` with the document, year, section and how it was checked (V/S/U, see
`sources.yaml`).
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from medlm.errors import ConfigError

Severity = Literal["high", "moderate", "low"]
Verification = Literal["V", "S", "U"]
CLASS_PREFIX = "@"


class Citation(BaseModel):
    """Where a rule comes from: document, year, section, and how medlm checked it."""

    model_config = ConfigDict(frozen=True)

    source: str
    document: str
    year: int
    section: str
    verification: Verification

    def __str__(self) -> str:
        flag = {"V": "", "S": " [secondary source]", "U": " [unverified]"}[self.verification]
        return f"{self.document}, {self.year}, {self.section}{flag}"


class DrugClass(BaseModel):
    id: str
    display: str
    members: list[str]
    duplicate: bool
    atc: str | None = Field(default=None, description="WHO ATC group, where one fits.")
    cite: Citation


class InteractionRule(BaseModel):
    """A drug pair or class pair: fires when one drug matches `a` and another matches `b`.

    With `a_dose_above_mg` it fires only when the `a` drug's dose exceeds that many mg (the
    label's limit with the `b` drug); an unrecorded dose is reported as not checked.
    """

    id: str
    a: list[str]
    b: list[str]
    severity: Severity
    effect: str
    mechanism: str
    management: str
    a_dose_above_mg: float | None = None
    cite: Citation


class RenalRule(BaseModel):
    id: str
    drugs: list[str]
    egfr_below: float
    egfr_from: float | None = None
    kind: Literal["contraindication", "dose"]
    severity: Severity
    applies_to: Literal["any", "new"]
    action: str
    reason: str
    cite: Citation


class DiseaseRule(BaseModel):
    id: str
    drugs: list[str]
    condition: str
    kind: Literal["contraindication"]
    severity: Severity
    reason: str
    cite: Citation


class PregnancyRule(BaseModel):
    id: str
    drugs: list[str]
    severity: Severity
    reason: str
    cite: Citation


class AllergyRule(BaseModel):
    id: str
    allergen: list[str]
    drugs: list[str]
    severity: Severity
    reason: str
    cite: Citation


class PhenotypeAdvice(BaseModel):
    action: str
    severity: Severity | None = None
    alternatives: list[str] = Field(default_factory=list)
    max_daily_dose_mg_below: float | None = None
    strength: str | None = None
    guidance: str | None = None


class PgxRule(BaseModel):
    id: str
    gene: str
    drugs: list[str]
    phenotypes: dict[str, PhenotypeAdvice] = Field(default_factory=dict)
    any_result: PhenotypeAdvice | None = None
    indication_note: str | None = None
    cite: Citation


class PregnancyStatusValues(BaseModel):
    """How a pregnancy-status value (concept `pregnancy_status`) is read: text or code."""

    pregnant_values: list[str]
    not_pregnant_values: list[str]
    cite: Citation


class TreatmentKnowledge(BaseModel):
    """All treatment rules, loaded once per component from the YAML files."""

    version: str
    classes: dict[str, DrugClass]
    interactions: list[InteractionRule]
    interactions_version: str
    renal: list[RenalRule]
    disease: list[DiseaseRule]
    pregnancy: list[PregnancyRule]
    allergy: list[AllergyRule]
    pharmacogenomics: list[PgxRule]
    pregnancy_status: PregnancyStatusValues
    guidelines: dict[str, Any] = Field(description="Raw guideline logic; see guidelines.yaml.")
    sources: dict[str, dict[str, Any]]

    def expand(self, names: list[str]) -> set[str]:
        """Ingredient names for a list of ingredients and `@class` references."""
        out: set[str] = set()
        for name in names:
            if name.startswith(CLASS_PREFIX):
                out.update(self.classes[name[1:]].members)
            else:
                out.add(name)
        return out

    def classes_of(self, ingredient: str) -> list[str]:
        """The class ids an ingredient belongs to."""
        return [cid for cid, c in self.classes.items() if ingredient in c.members]

    def cite(self, raw: dict[str, Any]) -> Citation:
        """A Citation from a `{source, section, verification}` mapping in guidelines.yaml."""
        return _citation(raw, self.sources)


class TrialDesign(BaseModel):
    """A randomized trial's arms, known randomization probabilities, outcome and covariates."""

    name: str
    arms: dict[int, str]
    randomization_probabilities: dict[int, float]
    randomization_note: str | None = None
    outcome: str
    outcome_description: str
    covariates: list[str]
    cite: Citation


def load_trial(name: str) -> TrialDesign:
    """The design of a trial listed in trials.yaml."""
    sources = _read("sources.yaml")["sources"]
    trials = _resolve_cites(_read("trials.yaml")["trials"], sources)
    if name not in trials:
        raise ConfigError(f"no trial design {name!r}; known: {sorted(trials)}")
    return TrialDesign(name=name, **trials[name])


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError(f"treatment knowledge file {name} is not a mapping")
    return data


def _citation(raw: dict[str, Any], sources: dict[str, dict[str, Any]]) -> Citation:
    src = raw["source"]
    if src not in sources:
        raise ConfigError(f"treatment knowledge cites unknown source {src!r}")
    return Citation(
        source=src,
        document=sources[src]["document"],
        year=sources[src]["year"],
        section=raw["section"],
        verification=raw["verification"],
    )


def _resolve_cites(value: Any, sources: dict[str, dict[str, Any]]) -> Any:
    """Replace every `cite: {source, section, verification}` by a full Citation mapping."""
    if isinstance(value, dict):
        out = {k: _resolve_cites(v, sources) for k, v in value.items()}
        if "cite" in out and isinstance(out["cite"], dict) and "source" in out["cite"]:
            out["cite"] = _citation(out["cite"], sources).model_dump()
        return out
    if isinstance(value, list):
        return [_resolve_cites(v, sources) for v in value]
    return value


INTERACTIONS_DIR = "interactions"


def _interaction_files() -> list[str]:
    folder = resources.files(__name__).joinpath(INTERACTIONS_DIR)
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    return [f"{INTERACTIONS_DIR}/{name}" for name in names]


def _interactions(sources: dict[str, dict[str, Any]]) -> tuple[list[Any], str]:
    """Every pair of every interaction file, and the table version (the newest file's)."""
    files = {name: _read(name) for name in _interaction_files()}
    for name, data in files.items():
        _merge_sources(name, data.pop("sources", {}), sources)
    versions = [str(data["version"]) for data in files.values()]
    pairs: list[Any] = []
    for data in files.values():
        pairs += _resolve_cites(data.get("pairs", []), sources)
    ids = [p["id"] for p in pairs]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ConfigError(f"interaction rule ids repeated: {repeated}")
    return pairs, max(versions)


def _merge_sources(
    name: str, own: dict[str, dict[str, Any]], sources: dict[str, dict[str, Any]]
) -> None:
    for sid, doc in own.items():
        if sid in sources:
            raise ConfigError(f"{name} defines source {sid!r} already defined elsewhere")
        sources[sid] = doc


GUIDELINE_FILES = ("guidelines.yaml", "af.yaml", "heart_failure.yaml", "ckd.yaml")


def _guidelines(sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The guideline sections of every guideline file; their own `sources` join `sources`."""
    merged: dict[str, Any] = {}
    for name in GUIDELINE_FILES:
        data = _read(name)
        _merge_sources(name, data.pop("sources", {}), sources)
        version = data.pop("version", None)
        if name == GUIDELINE_FILES[0]:
            merged["version"] = version
        for section, logic in data.items():
            if section in merged:
                raise ConfigError(f"{name} repeats guideline section {section!r}")
            merged[section] = logic
    return merged


def load_treatment_knowledge() -> TreatmentKnowledge:
    """Read and validate all treatment knowledge files (call once, at component construction)."""
    src = _read("sources.yaml")
    sources: dict[str, dict[str, Any]] = dict(src["sources"])
    guidelines = _guidelines(sources)
    interactions, interactions_version = _interactions(sources)
    classes = _resolve_cites(_read("drug_classes.yaml")["classes"], sources)
    contra = _resolve_cites(_read("contraindications.yaml"), sources)
    codes = _resolve_cites(_read("codes.yaml"), sources)
    knowledge = TreatmentKnowledge(
        version=src["version"],
        classes={cid: {"id": cid, **c} for cid, c in classes.items()},
        interactions=interactions,
        interactions_version=interactions_version,
        renal=contra["renal"],
        disease=contra["disease"],
        pregnancy=contra["pregnancy"],
        allergy=contra["allergy"],
        pharmacogenomics=_resolve_cites(_read("pharmacogenomics.yaml")["rules"], sources),
        pregnancy_status=codes["pregnancy_status"],
        guidelines=guidelines,
        sources=sources,
    )
    _check_class_references(knowledge)
    return knowledge


def _check_class_references(k: TreatmentKnowledge) -> None:
    refs: list[str] = []
    for rule in k.interactions:
        refs += rule.a + rule.b
    for group in (k.renal, k.disease, k.pregnancy):
        for r in group:
            refs += r.drugs
    for a in k.allergy:
        refs += a.allergen + a.drugs
    for ref in refs:
        if ref.startswith(CLASS_PREFIX) and ref[1:] not in k.classes:
            raise ConfigError(f"treatment knowledge refers to unknown drug class {ref!r}")


__all__ = [
    "AllergyRule",
    "Citation",
    "DiseaseRule",
    "DrugClass",
    "InteractionRule",
    "PgxRule",
    "PhenotypeAdvice",
    "PregnancyRule",
    "PregnancyStatusValues",
    "RenalRule",
    "TreatmentKnowledge",
    "TrialDesign",
    "load_treatment_knowledge",
    "load_trial",
]
