"""Times on the web pages in the ward's time zone (`web.time_zone`), formatted per locale with
the zone shown; stored times stay UTC.

`LocalTime` binds a locale and a zone; `time_context` gives templates `format_datetime` and
`format_time` bound to both (they replace the locale-only global of the same name) and the
zone's name for the page's note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from babel.dates import format_datetime, format_skeleton

from medlm.web import i18n


@dataclass(frozen=True)
class LocalTime:
    """Formats aware datetimes for one locale in one time zone."""

    locale: str
    zone: tzinfo
    _abbreviations: dict[tuple[timedelta | None, timedelta | None], str] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def _zone_abbreviation(self, value: datetime) -> str:
        """The zone as Babel writes it ('UTC', '+0800', 'EST'), looked up once per UTC offset
        and daylight-saving offset (a board shows hundreds of times)."""
        local = value.astimezone(self.zone)
        key = (local.utcoffset(), local.dst())
        found = self._abbreviations.get(key)
        if found is None:
            locale = i18n.babel_locale(self.locale)
            found = format_datetime(value, "z", tzinfo=self.zone, locale=locale)
            self._abbreviations[key] = found
        return found

    def date_time(self, value: datetime | None) -> str:
        """'Dec 4, 2026, 5:03:00 PM UTC', '2026年12月5日 01:03:00 +0800'; an em dash when
        missing."""
        if value is None:
            return "—"
        locale = i18n.babel_locale(self.locale)
        shown = format_datetime(value, "medium", tzinfo=self.zone, locale=locale)
        return f"{shown} {self._zone_abbreviation(value)}"

    def clock_time(self, value: datetime | None) -> str:
        """The time of day with the zone ('5:03 PM UTC', '01:03 +0800')."""
        if value is None:
            return "—"
        shown = format_skeleton("Hm", value, tzinfo=self.zone, locale=self.locale, fuzzy=True)
        return f"{shown} {self._zone_abbreviation(value)}"

    def tick(self, value: datetime) -> str:
        """A chart tick in the zone: day and time in the locale's order ('Dec 4 12:00',
        '12月4日 12:00'); midnight shows the day alone."""
        local = value.astimezone(self.zone)
        day = format_skeleton("MMMd", local, locale=self.locale, fuzzy=True)
        if (local.hour, local.minute) == (0, 0):
            return day
        return f"{day} {format_skeleton('Hm', local, locale=self.locale, fuzzy=True)}"

    def zone_name(self) -> str:
        """The zone's IANA name (`str` of the zone)."""
        return str(self.zone)


def time_context(times: LocalTime) -> dict[str, Any]:
    """What a template needs to show times in the zone."""
    return {
        "format_datetime": times.date_time,
        "format_time": times.clock_time,
        "time_zone_name": times.zone_name(),
    }
