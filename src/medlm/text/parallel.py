"""Batch extraction on several processes, streaming: input is read in bounded chunks, in order.

The dictionaries are loaded once in the parent before the workers start, so on Linux the forked
workers share them copy-on-write. Only `CHUNK` lines per worker are in flight at once, so memory
stays flat however long the input is. Output order is input order.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
from collections.abc import Iterable, Iterator

from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.batch import process_lines
from medlm.text.vocabulary import Vocabulary

logger = logging.getLogger(__name__)

CHUNK = 64

_WORKER: dict[str, object] = {}  # per worker process: its analyzer and call options


def _init(analyzer: MedicalTextAnalyzer, vocabulary: Vocabulary | None, targets: list[str]) -> None:
    _WORKER.update(analyzer=analyzer, vocabulary=vocabulary, targets=targets)


def _run(batch: tuple[int, list[bytes | str]]) -> list[str]:
    first, lines = batch
    analyzer = _WORKER["analyzer"]
    assert isinstance(analyzer, MedicalTextAnalyzer)
    vocabulary = _WORKER["vocabulary"]
    targets = _WORKER["targets"]
    assert vocabulary is None or isinstance(vocabulary, Vocabulary)
    assert isinstance(targets, list)
    outputs = process_lines(lines, analyzer, vocabulary, targets, first_line=first + 1)
    return [o.model_dump_json() for o in outputs]  # JSON text crosses processes cheaply


def _batches(lines: Iterable[bytes | str], size: int) -> Iterator[tuple[int, list[bytes | str]]]:
    it = iter(lines)
    offset = 0
    while chunk := list(itertools.islice(it, size)):
        yield offset, chunk
        offset += len(chunk)


def process_lines_parallel(
    lines: Iterable[bytes | str],
    analyzer: MedicalTextAnalyzer,
    workers: int = 2,
    vocabulary: Vocabulary | None = None,
    targets: list[str] | None = None,
) -> Iterator[str]:
    """Like `process_lines` but yielding each output as a JSON line, on `workers` processes."""
    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        logger.warning("no 'fork' start method on this platform: running on one process")
        workers = 1
    if workers <= 1:
        for out in process_lines(lines, analyzer, vocabulary, targets):
            yield out.model_dump_json()
        return
    analyzer.warm_up()
    gc.freeze()  # keep the shared dictionaries out of the workers' GC: fewer copy-on-write pages
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, _init, (analyzer, vocabulary, targets or [])) as pool:
        window: list[tuple[int, list[bytes | str]]] = []
        for batch in _batches(lines, CHUNK):
            window.append(batch)
            if len(window) == workers:
                for result in pool.map(_run, window):
                    yield from result
                window = []
        if window:
            for result in pool.map(_run, window):
                yield from result
