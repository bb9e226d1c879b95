"""`medlm text`: extract entities, context and codes from notes and abstracts; user vocabularies."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from medlm.cli.options import AsOfOpt, as_of_time
from medlm.cli.render import (
    error_line,
    print_disclaimer,
    print_json,
    print_table,
    progress,
    stdout,
    warning_line,
)
from medlm.errors import InputError
from medlm.records import CodeSystem
from medlm.text import MedicalTextAnalyzer, TargetTerm, Vocabulary, VocabularyStore
from medlm.text.batch import EntityOut, decode, result_out
from medlm.text.parallel import process_lines_parallel
from medlm.text.vocabulary import as_targets

app = typer.Typer(help="Clinical and literature text analysis.", no_args_is_help=True)
vocab_app = typer.Typer(help="Saved vocabularies of target terms.", no_args_is_help=True)
app.add_typer(vocab_app, name="vocab")

MAX_INPUT_BYTES = 50_000_000


def _open(source: str) -> BinaryIO:
    if source == "-":
        return sys.stdin.buffer
    path = Path(source)
    if not path.is_file():
        raise InputError(f"input file {source!r} does not exist")
    return path.open("rb")


def _store() -> VocabularyStore:
    from medlm.settings import load_settings

    return VocabularyStore(load_settings().data_dir / "vocabularies")


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="Text file, or '-' for standard input.")] = "-",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    jsonl: Annotated[
        bool,
        typer.Option("--jsonl", help='Input lines {"id","text","targets"}; one output line each.'),
    ] = False,
    target: Annotated[
        list[str] | None, typer.Option("--target", help="A term to find (repeatable).")
    ] = None,
    vocabulary: Annotated[
        str | None, typer.Option("--vocabulary", help="Name of a saved vocabulary to use.")
    ] = None,
    fhir_out: Annotated[
        Path | None, typer.Option("--fhir", help="Also write FHIR R4 resources (JSON) here.")
    ] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Also write the highlighted HTML view here.")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Processes for --jsonl (e.g. one per core).")
    ] = 1,
) -> None:
    """Entities with offsets, codes and context (negated, possible, historical, family...)."""
    vocab = _store().load(vocabulary) if vocabulary else None
    analyzer = MedicalTextAnalyzer()
    stream = _open(source)
    if jsonl:
        _extract_lines(stream, analyzer, vocab, list(target or []), workers)
        return
    raw = stream.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"the input is larger than {MAX_INPUT_BYTES:,} bytes; split it")
    _extract_one(raw, source, analyzer, vocab, list(target or []), as_json, fhir_out, html_out)


@app.command()
def notes(
    patients: Annotated[
        Path, typer.Argument(help="FHIR Bundle or NDJSON, medlm PatientRecord JSON, or CSV.")
    ],
    latest: Annotated[
        int | None, typer.Option("--latest", min=1, help="Only each patient's newest N notes.")
    ] = None,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per note.")] = False,
) -> None:
    """Entities of the clinical notes in patient records (DocumentReference text)."""
    from medlm.records.read import read_path
    from medlm.text.notes import analyze_notes, latest_notes

    when = as_of_time(as_of)
    report = read_path(patients, as_of=when)
    for rejection in report.rejections:
        stdout().print(f"rejected: {rejection.line()}", highlight=False)
    analyzer = MedicalTextAnalyzer()
    total = sum(len(latest_notes(r, latest)) for r in report.records)
    results = []
    with progress("analysing notes", total=len(report.records)) as advance:
        for record in report.records:
            results += analyze_notes([record], analyzer, latest)
            advance(1)
    if as_json:
        for analysis in results:
            out = result_out(analysis).model_dump(mode="json")
            sys.stdout.write(json.dumps({"patient_id": analysis.patient_id, **out}) + "\n")
        return
    rows = [
        [a.patient_id, a.id, e.text, e.label, ", ".join(k for k, v in _flags(e).items() if v)]
        for a in results
        for e in a.entities
    ]
    print_table(f"{total} notes", ["patient", "note", "text", "label", "context"], rows)
    print_disclaimer()


def _flags(entity: object) -> dict[str, bool]:
    assertion = getattr(entity, "assertion", None)
    return {k: v is True for k, v in (assertion.model_dump() if assertion else {}).items()}


def _extract_one(
    raw: bytes,
    source: str,
    analyzer: MedicalTextAnalyzer,
    vocab: Vocabulary | None,
    targets: list[str],
    as_json: bool,
    fhir_out: Path | None,
    html_out: Path | None,
) -> None:
    from medlm.text.fhir import to_fhir
    from medlm.text.html import render_html

    where = "standard input" if source == "-" else f"file {source!r}"
    text = decode(raw, where)
    analysis = analyzer.analyze(text, targets=targets, vocabulary=vocab, doc_id=None)
    if fhir_out is not None:
        fhir_out.write_text(json.dumps(to_fhir(analysis), indent=2), encoding="utf-8")
    if html_out is not None:
        html_out.write_text(render_html([analysis]), encoding="utf-8")
    result = result_out(analysis)
    if as_json:
        print_json(result)
        return
    rows = []
    for e in result.entities:
        flags = [k for k, v in e.assertion.model_dump().items() if v is True]
        rows.append(
            [e.text, e.label, e.preferred_name, _short_code(e), ", ".join(flags), _details(e)]
        )
    columns = ["text", "label", "concept", "code", "context", "details"]
    print_table(f"{len(rows)} entities", columns, rows)
    print_disclaimer()


def _short_code(entity: EntityOut) -> str | None:
    """'ICD10CM R07.9 (synonym 0.95)' rather than the full system URI."""
    if not entity.codes:
        return None
    best = max(entity.codes, key=lambda c: c.score)
    names = {s.value: s.name for s in CodeSystem}
    system = names.get(best.coding.system, best.coding.system)
    return f"{system} {best.coding.code} ({best.method} {best.score:.2f})"


def _details(entity: EntityOut) -> str:
    if entity.medication is not None:
        fields = entity.medication.model_dump(exclude_none=True, exclude={"error_prone"})
        return " ".join(str(v) for v in fields.values())
    if entity.measurement is not None:
        m = entity.measurement
        value = f"{m.value:g}/{m.value2:g}" if m.value2 is not None else f"{m.value:g}"
        return f"{value} {m.unit}"
    return ""


def _extract_lines(
    stream: BinaryIO,
    analyzer: MedicalTextAnalyzer,
    vocab: Vocabulary | None,
    targets: list[str],
    workers: int,
) -> None:
    """Write one output line per input line; exit 1 when no line could be analysed."""
    analyzer.warm_up()
    total = rejected = 0
    with progress("analysing lines", total=None) as advance:
        for line in process_lines_parallel(stream, analyzer, workers, vocab, targets):
            sys.stdout.write(line + "\n")
            total += 1
            rejected += _is_error_line(line)
            advance()
        sys.stdout.flush()
    if total and rejected == total:
        error_line(f"none of the {total:,} input lines could be analysed (see their error lines)")
        raise typer.Exit(1)
    if rejected:
        warning_line(f"{rejected:,} of {total:,} input lines could not be analysed")


def _is_error_line(line: str) -> bool:
    """Whether an output line is an `ExtractError` (a result line has no top-level "error")."""
    if '"error":' not in line:  # cheap test first: a JSON key, never inside a JSON string
        return False
    return "error" in json.loads(line)


_ROLES_FROM = {
    "headings": "from the section headings",
    "none": "not predicted (no headings; no lm.sentence_role_model configured)",
}


def _roles_from(source: str, model: str | None, journal: str, used: str | None) -> str:
    """Where the roles came from, and whether the journal given was read."""
    said = _ROLES_FROM.get(source) or str(model)
    if source != "model" or not journal.strip():
        return said
    if used:
        return f"{said} (journal {used})"
    return f"{said} (journal {journal.strip()!r} not read: unknown to the model, or it reads none)"


@app.command()
def trial(
    source: Annotated[
        str, typer.Argument(help="Abstract text file, or '-' for standard input.")
    ] = "-",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    journal: Annotated[
        str,
        typer.Option(
            "--journal",
            help="The journal's MEDLINE abbreviation (e.g. 'J Clin Oncol'), read by a role "
            "model that reads journals.",
        ),
    ] = "",
) -> None:
    """Design, sample size, arms, outcomes and effect measures of a randomized-trial abstract."""
    from medlm.settings import load_settings
    from medlm.text.abstract_roles import abstract_roles, load_configured_role_model
    from medlm.text.trials import extract_trial_facts

    raw = _open(source).read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"the input is larger than {MAX_INPUT_BYTES:,} bytes; split it")
    text = decode(raw, "standard input" if source == "-" else f"file {source!r}")
    settings = load_settings()
    roles = load_configured_role_model(
        settings.lm.sentence_role_model,
        precision=settings.lm.precision,
        cache_dir=settings.lm.cache_dir or settings.data_dir / "cache",
    )
    labelled = abstract_roles(text, roles, journal=journal)
    facts = extract_trial_facts(MedicalTextAnalyzer().analyze(text), roles=labelled)
    if as_json:
        print_json(facts)
        return
    rows: list[list[object]] = [
        ["design", ", ".join(dict.fromkeys(s.label for s in facts.design))],
        ["sample size", facts.sample_size],
        ["age range", facts.age_range],
        ["conditions", ", ".join(facts.conditions)],
        ["interventions", ", ".join(facts.interventions)],
        ["comparators", ", ".join(facts.comparators)],
        ["outcomes", "; ".join(text[o.start : o.end] for o in facts.outcomes)],
        [
            "sentence roles",
            _roles_from(facts.roles_source, facts.roles_model, journal, facts.roles_journal),
        ],
    ]
    rows += [
        [e.kind, f"{e.value:g} (95% CI {e.ci_low}-{e.ci_high}) p{e.p_value or ' n/a'}"]
        for e in facts.effects
    ]
    print_table("Trial facts", ["field", "value"], rows)
    print_disclaimer()


@vocab_app.command("save")
def vocab_save(
    name: Annotated[str, typer.Argument(help="Vocabulary name (letters, digits, . _ -).")],
    term: Annotated[list[str], typer.Option("--term", help="A term (repeatable).")],
    label: Annotated[str, typer.Option(help="Label the terms get.")] = "target",
) -> None:
    """Save (or replace) a named vocabulary of target terms."""
    if not 1 <= len(label) <= 64:
        raise InputError(f"--label must have 1 to 64 characters, not {len(label)}")
    terms = tuple(TargetTerm(term=t.term, label=label) for t in as_targets(term))
    path = _store().save(Vocabulary(name=name, terms=terms))
    stdout().print(f"saved {len(terms)} terms as {name!r} in {path}", highlight=False)


@vocab_app.command("list")
def vocab_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The saved vocabularies."""
    store = _store()
    names = store.names()
    if as_json:
        print_json(names)
        return
    rows = [[n, len(store.load(n).terms)] for n in names]
    print_table("Saved vocabularies", ["name", "terms"], rows)
