"""Reads of the PTA's figures over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from companies.selectors_start import member_figures
from core.dates import month_ends
from reporting.models import MonthlyFigures


@dataclass(frozen=True)
class MonthFigures:
    day: date  # the month's last day, or today for this month
    member_companies: int | None  # None: not recorded
    employees: int | None
    reconstructed: bool = False


def monthly_trend(*, until: date, count: int) -> list[MonthFigures]:
    """The `count` months up to `until`'s, oldest first: past months from
    MonthlyFigures (one query; a month without a row has no figures), this
    month live (one query over the companies), so a change shows at once."""
    ends = month_ends(count=count, until=until)
    recorded = {
        row.month: row
        for row in MonthlyFigures.objects.filter(month__gte=ends[0].replace(day=1), month__lt=until.replace(day=1))
    }
    months = []
    for end in ends[:-1]:
        row = recorded.get(end.replace(day=1))
        months.append(
            MonthFigures(end, row.member_companies, row.employees, row.reconstructed)
            if row
            else MonthFigures(end, None, None)
        )
    companies, employees = member_figures()
    months.append(MonthFigures(until, companies, employees))
    return months
