"""Routes for disease risk prediction."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1/risk", tags=["risk"])
