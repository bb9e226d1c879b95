"""Times in the ward's zone, per locale, with the zone shown; stored times stay UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from medlm.web.components.local_time import LocalTime

# Babel (CLDR) puts a narrow no-break space (U+202F) before AM/PM.
# 2026-03-08 is the US spring-forward day: 06:00 UTC is 01:00 EST, 08:00 UTC is 04:00 EDT.
BEFORE, AFTER = datetime(2026, 3, 8, 6, tzinfo=UTC), datetime(2026, 3, 8, 8, tzinfo=UTC)


def test_a_late_evening_utc_time_is_the_next_morning_in_shanghai_in_chinese() -> None:
    times = LocalTime("zh_CN", ZoneInfo("Asia/Shanghai"))
    assert times.date_time(datetime(2026, 12, 4, 17, 3, tzinfo=UTC)) == (
        "2026年12月5日 01:03:00 +0800"
    )
    assert times.clock_time(datetime(2026, 12, 4, 17, 3, tzinfo=UTC)) == "01:03 +0800"


def test_the_zone_name_follows_daylight_saving_time() -> None:
    times = LocalTime("en", ZoneInfo("America/New_York"))
    assert times.date_time(BEFORE).endswith("1:00:00\u202fAM EST")
    assert times.date_time(AFTER).endswith("4:00:00\u202fAM EDT")


def test_utc_is_named_utc_and_a_missing_time_is_a_dash() -> None:
    times = LocalTime("en", ZoneInfo("UTC"))
    assert times.date_time(BEFORE) == "Mar 8, 2026, 6:00:00\u202fAM UTC"
    assert times.date_time(None) == "—" and times.clock_time(None) == "—"


def test_a_tick_at_local_midnight_shows_the_day_alone() -> None:
    times = LocalTime("zh_CN", ZoneInfo("Asia/Shanghai"))
    assert times.tick(datetime(2026, 12, 4, 16, tzinfo=UTC)) == "12月5日"
    assert times.tick(datetime(2026, 12, 4, 4, tzinfo=UTC)) == "12月4日 12:00"
