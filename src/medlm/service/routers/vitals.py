"""Routes for vital-sign scoring and alerts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["vitals"])
