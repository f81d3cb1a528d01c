"""The PTA's survey figures as counts and sums, for the national site
(reporting.services writes them to tenants.RegionSurveyFigures). No people:
only totals over the latest round of each kind of every company, summed by
the dashboards' own aggregates (surveys.selectors_results)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.dates import today
from surveys import rules
from surveys.models import Invitation, InvitationState, Response, SurveyRound
from surveys.selectors_results import latest_rounds, mode_sums, pta_dashboard, response_sums


def region_figures(*, kind: str) -> dict | None:
    """Counts and sums over the latest round of `kind` of each company, or None
    when there are fewer than rules.MIN_RESPONSES responses. Four queries."""
    round_ids = [survey_round.pk for survey_round in latest_rounds(day=today()) if survey_round.kind == kind]
    responses = Response.objects.filter(round_id__in=round_ids)
    totals = response_sums(responses)[0]
    if totals["responses"] < rules.MIN_RESPONSES:
        return None
    invited = Invitation.objects.filter(round_id__in=round_ids).exclude(state=InvitationState.SKIPPED).count()
    bands = {label: totals[f"band_{index}"] for index, label in enumerate(rules.BAND_LABELS)}
    return {
        "companies": len(round_ids),
        "invited": invited,
        "responses": totals["responses"],
        "trips": totals["trips"] or Decimal(0),
        "trips_by_mode": {row["main_mode"]: str(row["trips"]) for row in mode_sums(responses) if row["main_mode"]},
        "responses_by_distance_band": {label: count for label, count in bands.items() if count},
        "home_office_days": totals["home_office_days"] or Decimal(0),
        "willing_to_switch": totals["willing_to_switch"],
        "car_drivers": totals["car_drivers"],
    }


def car_share_change(*, day: date) -> dict:
    """The member companies measured twice (a baseline, then a follow-up, each with at least 5
    responses): how many, how many met the car-share target against their own baseline
    (rules.car_share_target_met), and their car share summed over them, before and after. Three
    queries (surveys.selectors_results.pta_dashboard)."""
    dashboard = pta_dashboard(day=day)
    changes = [group.change for group in dashboard.followup.companies if group.change and group.change.available]
    return {
        "companies_measured": len(changes),
        "companies_reduced": sum(
            rules.car_share_target_met(c.baseline.car_share, c.followup.car_share) for c in changes
        ),
        "car_share_baseline": dashboard.change.baseline.car_share if changes else None,
        "car_share_followup": dashboard.change.followup.car_share if changes else None,
    }


def company_car_shares(*, day: date) -> dict[int, tuple[int, Decimal | None]]:
    """Each company's latest round (of either kind) that has opened: its responses and car share,
    the share None under 5 responses (rules.figures suppresses it). Two queries."""
    latest: dict[int, SurveyRound] = {}
    for survey_round in latest_rounds(day=day):
        known = latest.get(survey_round.company_id)
        if known is None or (survey_round.opens_on, survey_round.pk) > (known.opens_on, known.pk):
            latest[survey_round.company_id] = survey_round
    sums = {
        row["round_id"]: row
        for row in response_sums(Response.objects.filter(round_id__in=[r.pk for r in latest.values()]), by=["round_id"])
    }
    shares = {}
    for company_id, survey_round in latest.items():
        row = sums.get(survey_round.pk, {"responses": 0})
        figures = rules.figures(row) if not rules.too_few(row["responses"]) else None
        shares[company_id] = (row["responses"], figures.car_share if figures else None)
    return shares
