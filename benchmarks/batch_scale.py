"""Batch jobs at scale: records/s per core of `medlm batch` text, deid, risk and embed on 1 and 2
local workers and 1 and 2 Ray actors, with the peak memory of the whole process tree, the CPU,
its matmul peaks and the load average; `--corpus N` runs `medlm batch text --engine ray` end to
end over N MEDLINE abstracts (the packaged ones repeated with varied ids).

    .venv/bin/python benchmarks/batch_scale.py                 # the table
    nice -n 10 .venv/bin/python benchmarks/batch_scale.py --corpus 1000000

Each run is its own process (`--one`), so one run's loaded models do not count in the next
one's memory. The steady rate counts the records of the shards finished after the first one
over the time between the first and the last shard, so it leaves model loading out; the
end-to-end rate includes it. Memory is the largest sum of RSS over the run's process tree
(forked workers share pages copy-on-write, so this overstates them).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

JOBS = {"text": 1500, "deid": 300, "risk": 20_000, "embed": 600}
CONFIGS = [("local", 1), ("local", 2), ("ray", 1), ("ray", 2)]
PAGE = os.sysconf("SC_PAGE_SIZE")


def _abstracts(n: int) -> list[dict[str, Any]]:
    from medlm.datasets.medline import iter_citations
    from medlm.datasets.medline_corpus import corpus_documents

    docs = [{"id": d.pmid, "text": d.text} for d in corpus_documents(iter_citations())]
    return [{**docs[i % len(docs)], "id": f"{docs[i % len(docs)]['id']}-{i}"} for i in range(n)]


def _pima(n: int) -> list[dict[str, Any]]:
    from medlm.datasets import load

    rows = load("pima").frame.drop(columns="Outcome").to_dict("records")
    return [{"id": f"pima-{i}", **rows[i % len(rows)]} for i in range(n)]


def _write_input(job: str, n: int, folder: Path) -> Path:
    path = folder / f"{job}-{n}.jsonl"
    if not path.exists():
        records = _pima(n) if job == "risk" else _abstracts(n)
        with path.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in records)
    return path


def _risk_model(folder: Path) -> Path:
    from medlm.datasets import load
    from medlm.risk.estimator import DiseaseRiskPredictor

    path = folder / "pima-model"
    if not path.exists():
        frame = load("pima").frame
        DiseaseRiskPredictor().fit(frame.drop(columns="Outcome"), frame["Outcome"]).save(path)
    return path


def _tree_rss(root: int) -> int:
    """Sum of RSS (bytes) of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        stack.extend(children.get(pid, []))
    return total


def _measured(command: list[str]) -> tuple[str, float, int]:
    """(stdout, seconds, peak tree RSS) of a child process, RSS sampled every 0.25 s."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    sampler.join()
    return out.decode(), time.perf_counter() - started, peak[0]


def one(job: str, engine: str, workers: int, source: Path, model: Path | None) -> None:
    """Child process: run one job once and print its timings as JSON."""
    from medlm.batch import BatchOptions, run_batch

    options = {"risk": {"model": str(model)}, "deid": {"ner": "auto"}}.get(job, {})
    n = sum(1 for _ in source.open())
    done_at: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as out:
        summary = run_batch(
            job,  # type: ignore[arg-type]
            source,
            Path(out),
            BatchOptions(
                engine=engine,  # type: ignore[arg-type]
                shard_size=max(1, n // 10),
                batch_size=64,
                workers=workers,
                concurrency=workers,
                job_options=options,
            ),
            on_shard=lambda s: done_at.append((time.perf_counter(), s.records)),
        )
    first, last = done_at[0][0], done_at[-1][0]
    steady = sum(r for _, r in done_at[1:]) / (last - first) if last > first else 0.0
    print(json.dumps({"records": summary.records, "seconds": summary.seconds, "steady": steady}))


def table(folder: Path, jobs: list[str]) -> list[dict[str, Any]]:
    rows = []
    for job in jobs:
        source = _write_input(job, JOBS[job], folder)
        model = _risk_model(folder) if job == "risk" else None
        for engine, workers in CONFIGS:
            command = [sys.executable, __file__, "--one", job, engine, str(workers), str(source)]
            out, wall, peak = _measured([*command, str(model or "")])
            result = json.loads(out.strip().splitlines()[-1])
            row = {"job": job, "engine": engine, "workers": workers, "wall": wall, "peak": peak}
            rows.append(row | result | {"load": os.getloadavg()[0]})
            print(_line(rows[-1]), flush=True)
    return rows


def _line(r: dict[str, Any]) -> str:
    per_core = r["steady"] / r["workers"]
    return (
        f"{r['job']:<6} {r['engine']:<6} x{r['workers']}  {r['records']:>6} records  "
        f"end-to-end {r['records'] / r['seconds']:8.1f}/s  steady {r['steady']:8.1f}/s "
        f"({per_core:7.1f}/s per core)  peak RSS {r['peak'] / 2**30:5.2f} GiB  "
        f"load {r['load']:.1f}"
    )


def corpus(n: int, folder: Path, workers: int) -> None:
    """`medlm batch text --engine ray` over n abstracts: wall time and peak memory."""
    source = _write_input("text", n, folder)
    out = folder / f"text-{n}-out"
    command = [sys.executable, "-c", "from medlm.cli.app import main; main()", "batch", "text"]
    command += ["--input", str(source), "--output", str(out), "--engine", "ray", "--json"]
    command += ["--workers", str(workers), "--concurrency", str(workers)]
    stdout, wall, peak = _measured(command)
    summary = json.loads(stdout[stdout.index("{") :])
    print(
        f"corpus {n} abstracts ({source.stat().st_size / 2**20:.0f} MiB): wall {wall:.0f} s, "
        f"{summary['records']} records, {summary['rejects']} rejects, "
        f"{summary['records'] / wall:.1f} records/s end to end, peak RSS {peak / 2**30:.2f} GiB, "
        f"load {os.getloadavg()[0]:.1f}"
    )


def header() -> None:
    import torch

    from medlm.lm.hardware import machine_info, matmul_peak

    info = machine_info()
    print(
        f"CPU {info.cpu_model}, {os.cpu_count()} cores, torch {info.torch_version}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"matmul peaks: fp32 {matmul_peak(torch.float32) / 1e9:.0f} GFLOP/s, "
        f"bf16 {matmul_peak(torch.bfloat16) / 1e9:.0f} GFLOP/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", default=",".join(JOBS), help="Comma-separated jobs.")
    parser.add_argument("--corpus", type=int, help="Run text on Ray over this many abstracts.")
    parser.add_argument("--workers", type=int, default=2, help="Ray CPUs/actors for --corpus.")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "batch-scale")
    args = parser.parse_args()
    if args.one:
        job, engine, workers, source, model = args.one
        one(job, engine, int(workers), Path(source), Path(model) if model else None)
        return
    args.data.mkdir(parents=True, exist_ok=True)
    header()
    if args.corpus:
        corpus(args.corpus, args.data, args.workers)
        return
    table(args.data, args.jobs.split(","))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
