"""Dates as Norwegians mean them: in Europe/Oslo, whatever the server's zone."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

OSLO = ZoneInfo("Europe/Oslo")


def today() -> date:
    """Today's date in Oslo."""
    return timezone.localdate(timezone=OSLO)


def month_ends(*, count: int, until: date) -> list[date]:
    """The last day of each of the `count` months up to `until`'s, oldest
    first; the month of `until` ends at `until` itself (a month not over yet
    is counted as it stands): month_ends(count=2, until=date(2026, 3, 10)) ==
    [date(2026, 2, 28), date(2026, 3, 10)]."""
    ends = [until]
    first = until.replace(day=1)
    for _ in range(count - 1):
        end = first - timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return ends[::-1]
