"""Helpers of the batch tests: write JSONL input, read a job's outputs and rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medlm.batch.io import read_outputs


def write_jsonl(path: Path, records: list[dict[str, Any] | str]) -> Path:
    """One line per record (a str is written as it is: a bad line on purpose)."""
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def outputs(folder: Path, json_columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every output record of a finished job, in order."""
    return read_outputs(folder, json_columns)


def rejects(folder: Path) -> list[dict[str, Any]]:
    """The job's rejects.jsonl as records."""
    lines = (folder / "rejects.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]
