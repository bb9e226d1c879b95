"""CSV in: a declarative column map turns rows into PatientRecords, row-numbered errors kept.

A map (YAML or JSON) names the patient columns and, for each measured column, the record
field it fills with its code and unit::

    patient:
      id: subject_id            # the column holding the patient id; without one, each
      id_prefix: row            #   row is its own patient, '<id_prefix>-0001' for data row 1
      sex: sex                  # optional; `sex_values` maps raw values to FHIR genders
      sex_values: {F: female, M: male}
      age: age_years            # optional, years
      birth_date: dob           # optional, YYYY-MM-DD
      effective: visit_date     # optional: the time of every observation in the row
    observations:
      - column: glucose
        code: {system: "http://loinc.org", code: "2345-7", display: Glucose}
        unit: mmol/L            # UCUM (or a listed alias such as mmHg); leave out for text

Units are the same as on the FHIR path: every reader ends with
`medlm.records.normalize.normalize_report`, which gives an Observation whose code is in a value
set (`medlm.knowledge.concepts`) its concept and converts the value to the concept's canonical
unit (this glucose becomes mg/dL, the original kept), exactly as a FHIR glucose in mg/dL. A unit
the concept does not accept is a Rejection naming the value and unit. A map's `unit` must be a
UCUM code (or a listed alias); a map with another unit is refused when it is loaded.

Deprecated: `quantity` and `convert_to` (earlier map versions) are still read but ignored, and the
report says so: conversion now follows the code's value set, not the map.

Rows with the same patient id (in any order) make one PatientRecord. An empty cell gives no
Observation. A cell that cannot be read is a Rejection at its row number (as a spreadsheet
shows it: the header is row 1) and column; the rest of the file is still read.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from medlm.errors import InputError, ValidationError
from medlm.records.coding import Coding
from medlm.records.observation import Observation
from medlm.records.patient import Patient, Sex
from medlm.records.patient_record import PatientRecord
from medlm.records.report import IngestReport, Rejection
from medlm.records.units import is_ucum


class PatientColumns(BaseModel):
    """Which columns hold the patient's id and demographics."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, description="Column of the patient id.")
    id_prefix: str = Field(
        default="row", description="Without an id column each row is a patient '<prefix>-0001'."
    )
    sex: str | None = None
    sex_values: dict[str, Sex] = Field(default_factory=dict)
    age: str | None = None
    birth_date: str | None = None
    effective: str | None = None


class ObservationColumn(BaseModel):
    """A column whose non-empty cells become Observations with this code and unit."""

    model_config = ConfigDict(extra="forbid")

    column: str
    code: Coding
    unit: str | None = Field(default=None, description="UCUM unit; None for a text value.")
    quantity: str | None = Field(default=None, description="Deprecated and ignored.")
    convert_to: str | None = Field(default=None, description="Deprecated and ignored.")

    @field_validator("unit")
    @classmethod
    def _ucum(cls, unit: str | None) -> str | None:
        if unit is not None and not is_ucum(unit):
            raise ValueError(f"unit {unit!r} is not a UCUM code or a listed alias")
        return unit

    @property
    def deprecated_fields(self) -> list[str]:
        return [name for name in ("quantity", "convert_to") if getattr(self, name) is not None]


class ColumnMap(BaseModel):
    """The declarative map from CSV columns to record fields, codes and units."""

    model_config = ConfigDict(extra="forbid")

    patient: PatientColumns
    observations: list[ObservationColumn] = Field(default_factory=list)

    def columns(self) -> set[str]:
        p = self.patient
        named = [p.id, p.sex, p.age, p.birth_date, p.effective]
        return {c for c in named if c} | {o.column for o in self.observations}


def load_column_map(path: Path) -> ColumnMap:
    """Read a column map from a .yaml/.yml or .json file; errors name the file and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read column map {path}: {exc.strerror}") from exc
    if path.suffix != ".json":
        return parse_column_map(text, str(path))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"column map {str(path)!r} is not valid JSON: {exc}") from exc
    return _validated_map(data, str(path))


def parse_column_map(text: str, name: str) -> ColumnMap:
    """A column map from YAML or JSON text; errors name the map (`name`) and the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"column map {name!r} is not valid YAML/JSON: {exc}") from exc
    return _validated_map(data, name)


def _validated_map(data: Any, name: str) -> ColumnMap:
    try:
        return ColumnMap.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ValidationError(
            f"column map {name!r}: {where}: {first['msg']}", record=name, field=where
        ) from exc


class _CellError(Exception):
    def __init__(self, column: str, kind: str, reason: str):
        super().__init__(reason)
        self.column, self.kind, self.reason = column, kind, reason


def _cell(row: dict[str, str], column: str | None) -> str | None:
    if column is None:
        return None
    value = (row.get(column) or "").strip()
    return value or None


def _patient(row: dict[str, str], row_no: int, cols: PatientColumns) -> Patient:
    pid = _cell(row, cols.id) if cols.id else f"{cols.id_prefix}-{row_no - 1:04d}"
    if pid is None:
        raise _CellError(str(cols.id), "Patient", "no patient id")
    raw_sex = _cell(row, cols.sex)
    sex = Sex.UNKNOWN
    if raw_sex is not None:
        mapped = cols.sex_values.get(raw_sex, raw_sex)
        try:
            sex = Sex(mapped)
        except ValueError:
            allowed = ", ".join(list(cols.sex_values) + [s.value for s in Sex])
            raise _CellError(
                str(cols.sex), "Patient", f"sex {raw_sex!r} is not one of: {allowed}"
            ) from None
    values: dict[str, Any] = {"id": pid, "sex": sex}
    for field, column in (("age", cols.age), ("birth_date", cols.birth_date)):
        values[field] = _cell(row, column)
    try:
        return Patient(**values)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "id"
        column = {"age": cols.age, "birth_date": cols.birth_date}.get(field) or str(cols.id)
        raise _CellError(
            column, "Patient", f"{first['msg']} (value {first.get('input')!r})"
        ) from None


def _effective(row: dict[str, str], cols: PatientColumns) -> datetime | None:
    text = _cell(row, cols.effective)
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time())
        return datetime.fromisoformat(text)
    except ValueError:
        raise _CellError(
            str(cols.effective), "Observation", f"{text!r} is not an ISO date"
        ) from None


def _observation(
    pid: str, spec: ObservationColumn, text: str, when: datetime | None, row_no: int
) -> Observation:
    base: dict[str, Any] = {"id": f"{pid}-{spec.column}-{row_no}", "patient_id": pid}
    if spec.unit is None:
        return Observation(**base, code=spec.code, value_text=text, effective=when)
    try:
        value = float(text)
    except ValueError:
        raise _CellError(spec.column, "Observation", f"{text!r} is not a number") from None
    return Observation(**base, code=spec.code, value=value, unit=spec.unit, effective=when)


def _reject(
    report: IngestReport, row: dict[str, str], row_no: int, pid: str | None, err: _CellError
) -> None:
    report.count(err.kind).rejected += 1
    report.rejections.append(
        Rejection(
            position=row_no,
            resource_id=pid,
            resource_type=err.kind,
            patient_id=pid,
            field=err.column,
            value=_cell(row, err.column),
            reason=err.reason,
        )
    )


def _read_row(
    row: dict[str, str], row_no: int, column_map: ColumnMap, records: dict[str, PatientRecord],
    report: IngestReport,
) -> None:  # fmt: skip
    try:
        patient = _patient(row, row_no, column_map.patient)
        when = _effective(row, column_map.patient)
    except _CellError as err:
        _reject(report, row, row_no, _cell(row, column_map.patient.id), err)
        return
    record = records.get(patient.id)
    if record is None:
        record = records[patient.id] = PatientRecord(patient=patient)
        report.count("Patient").accepted += 1
    elif record.patient != patient:
        reason = f"demographics differ from an earlier row of patient {patient.id!r}"
        column = str(column_map.patient.id)
        _reject(report, row, row_no, patient.id, _CellError(column, "Patient", reason))
        return
    for spec in column_map.observations:
        text = _cell(row, spec.column)
        if text is None:
            continue
        try:
            record.observations.append(_observation(patient.id, spec, text, when, row_no))
            report.count("Observation").accepted += 1
        except _CellError as err:
            _reject(report, row, row_no, patient.id, err)


def _why(exc: csv.Error) -> str:
    """The csv module's reason without its advice to Python programmers ('- do you need ...')."""
    return str(exc).split(" - ", 1)[0]


def _check_header(reader: csv.DictReader[str], where: str, column_map: ColumnMap) -> None:
    """InputError when the header row (row 1) is malformed, absent or lacks a mapped column."""
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise InputError(f"{where} is malformed at row 1 (the header): {_why(exc)}") from exc
    if not header:
        raise InputError(f"{where} is empty: it has no header row")
    missing = sorted(column_map.columns() - set(header))
    if missing:
        raise InputError(
            f"{where} lacks the mapped column(s) {', '.join(missing)}; "
            f"its columns are {', '.join(header)}"
        )


def read_csv(source: Path | str, column_map: ColumnMap, *, name: str | None = None) -> IngestReport:
    """Read a CSV file (a Path, or CSV text as str named `name`) into records with the map.

    Raises InputError when the file cannot be read, is empty, lacks a mapped column, or is
    malformed (the message names the row: a line break in an unquoted cell, for example).
    """
    name = str(source) if isinstance(source, Path) else name
    where = f"CSV {name or 'input'}"
    if isinstance(source, Path):
        try:
            source = source.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read CSV file {name}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(source))
    _check_header(reader, where, column_map)
    report = IngestReport(source=name)
    for spec in column_map.observations:
        if spec.deprecated_fields:
            report.notes.append(
                f"column map: {spec.column}: {' and '.join(spec.deprecated_fields)} "
                "deprecated and ignored; values are converted to their concept's canonical unit"
            )
    records: dict[str, PatientRecord] = {}
    row_no = 1  # the header; data rows are numbered as a spreadsheet shows them
    try:
        for row_no, row in enumerate(reader, start=2):
            _read_row(row, row_no, column_map, records, report)
    except csv.Error as exc:
        raise InputError(f"{where} is malformed at row {row_no + 1}: {_why(exc)}") from exc
    if not records and not report.rejections:
        raise InputError(f"{where} has a header but no rows")
    report.records = list(records.values())
    return report
