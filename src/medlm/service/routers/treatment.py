"""Routes for treatment recommendations and safety checks."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1/treatment", tags=["treatment"])
