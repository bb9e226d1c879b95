"""The datasets demo: load the packaged datasets, round-trip a real cohort via FHIR, store it."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from medlm.datasets.dataset import Dataset
from medlm.datasets.export import bundle_json
from medlm.datasets.provenance import DatasetKind
from medlm.datasets.registry import list_datasets, load
from medlm.records import PatientRecord
from medlm.settings import SecuritySettings, Settings, StorageSettings

logger = logging.getLogger(__name__)

COHORT_PER_DATASET = 40  # patients taken from each patient-level dataset
COHORT_ROWS_MEASUREMENTS = 800  # CDISC vital-sign rows (a handful of whole subjects)
MEDLINE_CITATIONS = 5000  # a full parse of both files takes several seconds more


def _cohort(datasets: dict[str, Dataset]) -> list[PatientRecord]:
    """The first patients of every dataset with records, in registry order."""
    cohort: list[PatientRecord] = []
    for dataset in datasets.values():
        if not dataset.has_records:
            continue
        measurements = dataset.provenance.kind is DatasetKind.MEASUREMENTS
        limit = COHORT_ROWS_MEASUREMENTS if measurements else COHORT_PER_DATASET
        cohort.extend(dataset.to_records(limit=limit))
    return cohort


def _canonical(record: PatientRecord) -> PatientRecord:
    """The record as FHIR carries it: observations in id order (panels may reorder them) and
    without their value-set concept (the bundle carries the code; the records boundary sets the
    concept again when it reads the bundle)."""
    ordered = sorted(record.observations, key=lambda o: o.id or "")
    plain = [o.model_copy(update={"concept": None}) for o in ordered]
    return record.model_copy(update={"observations": plain})


def _dataset_line(dataset: Dataset) -> str:
    prov = dataset.provenance
    limited = f" (first {prov.limit:,})" if prov.limit else ""
    balance = f", outcome {prov.target} {prov.outcome_balance}" if prov.outcome_balance else ""
    package = f"{prov.source_package} {prov.package_version}"
    return f"{prov.name}: {prov.rows:,} rows{limited} from {package}{balance}"


def _read_back(path: Path) -> tuple[list[PatientRecord], int]:
    """Ingest the bundle with medlm's FHIR reader: (accepted records, rejection count)."""
    from medlm.records.fhir import read_bundle

    report = read_bundle(path.read_text(encoding="utf-8"))
    return list(report.records), len(report.rejections)


def _store(records: list[PatientRecord], out_dir: Path, source: str) -> tuple[Path, bool]:
    """Save the records in a SQLite file under out_dir; True if a patient reads back equal.

    Record documents are stored encrypted, as everywhere in medlm: the demo database gets its own
    fresh key ring beside it (`demo-keys.json`), so the demo needs no key configured."""
    from medlm.privacy.encryption import KeyRing
    from medlm.storage import migrate
    from medlm.storage.engine import make_engine
    from medlm.storage.repository import load_patient, save_records

    db_path = out_dir / "demo.sqlite"
    db_path.unlink(missing_ok=True)
    key_file = out_dir / "demo-keys.json"
    KeyRing.generate().save(key_file)
    settings = Settings(
        data_dir=out_dir,
        storage=StorageSettings(database_url=f"sqlite:///{db_path.resolve()}"),
        security=SecuritySettings(encryption_key_file=key_file),
    )
    engine = make_engine(settings)
    try:
        migrate.upgrade(engine)
        save_records(engine, records, source=source)
        first = records[0]
        same = load_patient(engine, first.patient.id) == first
    finally:
        engine.dispose()
    return db_path, same


def run_demo(out_dir: Path) -> list[str]:
    """Load the real datasets, export a real cohort to FHIR, ingest it back, store, summarise."""
    started = time.perf_counter()
    out = out_dir / "datasets"
    out.mkdir(parents=True, exist_ok=True)
    datasets = {
        name: load(name, limit=MEDLINE_CITATIONS if name == "medline" else None)
        for name in list_datasets()
    }
    lines = [_dataset_line(d) for d in datasets.values()]
    cohort = _cohort(datasets)
    n_obs = sum(len(r.observations) for r in cohort)
    bundle_path = out / "demo-cohort.json"
    bundle_path.write_text(bundle_json(cohort), encoding="utf-8")
    lines.append(
        f"demo cohort: {len(cohort)} real patients, {n_obs:,} observations -> {bundle_path}"
    )
    back, rejected = _read_back(bundle_path)
    lines.append(f"FHIR ingest of the bundle: {len(back)} patients accepted, {rejected} rejected")
    sent = {r.patient.id: _canonical(r) for r in cohort}
    same = sum(sent.get(r.patient.id) == _canonical(r) for r in back)
    lines.append(f"round trip: {same} of {len(cohort)} patients identical to the source rows")
    db_path, same = _store(back, out, source=str(bundle_path))
    lines.append(
        f"stored in {db_path}; first patient reads back {'unchanged' if same else 'CHANGED'}"
    )
    lines.append(f"datasets step took {time.perf_counter() - started:.1f} s")
    return lines
