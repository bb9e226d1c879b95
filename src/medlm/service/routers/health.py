"""Liveness and version routes."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from medlm import DISCLAIMER, __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Version(BaseModel):
    name: str
    version: str
    disclaimer: str


@router.get("/health")
def health() -> Health:
    """The service is up."""
    return Health(status="ok")


@router.get("/version")
def version() -> Version:
    """medlm's name and version, with the decision-support disclaimer."""
    return Version(name="medlm", version=__version__, disclaimer=DISCLAIMER)
