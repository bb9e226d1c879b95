"""`WebSettings`: the web app's sign-in policy and live-board polling (the `web` section of
medlm's Settings; a leaf module, so `medlm.settings` can import it)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebSettings(BaseModel):
    """The web app's sign-in policy."""

    idle_timeout_minutes: float = Field(
        default=15.0, gt=0, description="A session unused this long is signed out."
    )
    session_hours: float = Field(
        default=12.0, gt=0, description="A session ends this long after sign-in, used or not."
    )
    lockout_attempts: int = Field(
        default=5, ge=1, description="Failed sign-ins in a row that lock a user name."
    )
    lockout_minutes: float = Field(
        default=15.0, gt=0, description="How long a locked user name stays locked."
    )
    board_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often the board's event stream looks for changes."
    )
