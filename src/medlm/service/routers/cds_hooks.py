"""Routes for CDS Hooks services."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="", tags=["cds_hooks"])
