"""`WebSettings`: the web app's sign-in policy, live-board polling and the time zone its pages
show times in (the `web` section of medlm's Settings; a leaf module, so `medlm.settings` can
import it)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator


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
    time_zone: str = Field(
        default="UTC",
        description="IANA time zone the pages show times in; set it to the ward's zone (e.g. "
        "'Europe/London', 'Asia/Shanghai'). Stored times stay UTC.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"web.time_zone {value!r} is not an IANA time zone name "
                "(e.g. 'UTC', 'Europe/London', 'Asia/Shanghai')"
            ) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The pages' time zone."""
        return ZoneInfo(self.time_zone)
