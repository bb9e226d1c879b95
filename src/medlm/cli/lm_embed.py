"""`medlm lm embed` and `medlm lm bench`: embeddings of texts or JSON lines; the precision table.

`embed --jsonl` reads `{"id", "text"}` lines on stdin and writes `{"id", "embedding"}` lines on
stdout in bounded chunks (memory stays flat however long the stream); a bad line becomes
`{"id", "line", "error"}` and the rest goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from medlm.cli.render import error_line, print_json, print_table, progress, warning_line
from medlm.errors import InputError
from medlm.lm.precision import Precision
from medlm.settings import Settings, load_settings

if TYPE_CHECKING:
    from medlm.lm.encoding import TextEncoder

CHUNK_LINES = 512  # lines read, embedded and written at a time

ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="Known model name (minilm) or model folder; default: settings lm.default_model.",
    ),
]
PrecisionOpt = Annotated[
    Precision | None,
    typer.Option(
        "--precision",
        help="auto (measure here, keep the fastest within cosine 0.99 of fp32), fp32, bf16 or "
        "int8; default: settings lm.precision.",
    ),
]


class EmbedRequest(BaseModel):
    """One `--jsonl` input line."""

    model_config = ConfigDict(extra="forbid")

    id: str | int | None = None
    text: str


class EmbedError(BaseModel):
    """An input line that could not be embedded."""

    id: str | int | None = None
    line: int
    error: str


def _encoder(settings: Settings, model: str | None, precision: Precision | None) -> TextEncoder:
    import torch

    from medlm.lm.encoding import TextEncoder

    lm = settings.lm
    if lm.num_threads:
        torch.set_num_threads(lm.num_threads)
    return TextEncoder.from_pretrained(
        model or lm.default_model,
        max_length=lm.max_length,
        precision=precision or lm.precision,
        cache_dir=cache_dir(settings),
    )


def cache_dir(settings: Settings) -> Path:
    """The folder of precision choices and int8 exports (settings lm.cache_dir)."""
    return settings.lm.cache_dir or settings.data_dir / "cache"


def embed(
    texts: Annotated[list[str] | None, typer.Argument(help="Texts to embed.")] = None,
    model: ModelOpt = None,
    precision: PrecisionOpt = None,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="Default: settings lm.batch_size.")
    ] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help='Read {"id","text"} lines on stdin; write JSON lines.')
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print mean-pooled, L2-normalised embeddings of TEXTS (or of JSON lines on stdin)."""
    settings = load_settings()
    if not jsonl and not texts:
        raise InputError("give texts to embed, or --jsonl with JSON lines on stdin")
    encoder = _encoder(settings, model, precision)
    size = batch_size or settings.lm.batch_size
    with progress("precision path (auto measures the paths at first use)", total=None):
        encoder.path  # noqa: B018 - resolves (and for auto measures or reads) the path now
    if jsonl:
        _embed_lines(sys.stdin, encoder, size)
        return
    assert texts is not None
    with progress("embedding", total=len(texts)) as advance:
        vectors = encoder.embed(texts, batch_size=size, on_batch=advance)
    name = model or settings.lm.default_model
    if as_json:
        print_json({"model": name, "dim": encoder.dim, "embeddings": vectors.tolist()}, indent=None)
        return
    rows = [
        [i, text[:40], " ".join(f"{x:+.3f}" for x in vec[:4]) + " ..."]
        for i, (text, vec) in enumerate(zip(texts, vectors, strict=True))
    ]
    print_table(f"{name}: {encoder.dim}-dimensional embeddings", ["#", "text", "vector"], rows)


def parse_line(raw: str, n: int) -> EmbedRequest | EmbedError:
    """One input line as a request, or the error line naming its number and problem."""
    try:
        return EmbedRequest.model_validate_json(raw)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
        )
        return EmbedError(id=_line_id(raw), line=n, error=f"line {n}: {problems}")


def _line_id(raw: str) -> str | int | None:
    try:
        value = json.loads(raw).get("id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str | int) else None


def _chunks(lines: Iterable[str]) -> Iterator[list[tuple[int, str]]]:
    numbered = ((n, raw) for n, raw in enumerate(lines, start=1) if raw.strip())
    while chunk := list(islice(numbered, CHUNK_LINES)):
        yield chunk


def embed_chunk(
    encoder: TextEncoder, chunk: list[tuple[int, str]], batch_size: int
) -> list[dict[str, Any]]:
    """Output records of one chunk of numbered lines, in input order."""
    parsed = [parse_line(raw, n) for n, raw in chunk]
    good = [p for p in parsed if isinstance(p, EmbedRequest)]
    vectors = encoder.embed([p.text for p in good], batch_size=batch_size)
    found = iter(vectors.tolist())
    return [
        {"id": p.id, "embedding": next(found)} if isinstance(p, EmbedRequest) else p.model_dump()
        for p in parsed
    ]


def _embed_lines(stream: Iterable[str], encoder: TextEncoder, batch_size: int) -> None:
    """Write one output line per non-blank input line; exit 1 when none could be embedded."""
    total = rejected = 0
    with progress("embedding lines", total=None) as advance:
        for chunk in _chunks(stream):
            for record in embed_chunk(encoder, chunk, batch_size):
                sys.stdout.write(json.dumps(record) + "\n")
                rejected += "error" in record
            sys.stdout.flush()
            total += len(chunk)
            advance(len(chunk))
    if total and rejected == total:
        error_line(f"none of the {total:,} input lines could be embedded (see their error lines)")
        raise typer.Exit(1)
    if rejected:
        warning_line(f"{rejected:,} of {total:,} input lines could not be embedded")


def bench(
    model: ModelOpt = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Measure again instead of reading the cached table.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The machine, its fp32/bf16 matmul peaks, and the precision table `auto` chose from."""
    from medlm.lm.encoder_precision import bench as run_bench

    settings = load_settings()
    report = run_bench(_encoder(settings, model, "auto"), fresh=fresh)
    if as_json:
        print_json(report)
        return
    peaks = ", ".join(f"{k} {v:,.0f} GFLOP/s" for k, v in report.peak_gflops.items())
    load = " ".join(f"{x:.2f}" for x in report.load_average)
    typer.echo(f"{report.machine.cpu_model}, {report.machine.threads} threads; peaks: {peaks}")
    typer.echo(f"load average {load}; torch {report.machine.torch_version}")
    rows = [
        [
            r.path,
            f"{r.items_per_second:,.1f}",
            f"{r.ratio_to_fp32:.2f}x",
            "-" if r.quality is None else f"{r.quality:.4f}",
            "yes" if r.passed else (r.error or "no"),
            "<-" if r.chosen else "",
        ]
        for r in report.choice.candidates
    ]
    print_table(
        f"{report.choice.model}: {report.choice.calibration_items} calibration sentences",
        ["path", "sentences/s", "vs fp32", report.choice.quality_name, "passed", "chosen"],
        rows,
    )
