"""The service's logging configuration for uvicorn: access-log lines without patient ids.

uvicorn logs every request line with its full URL. `RedactPatientIds` (a logging filter on the
`uvicorn.access` logger) replaces the path segment after `/patients/` with `{patient_id}` and
drops the query string (it may carry `patient_id=...`), so `GET /v1/patients/p-17/vitals?limit=5`
is logged as `GET /v1/patients/{patient_id}/vitals?...`. Pass `LOG_CONFIG` to uvicorn
(`uvicorn.run(..., log_config=LOG_CONFIG)`); it is uvicorn's default configuration plus the
filter.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_PATIENT_SEGMENT = re.compile(r"(/patients/)[^/?#]+")
PATIENT_PLACEHOLDER = "{patient_id}"


def redact_path(path: str) -> str:
    """`path` with the segment after each `/patients/` replaced and any query string dropped."""
    base, question, _query = path.partition("?")
    base = _PATIENT_SEGMENT.sub(rf"\g<1>{PATIENT_PLACEHOLDER}", base)
    return base + ("?..." if question else "")


class RedactPatientIds(logging.Filter):
    """Rewrites uvicorn access records (args: client, method, path, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_patient_ids": {"()": "medlm.service.logs.RedactPatientIds"}},
    "formatters": {
        "default": {
            "()": "uvicorn.logging.DefaultFormatter",
            "fmt": "%(levelprefix)s %(message)s",
            "use_colors": None,
        },
        "access": {
            "()": "uvicorn.logging.AccessFormatter",
            "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
        },
    },
    "handlers": {
        "default": {
            "formatter": "default",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "formatter": "access",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["redact_patient_ids"],
        },
    },
    "loggers": {
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
"""uvicorn's default logging configuration with `RedactPatientIds` on the access handler."""
