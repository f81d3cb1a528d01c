"""A PTA's aggregates for the national site, written from inside its schema to
the public tables (tenants.RegionStats, RegionMonth, RegionCompany).

Why per schema, and not one query over all the schemas: the figures reuse the
apps' own selectors (the surveys' suppression and car-share rules, the tickets'
month rule), which run on the tenant's search path; a UNION over 15 schemas
would repeat them as raw SQL and must be rebuilt whenever a PTA is added. Each
region's refresh is a handful of set-based queries (bench/national_dashboard.py
times them), and the national page reads only the small public tables.

Only aggregates cross: counts and shares, never a person. A figure under 5
(employees, tickets, responses of a company) is written as empty."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from activities.models import Activity
from activities.selectors import activity_counts
from companies.models import Company
from core.dates import month_ends, today
from reporting.models import MonthlyFigures
from surveys.rules import MIN_RESPONSES
from surveys.selectors_region import car_share_change, company_car_shares
from tenants.models import RegionCompany, RegionMonth
from tickets.models import AgreementProduct, Ticket, TicketState

#: Months of the national trend, this one included.
TREND_MONTHS = 12


def region_national_figures(*, day: date) -> dict:
    """This PTA's RegionStats fields beyond the counts: tickets, activities, car share."""
    activities = activity_counts(year=day.year)
    return {
        "active_tickets": Ticket.objects.filter(state=TicketState.ACTIVE).count(),
        "activities_done": activities["done"],
        "activities_planned": activities["planned"],
        "members_behind": activities["members_behind"],
        **car_share_change(day=day),
    }


def _running_in(month: date) -> Q:
    # tickets.models.TicketQuerySet.running_in, as a filter of one aggregate.
    return (
        ~Q(state__in=[TicketState.PENDING, TicketState.CANCELLED])
        & Q(starts__lte=month)
        & (Q(ends__isnull=True) | Q(ends__gte=month))
    )


def region_months_refresh(*, day: date) -> None:
    """The last TREND_MONTHS months of this PTA: member companies and employees from
    reporting.MonthlyFigures, tickets that ran in each month, and activities done. Four queries
    and one upsert."""
    tenant_id = connection.tenant.pk
    months = [end.replace(day=1) for end in month_ends(count=TREND_MONTHS, until=day)]
    tickets = Ticket.objects.aggregate(**{f"m{i}": Count("pk", filter=_running_in(m)) for i, m in enumerate(months)})
    done = dict(
        Activity.objects.done()
        .filter(day__gte=months[0], day__lte=day)
        .annotate(month=TruncMonth("day"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    figures = {row.month: row for row in MonthlyFigures.objects.filter(month__in=months)}
    rows = [
        RegionMonth(
            tenant_id=tenant_id,
            month=month,
            member_companies=figures[month].member_companies if month in figures else 0,
            employees=figures[month].employees if month in figures else 0,
            active_tickets=tickets[f"m{i}"],
            activities_done=done.get(month, 0),
        )
        for i, month in enumerate(months)
    ]
    RegionMonth.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant", "month"],
        update_fields=["member_companies", "employees", "active_tickets", "activities_done"],
    )
    RegionMonth.objects.filter(tenant_id=tenant_id, month__lt=months[0]).delete()


def _shown(count: int | None) -> int | None:
    return count if count is not None and count >= MIN_RESPONSES else None


def _terms() -> dict[int, list[dict]]:
    """Each company's agreement products from the national base package, by the national code."""
    rows = (
        AgreementProduct.objects.filter(product__national_product__isnull=False)
        .values_list(
            "agreement__company_id",
            "product__national_product__code",
            "product__name",
            "subsidy_percent",
            "subsidy_amount",
        )
        .order_by("agreement__company_id", "product__national_product__code")
    )
    terms: dict[int, list[dict]] = {}
    for company_id, code, name, percent, amount in rows:
        terms.setdefault(company_id, []).append(
            {
                "code": code,
                "name": name,
                "subsidy_percent": None if percent is None else str(percent),
                "subsidy_amount": None if amount is None else str(amount),
            }
        )
    return terms


def region_companies_refresh(*, day: date) -> int:
    """One public row per company of this PTA (tenants.RegionCompany): its organisation number
    and name, which are public business facts, and its figures, empty under 5. Five queries and
    one upsert; companies no longer here lose their row."""
    tenant_id = connection.tenant.pk
    companies = list(
        Company.objects.annotate(
            active_tickets=Count("tickets", filter=Q(tickets__state=TicketState.ACTIVE), distinct=True)
        ).values_list("pk", "org_number", "name", "status", "employee_count", "active_tickets")
    )
    done = dict(
        Activity.objects.done()
        .in_year(day.year)
        .values_list("company_id")
        .annotate(n=Count("pk"))
        .values_list("company_id", "n")
    )
    shares = company_car_shares(day=day)
    terms = _terms()
    now = timezone.now()
    rows = []
    for pk, org_number, name, status, employees, tickets in companies:
        responses, car_share = shares.get(pk, (None, None))
        rows.append(
            RegionCompany(
                tenant_id=tenant_id,
                org_number=org_number,
                name=name,
                status=status,
                employees=_shown(employees),
                active_tickets=_shown(tickets),
                responses=_shown(responses),
                car_share=car_share if _shown(responses) is not None else None,
                activities_done=done.get(pk, 0),
                terms=terms.get(pk, []),
                refreshed_at=now,
            )
        )
    RegionCompany.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant", "org_number"],
        update_fields=[
            "name",
            "status",
            "employees",
            "active_tickets",
            "responses",
            "car_share",
            "activities_done",
            "terms",
            "refreshed_at",
        ],
        batch_size=1000,
    )
    RegionCompany.objects.filter(tenant_id=tenant_id).exclude(org_number__in=[row[1] for row in companies]).delete()
    return len(rows)


def national_refresh(*, day: date | None = None) -> dict:
    """Everything of this PTA the national site reads, but RegionStats' counts (the caller's)."""
    day = day or today()
    figures = region_national_figures(day=day)
    region_months_refresh(day=day)
    region_companies_refresh(day=day)
    return figures
