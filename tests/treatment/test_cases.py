"""Hand-built patient cases, checked as a physician would check the report (issue 16, point 5).

Each case in tests/treatment/cases/*.yaml is a compact patient: age and sex, coded problems
(SNOMED CT or ICD-10-CM), medications (RxNorm code and product name, dose), labs and vitals
(LOINC, UCUM, dated), allergies, genotypes and tumour variants (Genomics Reporting IG). It is
written out here as a FHIR R4 Bundle, read through `medlm.records.read.read_document` and given
to `TreatmentRecommender().recommend`. The case lists the issues (kind, severity, drugs) and
recommendations (action, drug or class) a physician expects; within the issue kinds and the
recommendation actions it names (by default those of what it expects; `[]` checks only that
the expected ones are present), nothing else may fire. A case marked `pending: <reason>` is
skipped with that reason (a feature not yet built, or a defect found in the code).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from medlm.records.read import read_document
from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import TreatmentReport

CASES = Path(__file__).parent / "cases"
Json = dict[str, Any]

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
SOURCE_CLASS = {"somatic": "LA6684-0", "germline": "LA6683-2"}
# short name -> (LOINC code, UCUM unit): the codes the concept value sets list
LABS = {
    "egfr": ("62238-1", "mL/min/{1.73_m2}"),
    "creatinine": ("2160-0", "mg/dL"),
    "potassium": ("2823-3", "mmol/L"),
    "sodium": ("2951-2", "mmol/L"),
    "hba1c": ("4548-4", "%"),
    "ldl": ("13457-7", "mg/dL"),
    "hdl": ("2085-9", "mg/dL"),
    "total_cholesterol": ("2093-3", "mg/dL"),
    "acr": ("9318-7", "mg/g"),
    "sbp": ("8480-6", "mm[Hg]"),
    "dbp": ("8462-4", "mm[Hg]"),
    "heart_rate": ("8867-4", "/min"),
    "lvef": ("10230-1", "%"),
}
ALL_ISSUE_KINDS = [
    "interaction",
    "contraindication",
    "dose",
    "allergy",
    "pregnancy",
    "duplicate",
    "pharmacogenomic",
]
ALL_ACTIONS = ["start", "avoid", "stop", "adjust", "monitor"]


def load_cases() -> list[Json]:
    """Every case of every area file, each tagged with its area (the file's stem)."""
    cases = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            cases.append({"area": path.stem, **case})
    return cases


# --- the compact case as a FHIR R4 Bundle -------------------------------------------------


def _subject() -> Json:
    return {"reference": "urn:uuid:pt"}


def _patient(spec: Json) -> Json:
    born = spec.get("born", "1966-01-01")
    return {"resourceType": "Patient", "id": "pt", "gender": spec["sex"], "birthDate": born}


def _condition(spec: Json) -> Json:
    system = SNOMED if "snomed" in spec else ICD10CM
    code = spec.get("snomed", spec.get("icd10"))
    return {
        "resourceType": "Condition",
        "subject": _subject(),
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": system, "code": str(code)}], "text": spec.get("text")},
    }


def _medication(spec: Json) -> Json:
    coding = [{"system": RXNORM, "code": str(spec["rxnorm"])}] if "rxnorm" in spec else []
    out: Json = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": _subject(),
        "authoredOn": spec.get("since", "2025-06-01"),
        "medicationCodeableConcept": {"coding": coding, "text": spec["name"]},
    }
    if "dose_mg" in spec:
        dose = {"value": spec["dose_mg"], "unit": "mg", "system": UCUM, "code": "mg"}
        out["dosageInstruction"] = [{"doseAndRate": [{"doseQuantity": dose}]}]
    return out


def _observation(name: str, value: float, when: str) -> Json:
    code, unit = LABS[name]
    return {
        "resourceType": "Observation",
        "status": "final",
        "subject": _subject(),
        "effectiveDateTime": str(when),
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def _allergy(substance: str) -> Json:
    return {
        "resourceType": "AllergyIntolerance",
        "patient": _subject(),
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"text": substance},
    }


def _component(code: str, value: Json) -> Json:
    return {"code": {"coding": [{"system": LOINC, "code": code}]}, "valueCodeableConcept": value}


def _genotype(spec: Json) -> Json:
    """A Genomics Reporting IG 'Genotype' Observation (84413-4) with the gene studied."""
    return {
        "resourceType": "Observation",
        "status": "final",
        "subject": _subject(),
        "code": {"coding": [{"system": LOINC, "code": "84413-4"}]},
        "valueCodeableConcept": {"text": spec["diplotype"]},
        "component": [_component("48018-6", {"text": spec["gene"]})],
    }


def _variant(spec: Json) -> Json:
    """A Genomics Reporting IG 'Variant' Observation (69548-6) with its source class."""
    source = spec.get("source", "somatic")
    components = [_component("48018-6", {"text": spec["gene"]})]
    if "protein" in spec:
        components.append(_component("48005-3", {"text": spec["protein"]}))
    if "dna" in spec:
        components.append(_component("48004-6", {"text": spec["dna"]}))
    source_coding = {"system": LOINC, "code": SOURCE_CLASS[source], "display": source.title()}
    components.append(_component("48002-0", {"coding": [source_coding]}))
    return {
        "resourceType": "Observation",
        "status": "final",
        "subject": _subject(),
        "code": {"coding": [{"system": LOINC, "code": "69548-6"}]},
        "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA9633-4"}]},
        "component": components,
    }


def bundle(case: Json) -> Json:
    """The case as a FHIR R4 collection Bundle."""
    resources = [_patient(case["patient"])]
    resources += [_condition(c) for c in case.get("conditions", [])]
    resources += [_medication(m) for m in case.get("meds", [])]
    resources += [_observation(*row) for row in case.get("labs", [])]
    resources += [_allergy(a) for a in case.get("allergies", [])]
    resources += [_genotype(g) for g in case.get("genotypes", [])]
    resources += [_variant(v) for v in case.get("variants", [])]
    for i, resource in enumerate(resources):
        resource.setdefault("id", f"r{i}")
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


# --- running and comparing ----------------------------------------------------------------


def run_case(case: Json) -> TreatmentReport:
    as_of = date.fromisoformat(str(case.get("as_of", "2026-01-01")))
    read = read_document(bundle(case), as_of=as_of)
    if read.rejections:
        raise AssertionError(f"case {case['id']}: bundle rejected: {read.rejections}")
    (record,) = read.records
    return TreatmentRecommender().recommend(record, as_of=as_of)


IssueKey = tuple[str, str, tuple[str, ...]]
RecKey = tuple[str, str]


def _issue_key(kind: str, severity: str, drugs: list[str]) -> IssueKey:
    return kind, severity, tuple(sorted(d.lower() for d in drugs))


def _kinds(case: Json, expected: list[Json], key: str, every: list[str]) -> set[str]:
    """The issue kinds (or actions) a case vouches for: its list, 'all', or those it expects."""
    named = case.get(key)
    if named == "all":
        return set(every)
    if named is not None:
        return set(named)
    return {e["kind" if key == "issue_kinds" else "action"] for e in expected}


def mismatches(case: Json, report: TreatmentReport) -> list[str]:
    """What differs between the report and the case's expectations (empty when it passes)."""
    wanted_issues = case.get("issues", [])
    kinds = _kinds(case, wanted_issues, "issue_kinds", ALL_ISSUE_KINDS)
    want_i = {_issue_key(i["kind"], i["severity"], i["drugs"]) for i in wanted_issues}
    got_i = {_issue_key(i.kind.value, i.severity.value, i.drugs) for i in report.issues}
    wanted_recs = case.get("recommendations", [])
    actions = _kinds(case, wanted_recs, "rec_actions", ALL_ACTIONS)
    want_r = {(r["action"], r.get("drug") or r["class"]) for r in wanted_recs}
    got_r = {(r.action.value, r.drug or r.drug_class or "") for r in report.recommendations}
    out = [f"missing issue {k}" for k in sorted(want_i - got_i)]
    out += [f"unexpected issue {k}" for k in sorted(got_i - want_i) if k[0] in kinds]
    out += [f"missing recommendation {k}" for k in sorted(want_r - got_r)]
    out += [f"unexpected recommendation {k}" for k in sorted(got_r - want_r) if k[0] in actions]
    for text in case.get("rationale_contains", []):
        if not any(text in r.rationale for r in report.recommendations):
            out.append(f"no recommendation's rationale says {text!r}")
    for text in case.get("citation_contains", []):
        if not any(text in r.citation.document for r in report.recommendations):
            out.append(f"no recommendation cites {text!r}")
    return out


ALL = load_cases()


def test_the_case_table_is_large_cites_its_rules_and_has_negative_cases() -> None:
    ids = [c["id"] for c in ALL]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids), "case ids must be unique"
    for case in ALL:
        assert case.get("rule") and case.get("expect"), f"{case['id']}: cite the rule and why"
    negative = [c for c in ALL if not c.get("issues") and not c.get("recommendations")]
    assert len(negative) >= 10


@pytest.mark.parametrize("case", ALL, ids=[f"{c['area']}:{c['id']}" for c in ALL])
def test_case(case: Json) -> None:
    if case.get("pending"):
        pytest.skip(f"pending: {case['pending']}")
    problems = mismatches(case, run_case(case))
    assert not problems, f"{case['id']} ({case['expect']}): " + "; ".join(problems)
