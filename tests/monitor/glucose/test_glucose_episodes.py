"""CGM episodes: at least 15 consecutive minutes beyond a bound (Danne 2017); gaps end a run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from medlm.monitor.glucose.episodes import episodes, run_back
from medlm.monitor.glucose.readings import GlucoseReading

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def at(minutes: list[int], values: list[float]) -> list[GlucoseReading]:
    return [
        GlucoseReading(patient_id="p", time=T0 + timedelta(minutes=m), mg_dl=v, source="cgm")
        for m, v in zip(minutes, values, strict=True)
    ]


def below_54(v: float) -> bool:
    return v < 54


def test_four_readings_over_15_minutes_make_an_episode_three_over_10_do_not() -> None:
    assert len(episodes(at([0, 5, 10, 15], [50] * 4), below_54)) == 1
    assert episodes(at([0, 5, 10], [50] * 3), below_54) == []


def test_episode_reports_start_end_count_and_nadir() -> None:
    (episode,) = episodes(at([0, 5, 10, 15, 20, 25], [60, 50, 45, 52, 53, 80]), below_54)
    assert (episode.start, episode.end) == (T0 + timedelta(minutes=5), T0 + timedelta(minutes=20))
    assert (episode.readings, episode.nadir_mg_dl, episode.peak_mg_dl) == (4, 45, 53)


def test_a_gap_longer_than_the_limit_splits_the_run() -> None:
    readings = at([0, 5, 10, 25, 30, 35], [50] * 6)  # 15 minutes without data after 10
    assert episodes(readings, below_54) == []
    assert len(episodes(readings, below_54, max_gap=timedelta(minutes=15))) == 1


def test_a_reading_back_in_range_ends_the_episode() -> None:
    found = episodes(at(list(range(0, 50, 5)), [50, 50, 50, 50, 90, 50, 50, 50, 50, 50]), below_54)
    assert [e.readings for e in found] == [4, 5]


def test_repeated_times_count_once() -> None:
    readings = at([0, 5, 10, 10, 10], [50] * 5)
    assert episodes(readings, below_54) == []


def test_run_back_is_the_run_ending_at_the_newest_reading() -> None:
    readings = at([0, 5, 10, 15], [50, 90, 50, 50])
    assert [r.time for r in run_back(readings, below_54, max_gap=timedelta(minutes=10))] == [
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=15),
    ]
    assert run_back(at([0], [90]), below_54, max_gap=timedelta(minutes=10)) == []
