"""Routes for de-identification."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1/privacy", tags=["privacy"])
