"""Routes for clinical and literature text analysis."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1/text", tags=["text"])
