"""The plot area of the SVG charts and its axes: the layout in SVG pixels, `Frame` (a time to x,
a value to y) and the axis texts (time ticks, value labels) whose positions `chart_axes` chooses
so that no two labels overlap. Presentation only: no clinical number lives here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape

from medlm.web.components.chart_axes import even_times, time_ticks
from medlm.web.components.messages import N_

Label = Callable[[str], str]
TimeFormat = Callable[[datetime], str]

WIDTH, HEIGHT, STRIP_HEIGHT = 720, 180, 90
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 22, 22
TICKS = 4  # time ticks per window when no time zone is given (evenly spaced)
FONT_SIZE = 11  # the charts' text size in SVG pixels (ticks and labels)
LABEL_HEIGHT = FONT_SIZE + 1  # the least vertical distance between two value labels
INK = "#1f2933"
TIME_LABEL = N_("Time")


@dataclass(frozen=True)
class Frame:
    """The plot area: maps a time to x and a value to y (SVG y grows downwards)."""

    start: datetime
    end: datetime
    low: float
    high: float
    height: int = HEIGHT

    def x(self, time: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        share = (time - self.start).total_seconds() / span
        return LEFT + share * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        share = (value - self.low) / ((self.high - self.low) or 1.0)
        clipped = min(1.0, max(0.0, share))
        return self.height - BOTTOM - clipped * (self.height - TOP - BOTTOM)


def axis_times(frame: Frame, fmt: TimeFormat, zone: tzinfo | None) -> list[datetime]:
    """The times the time axis labels: round local hours of `zone` that fit, else (no zone)
    the window split evenly."""
    if zone is None:
        return even_times(frame.start, frame.end, TICKS)
    return list(
        time_ticks(
            frame.start,
            frame.end,
            zone,
            fmt=fmt,
            font_size=FONT_SIZE,
            plot=(LEFT, WIDTH - RIGHT),
            bounds=(0, WIDTH),
        )
    )


def time_axis(frame: Frame, fmt: TimeFormat, label: Label, zone: tzinfo | None) -> list[str]:
    base = frame.height - BOTTOM
    parts = [
        f'<line class="axis" stroke="{INK}" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" '
        f'y2="{base}"/>'
    ]
    ticks = axis_times(frame, fmt, zone)
    for i, when in enumerate(ticks):
        x = frame.x(when)
        anchor = "middle"
        if zone is None:
            anchor = "start" if i == 0 else "end" if i == len(ticks) - 1 else "middle"
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{base + 15}" text-anchor="{anchor}">'
            f"{escape(fmt(when))}</text>"
        )
    parts.append(
        f'<text class="axis-label visually-hidden" x="{WIDTH / 2}" y="{frame.height}">'
        f"{escape(label(TIME_LABEL))}</text>"
    )
    return parts


def value_labels(frame: Frame, values: Sequence[float]) -> list[str]:
    return [
        f'<text class="tick value-tick" x="{LEFT - 4}" y="{frame.y(v) + 4:.1f}" '
        f'text-anchor="end">{num(v)}</text>'
        for v in values
    ]


def num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
