"""The import page at `/import`: upload a FHIR bundle (JSON), or a CSV with its column map
(YAML or JSON), and see the ingest report: accepted by type, skipped by type, and every
rejection with its field path.

Records are read by the records boundary and stored like `POST /v1/records/ingest` stores them
(`save_report`, encrypted at rest). Clinicians and admins may import; a researcher gets 403.
The import is audited with the patients it stored.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from medlm.errors import MedlmError
from medlm.privacy.encryption import EncryptionKeyError
from medlm.records.report import IngestReport
from medlm.service.deps import ServicesDep
from medlm.service.services import AppServices
from medlm.storage.repository import save_report
from medlm.web import i18n
from medlm.web.auth import CsrfDep, WebUserDep, audit_page
from medlm.web.components.upload import (
    csv_rows,
    document_items,
    parse_column_map,
    parse_json_upload,
    read_csv_upload,
    read_fhir_upload,
)
from medlm.web.templating import render

logger = logging.getLogger(__name__)
router = APIRouter()

FHIR_FIELD, CSV_FIELD, MAP_FIELD = "fhir_file", "csv_file", "column_map"


class ImportRefused(Exception):
    """An upload that cannot be imported, with the HTTP status and the message shown."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


async def _upload(form: Any, field: str) -> tuple[bytes, str] | None:
    item = form.get(field)
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    return await item.read(), item.filename


def _check_limit(count: int, services: AppServices, locale: str) -> None:
    limit = services.settings.limits.max_batch_items
    if count > limit:
        message = i18n.gettext(
            locale, "The file has %(count)d items, more than the limit of %(limit)d."
        )
        raise ImportRefused(message % {"count": count, "limit": limit}, status=413)


def read_upload(
    fhir: tuple[bytes, str] | None,
    csv: tuple[bytes, str] | None,
    column_map: tuple[bytes, str] | None,
    services: AppServices,
    locale: str,
) -> IngestReport:
    """The ingest report of the form's files (ImportRefused when the choice is not usable)."""
    if (fhir is None) == (csv is None):
        raise ImportRefused(i18n.gettext(locale, "Choose either a FHIR file or a CSV file."))
    if fhir is not None:
        document = parse_json_upload(*fhir)
        _check_limit(document_items(document), services, locale)
        return read_fhir_upload(document, fhir[1])
    assert csv is not None
    if column_map is None:
        raise ImportRefused(i18n.gettext(locale, "A CSV file needs its column map (YAML or JSON)."))
    _check_limit(csv_rows(csv[0]), services, locale)
    return read_csv_upload(csv[0], csv[1], parse_column_map(*column_map))


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, user: WebUserDep) -> HTMLResponse:
    """The upload form."""
    if not user.identified:
        return render(request, "import.html", {"refused": True}, status_code=403)
    return render(request, "import.html", {"report": None})


@router.post("/import", response_class=HTMLResponse)
async def import_submit(request: Request, user: CsrfDep, services: ServicesDep) -> HTMLResponse:
    """Read, store and report the uploaded files (422 with the reason for unusable files, 413
    above the batch limit, 503 when the record store cannot encrypt)."""
    if not user.identified:
        audit_page(services, request, user, None, outcome=403)
        return render(request, "import.html", {"refused": True}, status_code=403)
    locale = i18n.negotiate(request)
    form = await request.form()
    fhir, csv = await _upload(form, FHIR_FIELD), await _upload(form, CSV_FIELD)
    column_map = await _upload(form, MAP_FIELD)
    try:
        report = await run_in_threadpool(read_upload, fhir, csv, column_map, services, locale)
        run_id = await run_in_threadpool(save_report, services.engine, report)
    except ImportRefused as exc:
        return _error(request, str(exc), exc.status)
    except EncryptionKeyError:
        logger.error("import refused: the record store cannot encrypt")
        return _error(request, i18n.gettext(locale, "The record store is unavailable."), 503)
    except MedlmError as exc:
        return _error(request, str(exc), 422)
    ids = [r.patient.id for r in report.records]
    audit_page(services, request, user, ",".join(sorted(set(ids))) or None)
    return render(request, "import.html", {"report": report, "run_id": run_id})


def _error(request: Request, message: str, status: int) -> HTMLResponse:
    return render(request, "import.html", {"report": None, "error": message}, status_code=status)
