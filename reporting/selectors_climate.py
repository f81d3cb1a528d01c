"""The reads behind a company's climate report: its rounds, each round's sums per main
mode (one grouped query per round), its employees and its corporate tickets. The
arithmetic is reporting.climate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from companies.models import Company
from reporting import climate
from reporting.models import CertificationLevel, ClimateReport, ReportState
from surveys.models import Response, SurveyRound
from surveys.selectors_results import company_rounds, comparison_rounds
from tickets.models import TicketState
from tickets.selectors import ticket_counts

_ZERO = Decimal(0)


def round_sums(*, round_: SurveyRound, invited: int) -> climate.RoundSums:
    """The round's responses per main mode: count, those with distance and days, SUM(distance ×
    days) over those, and SUM(days) (one query)."""
    both = Q(distance_km__isnull=False, commute_days__isnull=False)
    km_days = ExpressionWrapper(F("distance_km") * F("commute_days"), output_field=DecimalField())
    rows = (
        Response.objects.filter(round=round_)
        .order_by()
        .values("main_mode")
        .annotate(
            responses=Count("pk"),
            estimable=Count("pk", filter=both),
            km_days=Coalesce(Sum(km_days, filter=both), _ZERO, output_field=DecimalField()),
            days=Coalesce(Sum("commute_days"), _ZERO, output_field=DecimalField()),
            with_days=Count("pk", filter=Q(commute_days__isnull=False)),
        )
        .order_by("main_mode")
    )
    modes = tuple(
        climate.ModeSums(
            mode=row["main_mode"],
            responses=row["responses"],
            estimable=row["estimable"],
            km_days=row["km_days"],
            days=row["days"],
            with_days=row["with_days"],
        )
        for row in rows
    )
    return climate.RoundSums(responses=sum(m.responses for m in modes), invited=invited, modes=modes)


@dataclass(frozen=True)
class ReportRounds:
    rounds: list[SurveyRound]  # every round of the company, newest first, each with `invited`
    baseline: SurveyRound | None
    followup: SurveyRound | None


def report_rounds(*, company: Company, day: date) -> ReportRounds:
    """The company's latest baseline that opened by `day` and its latest follow-up opened
    after it (surveys.selectors_results.comparison_rounds), each with `invited` (one query)."""
    rounds = company_rounds(company=company)
    baseline, followup = comparison_rounds(rounds, day=day)
    return ReportRounds(rounds=rounds, baseline=baseline, followup=followup)


def employee_count(*, company: Company) -> int:
    """Employees on the company's list now (the database's kept count; leavers not counted)."""
    return Company.objects.filter(pk=company.pk).values_list("employee_count", flat=True).first() or 0


def ticket_uptake(*, company: Company, employees: int) -> climate.TicketUptake:
    """Active corporate tickets of the company against its employees (one query)."""
    return climate.TicketUptake(active_tickets=ticket_counts(company=company)[TicketState.ACTIVE], employees=employees)


def company_reports(*, company: Company) -> QuerySet[ClimateReport]:
    """The company's climate reports, newest first, with their documents."""
    return company.climate_reports.select_related("document").order_by("-created_at", "-pk")


def latest_done_report(*, company: Company) -> ClimateReport | None:
    return company_reports(company=company).filter(state=ReportState.DONE).first()


def certification_level_list() -> list[CertificationLevel]:
    return list(CertificationLevel.objects.order_by("rank"))
