"""The PTA's survey figures as counts and sums, for the national site
(reporting.services writes them to tenants.RegionSurveyFigures). No people:
only totals over the latest round of each kind of every company, summed by
the dashboards' own aggregates (surveys.selectors_results)."""

from __future__ import annotations

from decimal import Decimal

from core.dates import today
from surveys import rules
from surveys.models import Invitation, InvitationState, Response
from surveys.selectors_results import latest_rounds, mode_sums, response_sums


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
