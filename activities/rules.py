"""The agreement's pace of activities, as pure functions (no database).

A member company is agreed AGREED_PER_YEAR activities a calendar year. It is
*behind* when the activities done so far this year are fewer than its share
of the year so far: AGREED_PER_YEAR x (months elapsed, the current month
included) / 12, rounded down. So in January-February nothing is owed yet, by
the end of March one, by June two, by September three, and in December four.
"""

from __future__ import annotations

from datetime import date

AGREED_PER_YEAR = 4


def due_by(day: date) -> int:
    """Activities that should be done in `day`'s year by `day` (months incl. the current one)."""
    return AGREED_PER_YEAR * day.month // 12


def behind(done: int, day: date) -> bool:
    """Whether `done` activities this year are fewer than due by `day`."""
    return done < due_by(day)
