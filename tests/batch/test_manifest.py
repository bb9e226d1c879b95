"""The manifest: a resume continues the same job; another input or other options are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.batch.helpers import write_jsonl

from medlm.batch.manifest import load_or_plan, save
from medlm.batch.records import BatchOptions
from medlm.batch.runner import prepare
from medlm.errors import InputError


def _input(tmp_path: Path, n: int = 5) -> Path:
    return write_jsonl(tmp_path / "in.jsonl", [{"id": str(i), "text": "x"} for i in range(n)])


def test_plan_cuts_shards_of_the_shard_size(tmp_path: Path) -> None:
    manifest = prepare("deid", _input(tmp_path), tmp_path / "out", BatchOptions(shard_size=2))
    assert [(s.first, s.count, s.file) for s in manifest.shards] == [
        (0, 2, "part-00000.parquet"),
        (2, 2, "part-00001.parquet"),
        (4, 1, "part-00002.parquet"),
    ]
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_changed_input_refuses_to_resume(tmp_path: Path) -> None:
    source = _input(tmp_path)
    prepare("deid", source, tmp_path / "out", BatchOptions(shard_size=2))
    _input(tmp_path, n=6)
    with pytest.raises(InputError, match=r"different input.*cannot resume"):
        prepare("deid", source, tmp_path / "out", BatchOptions(shard_size=2))


def test_changed_options_refuse_to_resume_and_name_the_option(tmp_path: Path) -> None:
    source = _input(tmp_path)
    prepare("deid", source, tmp_path / "out", BatchOptions(shard_size=2))
    with pytest.raises(InputError, match="shard_size was 2, now 3"):
        prepare("deid", source, tmp_path / "out", BatchOptions(shard_size=3))


def test_another_job_in_the_folder_is_refused(tmp_path: Path) -> None:
    source = _input(tmp_path)
    prepare("deid", source, tmp_path / "out", BatchOptions())
    with pytest.raises(InputError, match="a 'deid' job, not 'embed'"):
        prepare("embed", source, tmp_path / "out", BatchOptions())


def test_engine_and_workers_may_change_on_resume(tmp_path: Path) -> None:
    source = _input(tmp_path)
    prepare("deid", source, tmp_path / "out", BatchOptions(engine="local", workers=1))
    prepare("deid", source, tmp_path / "out", BatchOptions(engine="ray", workers=2))


def test_done_shard_whose_part_file_is_gone_is_pending_again(tmp_path: Path) -> None:
    source, out = _input(tmp_path), tmp_path / "out"
    manifest = prepare("deid", source, out, BatchOptions(shard_size=2))
    for shard in manifest.shards:
        shard.status = "done"
    save(out, manifest)
    (out / "part-00000.parquet").write_bytes(b"")  # only shard 0 has its file
    again = load_or_plan(out, "deid", manifest.input, BatchOptions(shard_size=2))
    assert [s.status for s in again.shards] == ["done", "pending", "pending"]
