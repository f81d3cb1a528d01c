from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from companies.models import Company, CompanyStatus, ContactPerson
from companies.selectors_start import member_company_trend, member_figures
from core.dates import month_ends, today
from employees.models import Employee, EmployeeStatus
from employees.selectors_start import employee_trend
from reporting.models import MonthlyFigures
from reporting.services_national import national_refresh
from surveys.models import RoundKind
from surveys.selectors_region import region_figures
from tenants.models import RegionStats, RegionSurveyFigures

#: Months of the trend on "I dag", this one included.
TREND_MONTHS = 12


def monthly_figures_record(*, day: date | None = None) -> MonthlyFigures:
    """Bring this month's row of MonthlyFigures up to the figures as they
    stand (member companies, and the employees on their lists), so that once
    the month is over its row holds its month-end figures; run every hour by
    beat (reporting.tasks.record_monthly_figures), and safe to run twice.
    Past months of the trend without a row (before the first recording, or
    while the worker was away) are filled once, reconstructed from dated
    facts (companies' status changes, employees' employment dates).

    Why a snapshot, and not the history computed from those facts on each
    page: reconstructing the employees reads every employee of the PTA for
    every month, 2.3 s for twelve months of 400,000 employees in 2,000
    companies (the PTA bench/list_scaling.py times, where the whole of
    "I dag" took 43 ms) and 0.25 s for 50,000, while twelve small rows are
    read in a millisecond whatever the PTA's size. pghistory's event tables
    hold the same history, but dated when a change was saved, not when it
    took effect, and they grow with every edit. No side effects beyond the
    rows."""
    day = day or today()
    companies, employees = member_figures()
    with transaction.atomic():
        figures, _created = MonthlyFigures.objects.update_or_create(
            month=day.replace(day=1),
            defaults={"member_companies": companies, "employees": employees, "reconstructed": False},
        )
        past = month_ends(count=TREND_MONTHS, until=day)[:-1]
        have = set(MonthlyFigures.objects.filter(month__in=[end.replace(day=1) for end in past]).values_list("month"))
        missing = [end for end in past if (end.replace(day=1),) not in have]
        if missing:
            rows = zip(missing, member_company_trend(ends=missing), employee_trend(ends=missing), strict=True)
            MonthlyFigures.objects.bulk_create(
                [
                    MonthlyFigures(month=end.replace(day=1), member_companies=c, employees=e, reconstructed=True)
                    for end, c, e in rows
                ],
                ignore_conflicts=True,  # recorded meanwhile by another run: that one stands
            )
    return figures


def region_stats_refresh() -> RegionStats:
    """Write this tenant's aggregates to the public tables the national site
    reads: RegionStats (counts, tickets, activities, car share against the
    baseline), RegionMonth (the trend), RegionCompany (each company's
    footprint) and RegionSurveyFigures, in one transaction, so the national
    site never sees half a refresh. Safe to run twice.

    Runs in the tenant's schema (the public tables are reachable through the
    search path). Only counts cross into the public schema, never people.
    """
    tenant = connection.tenant
    with transaction.atomic():
        companies = Company.objects.aggregate(
            total=Count("pk"), members=Count("pk", filter=Q(status=CompanyStatus.MEMBER))
        )
        stats, _ = RegionStats.objects.update_or_create(
            tenant_id=tenant.pk,
            defaults={
                "companies": companies["total"],
                "member_companies": companies["members"],
                "employees": Employee.objects.exclude(status=EmployeeStatus.LEFT).count(),
                "contact_persons": ContactPerson.objects.values("user_id").distinct().count(),
                **national_refresh(),
                "refreshed_at": timezone.now(),
            },
        )
        region_survey_figures_refresh()
    return stats


def region_survey_figures_refresh() -> None:
    """Write this tenant's survey totals per kind of round to the public
    RegionSurveyFigures table: counts and sums only, and no row for a kind
    with fewer than 5 responses (surveys.selectors_region)."""
    tenant = connection.tenant
    for kind in RoundKind:
        figures = region_figures(kind=kind)
        if figures is None:
            RegionSurveyFigures.objects.filter(tenant_id=tenant.pk, kind=kind).delete()
            continue
        RegionSurveyFigures.objects.update_or_create(
            tenant_id=tenant.pk, kind=kind, defaults={**figures, "refreshed_at": timezone.now()}
        )
