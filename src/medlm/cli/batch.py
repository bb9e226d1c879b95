"""`medlm batch {text,deid,risk,embed}`: a job over a JSONL or Parquet file, locally or on Ray."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from medlm.cli import render

if TYPE_CHECKING:
    from medlm.batch.records import BatchSummary, JobName

app = typer.Typer(
    help="Batch jobs over JSONL or Parquet: sharded outputs, a manifest to resume, rejects.",
    no_args_is_help=True,
)

InputOpt = Annotated[
    Path, typer.Option("--input", help="JSONL ({'id', 'text', ...} per line) or .parquet file.")
]
OutputOpt = Annotated[
    Path, typer.Option("--output", help="Folder for part files, manifest.json, rejects.jsonl.")
]
EngineOpt = Annotated[
    str | None, typer.Option("--engine", help="local (default setting) or ray (Ray Data).")
]
FormatOpt = Annotated[str, typer.Option("--format", help="Output parts: parquet or jsonl.")]
BatchSizeOpt = Annotated[
    int | None, typer.Option("--batch-size", min=1, help="Records per model call.")
]
ConcurrencyOpt = Annotated[
    int | None, typer.Option("--concurrency", min=1, help="Ray actors (each loads the model).")
]
ShardSizeOpt = Annotated[
    int | None, typer.Option("--shard-size", min=1, help="Input records per output part.")
]
WorkersOpt = Annotated[
    int, typer.Option("--workers", min=1, help="Local processes; with ray, Ray's CPUs.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]


def _run(
    job: JobName,
    job_options: dict[str, str],
    *,
    source: Path,
    output: Path,
    engine: str | None,
    output_format: str,
    batch_size: int | None,
    concurrency: int | None,
    shard_size: int | None,
    workers: int,
    as_json: bool,
) -> None:
    from medlm.batch.records import BatchOptions
    from medlm.batch.runner import prepare, run_batch
    from medlm.errors import InputError
    from medlm.settings import load_settings

    settings = load_settings()
    defaults = settings.batch
    if output_format not in ("parquet", "jsonl"):
        raise InputError(f"batch: --format {output_format!r} is not parquet or jsonl")
    if (engine or defaults.engine) not in ("local", "ray"):
        raise InputError(f"batch: --engine {engine!r} is not local or ray")
    options = BatchOptions.model_validate(
        {
            "engine": engine or defaults.engine,
            "output_format": output_format,
            "shard_size": shard_size or defaults.shard_size,
            "batch_size": batch_size or defaults.batch_size,
            "concurrency": concurrency or defaults.concurrency,
            "workers": workers,
            "job_options": job_options,
        }
    )
    manifest = prepare(job, source, output, options)
    todo = sum(s.count for s in manifest.shards if s.status != "done")
    with render.progress(f"{job} · {options.engine}", total=todo) as advance:
        summary = run_batch(
            job,
            source,
            output,
            options,
            secret=settings.security.deid_secret.get_secret_value(),
            manifest=manifest,
            on_shard=lambda state: advance(state.count),
        )
    _render(summary, as_json)


def _render(summary: BatchSummary, as_json: bool) -> None:
    if as_json:
        render.print_json(summary)
        return
    render.print_table(
        f"medlm batch {summary.job} ({summary.engine}) → {summary.output}",
        ["records", "rejects", "shards", "skipped (done before)", "seconds", "records/s"],
        [
            [
                summary.records,
                summary.rejects,
                summary.shards,
                summary.shards_skipped,
                f"{summary.seconds:.1f}",
                f"{summary.records_per_second:.1f}",
            ]
        ],
    )


@app.command()
def text(
    source: InputOpt,
    output: OutputOpt,
    engine: EngineOpt = None,
    output_format: FormatOpt = "parquet",
    batch_size: BatchSizeOpt = None,
    concurrency: ConcurrencyOpt = None,
    shard_size: ShardSizeOpt = None,
    workers: WorkersOpt = 1,
    as_json: JsonOpt = False,
) -> None:
    """Entities and sections of each {'id', 'text', 'targets'?} record."""
    _run(
        "text",
        {},
        source=source,
        output=output,
        engine=engine,
        output_format=output_format,
        batch_size=batch_size,
        concurrency=concurrency,
        shard_size=shard_size,
        workers=workers,
        as_json=as_json,
    )


@app.command()
def deid(
    source: InputOpt,
    output: OutputOpt,
    engine: EngineOpt = None,
    output_format: FormatOpt = "parquet",
    batch_size: BatchSizeOpt = None,
    concurrency: ConcurrencyOpt = None,
    shard_size: ShardSizeOpt = None,
    workers: WorkersOpt = 1,
    as_json: JsonOpt = False,
    operator: Annotated[
        str, typer.Option("--operator", help="placeholder, redact, mask or surrogate.")
    ] = "placeholder",
    shift_dates: Annotated[
        bool, typer.Option("--shift-dates", help="Shift dates per record's patient_id.")
    ] = False,
) -> None:
    """De-identified text and PHI spans of each {'id', 'text', 'patient_id'?} record."""
    from medlm.settings import load_settings

    ner = load_settings().security.deid_ner
    _run(
        "deid",
        {"operator": operator, "shift_dates": str(shift_dates).lower(), "ner": ner},
        source=source,
        output=output,
        engine=engine,
        output_format=output_format,
        batch_size=batch_size,
        concurrency=concurrency,
        shard_size=shard_size,
        workers=workers,
        as_json=as_json,
    )


@app.command()
def risk(
    source: InputOpt,
    output: OutputOpt,
    engine: EngineOpt = None,
    output_format: FormatOpt = "parquet",
    batch_size: BatchSizeOpt = None,
    concurrency: ConcurrencyOpt = None,
    shard_size: ShardSizeOpt = None,
    workers: WorkersOpt = 1,
    as_json: JsonOpt = False,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="Model folder written by `medlm risk train` (required)."),
    ] = None,
) -> None:
    """A risk score for each {'id', <the model's input columns>} record."""
    from medlm.settings import load_settings

    share = load_settings().risk.low_confidence_missing_share
    _run(
        "risk",
        {
            "model": str(model.resolve()) if model else "",
            "low_confidence_missing_share": str(share),
        },
        source=source,
        output=output,
        engine=engine,
        output_format=output_format,
        batch_size=batch_size,
        concurrency=concurrency,
        shard_size=shard_size,
        workers=workers,
        as_json=as_json,
    )


@app.command()
def embed(
    source: InputOpt,
    output: OutputOpt,
    engine: EngineOpt = None,
    output_format: FormatOpt = "parquet",
    batch_size: BatchSizeOpt = None,
    concurrency: ConcurrencyOpt = None,
    shard_size: ShardSizeOpt = None,
    workers: WorkersOpt = 1,
    as_json: JsonOpt = False,
    model: Annotated[str, typer.Option("--model", help="Encoder name or folder.")] = "minilm",
    precision: Annotated[
        str | None,
        typer.Option("--precision", help="fp32, bf16, int8 or auto; default: lm.precision."),
    ] = None,
) -> None:
    """A unit-length sentence embedding for each {'id', 'text'} record."""
    from medlm.lm.encoding import TextEncoder
    from medlm.lm.precision import check_precision
    from medlm.settings import load_settings

    settings = load_settings()
    chosen = check_precision(precision or settings.lm.precision)
    # Resolved once here (auto: measured or read from the cache), so every worker and every
    # shard runs the same path and a resumed job matches the shards done before.
    path = TextEncoder.from_pretrained(
        model, precision=chosen, cache_dir=settings.lm.cache_dir or settings.data_dir / "cache"
    ).path
    _run(
        "embed",
        {"model": model, "path": path},
        source=source,
        output=output,
        engine=engine,
        output_format=output_format,
        batch_size=batch_size,
        concurrency=concurrency,
        shard_size=shard_size,
        workers=workers,
        as_json=as_json,
    )
