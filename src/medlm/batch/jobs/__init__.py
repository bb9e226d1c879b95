"""The four batch jobs by name; each module is imported only when its job runs."""

from __future__ import annotations

import importlib

from medlm.batch.jobs.base import BatchJob
from medlm.batch.records import JobName
from medlm.errors import InputError

_CLASSES: dict[str, str] = {
    "text": "medlm.batch.jobs.text:TextJob",
    "deid": "medlm.batch.jobs.deid:DeidJob",
    "risk": "medlm.batch.jobs.risk:RiskJob",
    "embed": "medlm.batch.jobs.embed:EmbedJob",
}


def make_job(name: JobName | str, options: dict[str, str], secret: str = "") -> BatchJob:
    """A job by name, not yet set up (its model loads in `setup()`)."""
    if name not in _CLASSES:
        raise InputError(f"batch: unknown job {name!r}; choose one of {sorted(_CLASSES)}")
    module, cls = _CLASSES[name].split(":")
    job_class = getattr(importlib.import_module(module), cls)
    job: BatchJob = job_class(options, secret)
    return job


__all__ = ["BatchJob", "make_job"]
