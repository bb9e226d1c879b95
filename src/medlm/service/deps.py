"""FastAPI dependencies shared by the routers; tests override them."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from medlm.settings import Settings


def get_settings(request: Request) -> Settings:
    """The Settings the app was created with."""
    return cast(Settings, request.app.state.settings)


SettingsDep = Annotated[Settings, Depends(get_settings)]
