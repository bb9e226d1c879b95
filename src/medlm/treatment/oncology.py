"""Tumour genomics -> FDA-approved targeted therapy for that biomarker in that tumour type.

For each variant on the record (`PatientRecord.variants`, normalised by
`medlm.treatment.variants`) and each tumour type among the patient's conditions (concepts that
imply `solid_tumour` or `haematological_malignancy`, knowledge/concepts/oncology.yaml), the
table in knowledge/treatment/oncology.yaml gives the FDA-labelled regimens, each a `start`
Recommendation citing the label (section 1, with its date) whose rationale states the variant,
the tumour type and the approval context (line of therapy, partners); no dose is proposed.

Rules, in the order they apply:
- a variant is matched by biomarker (gene AND change, fusion, amplification, MSI status), never
  by gene alone: KRAS G12D is not KRAS G12C;
- germline variants count only where the label says germline (gBRCA breast, pancreatic); a
  variant whose source is not recorded is read as a tumour (somatic) result, and said so;
- approvals for the tumour type itself come first; a tumour-agnostic approval (NTRK fusion,
  MSI-H/dMMR, BRAF V600E in solid tumours, except where the label excludes the tumour, e.g.
  colorectal cancer for dabrafenib + trametinib) applies only where no tumour-specific approval
  exists for that biomarker;
- no tumour-type condition on the record, or no approval for the biomarker in the tumour type:
  a statement in the report's `missing` list ("no FDA-approved targeted therapy for ... in this
  tumour type; see clinical trials"), never a recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable

from medlm.knowledge.concepts import ConceptLibrary, load_concepts
from medlm.knowledge.treatment.oncology import Approval, Biomarker, MatchRule, OncologyKnowledge
from medlm.messages import MessageTemplate, empty
from medlm.records import PatientRecord
from medlm.records.genomics import GenomicSource, GenomicVariant
from medlm.treatment.results import Action, Recommendation
from medlm.treatment.variants import Alteration, AlterationKind, alteration_of

ROOTS = ("solid_tumour", "haematological_malignancy")
STRENGTH = "FDA-approved {date} (label indication, not a guideline grade)"


def targeted_therapies(
    record: PatientRecord,
    conditions: set[str],
    knowledge: OncologyKnowledge,
    concepts: ConceptLibrary | None = None,
) -> tuple[list[Recommendation], list[str]]:
    """Recommendations for the record's tumour variants, and what was said instead of one."""
    if not record.variants:
        return [], []
    library = concepts or load_concepts()
    tumours = tumour_types(conditions, library)
    recs: dict[str, Recommendation] = {}
    said: list[str] = []
    for variant in record.variants:
        alteration = alteration_of(variant)
        markers = recognised(alteration, knowledge)
        if alteration.source == GenomicSource.GERMLINE and not markers:
            continue  # an inherited variant no label names: not a tumour finding
        if not tumours:
            said.append(
                f"{alteration.label}: no tumour-type condition on the record, so targeted "
                "therapy was not assessed (FDA approvals are per tumour type)"
            )
            continue
        for tumour in tumours:
            found, statement = _for_tumour(variant, alteration, markers, tumour, knowledge, library)
            for rec in found:
                recs.setdefault(rec.rule_id, rec)
            if statement:
                said.append(statement)
    return list(recs.values()), said


def tumour_types(conditions: set[str], library: ConceptLibrary) -> list[str]:
    """The most specific tumour-type concepts among the conditions (NSCLC, not also lung cancer)."""
    tumours = {
        c
        for c in conditions
        if c in library.conditions and c not in ROOTS and set(ROOTS) & library.with_parents({c})
    }
    broader = {p for t in tumours for p in library.with_parents({t}) - {t}}
    return sorted(tumours - broader)


def recognised(alteration: Alteration, knowledge: OncologyKnowledge) -> list[Biomarker]:
    """The table's biomarkers this alteration is (none: not matched by gene alone)."""
    return [b for b in knowledge.biomarkers.values() if _is(alteration, b, knowledge)]


def _is(alteration: Alteration, biomarker: Biomarker, knowledge: OncologyKnowledge) -> bool:
    if alteration.gene not in biomarker.genes:
        return False
    return any(_rule(alteration, rule, knowledge) for rule in biomarker.match)


def _rule(alteration: Alteration, rule: MatchRule, knowledge: OncologyKnowledge) -> bool:
    if rule.kind == "any":
        return True
    if rule.kind == AlterationKind.DELETION and rule.exon is not None:
        span = knowledge.exon_ranges.get(alteration.gene, {}).get(rule.exon)
        residues = alteration.residues
        return (
            alteration.kind == AlterationKind.DELETION
            and span is not None
            and residues is not None
            and span.residues[0] <= residues[0] <= residues[1] <= span.residues[1]
        )
    if alteration.kind != rule.kind:
        return False
    if rule.exon is not None and alteration.exon != rule.exon:
        return False
    if rule.changes and alteration.change not in rule.changes:
        return False
    return not rule.codons or alteration.start in rule.codons


def _for_tumour(
    variant: GenomicVariant,
    alteration: Alteration,
    markers: list[Biomarker],
    tumour: str,
    knowledge: OncologyKnowledge,
    library: ConceptLibrary,
) -> tuple[list[Recommendation], str | None]:
    lineage = library.with_parents({tumour})
    name = library.conditions[tumour].display
    keys = {m.key for m in markers}
    labelled = [a for a in knowledge.approvals if keys & set(a.biomarkers)]
    usable = [a for a in labelled if _source_fits(a, alteration.source)]
    specific = [a for a in usable if not a.agnostic and a.tumour in lineage]
    agnostic = [
        a
        for a in usable
        if a.agnostic and a.tumour in lineage and not set(a.except_tumours) & lineage
    ]
    chosen = specific or agnostic
    if chosen:
        recs = [_recommend(variant, alteration, markers, a, name, bool(specific)) for a in chosen]
        return recs, None
    if alteration.source == GenomicSource.GERMLINE and any(a.tumour in lineage for a in labelled):
        return [], (
            f"germline {alteration.label} in {name}: the FDA approvals for this biomarker are "
            "for a tumour (somatic) result; no targeted therapy recommended from a germline test"
        )
    return [], (
        f"no FDA-approved targeted therapy for {alteration.label} in {name} in medlm's table "
        f"(checked {knowledge.checked}); see clinical trials"
    )


# The alteration and tumour as the record names them, the regimen and the label's approval
# context as cited (quoted); the source of the result and the approval's scope are words.
TARGETED = MessageTemplate(
    id="treatment.oncology.consider",
    text="%(source)s %(alteration)s in %(tumour)s: consider %(regimen)s, %(scope)s; approval "
    "context: %(context)s%(notes)s",
    quoted=("alteration", "tumour", "regimen", "context"),
)
SOURCE = {
    GenomicSource.SOMATIC: MessageTemplate(id="treatment.oncology.somatic", text="somatic"),
    GenomicSource.GERMLINE: MessageTemplate(id="treatment.oncology.germline", text="germline"),
    GenomicSource.UNKNOWN: MessageTemplate(
        id="treatment.oncology.source-unknown",
        text="tumour variant (genomic source not recorded; read as somatic)",
    ),
}
SCOPE_SPECIFIC = MessageTemplate(
    id="treatment.oncology.specific",
    text="FDA-approved for this biomarker in %(tumour)s",
    quoted=("tumour",),
)
SCOPE_AGNOSTIC = MessageTemplate(
    id="treatment.oncology.agnostic",
    text="FDA-approved for this biomarker under a tumour-agnostic approval for solid tumours "
    "(no approval specific to %(tumour)s)",
    quoted=("tumour",),
)
NOTES = MessageTemplate(id="treatment.oncology.notes", text="; note: %(notes)s", quoted=("notes",))


def _source_fits(approval: Approval, source: GenomicSource) -> bool:
    if source == GenomicSource.GERMLINE:
        return "germline" in approval.sources
    return "somatic" in approval.sources  # somatic, or not recorded (read as a tumour result)


def _recommend(
    variant: GenomicVariant,
    alteration: Alteration,
    markers: Iterable[Biomarker],
    approval: Approval,
    tumour: str,
    specific: bool,
) -> Recommendation:
    single = len(approval.regimen) == 1
    written = variant.protein_change or variant.dna_change
    shown = (
        f"{alteration.label} ({written})"
        if written and written not in alteration.label
        else (alteration.label)
    )
    scope = (SCOPE_SPECIFIC if specific else SCOPE_AGNOSTIC)(tumour=tumour)
    notes = [m.note for m in markers if m.note and m.key in approval.biomarkers]
    rationale = TARGETED(
        source=SOURCE[alteration.source](),
        alteration=shown,
        tumour=tumour,
        regimen=approval.display,
        scope=scope,
        context=approval.context,
        notes=NOTES(notes="; ".join(notes)) if notes else empty(),
    )
    return Recommendation(
        patient_id=variant.patient_id,
        action=Action.START,
        drug=approval.regimen[0] if single else None,
        drug_class=None if single else approval.display,
        rationale=rationale.text,
        message=rationale.ref,
        citation=approval.cite,
        strength=STRENGTH.format(date=approval.approved),
        rule_id=f"oncology:{approval.id}",
    )
