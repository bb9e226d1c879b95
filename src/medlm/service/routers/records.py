"""Routes for FHIR records ingest and validation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1/records", tags=["records"])
