"""The PTA's survey figures as counts and sums, for the national site
(reporting.services writes them to tenants.RegionSurveyFigures). No people:
only totals over the latest round of each kind of every company."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When

from core.dates import today
from surveys.models import CAR_DRIVER_MODES, Invitation, InvitationState, Response, SurveyRound

#: Groups with fewer responses than this show no figures (the same rule as the dashboards).
MIN_RESPONSES = 5
#: One-way distance bands in km: (label, lower bound inclusive); the last is open-ended.
DISTANCE_BANDS = [("0-2", 0), ("2-5", 2), ("5-10", 5), ("10-20", 10), ("20-50", 20), ("50+", 50)]
#: A respondent is willing to switch when they answer at least this on the 1-5 scale.
WILLING = 4


def latest_rounds(*, kind: str) -> QuerySet[SurveyRound]:
    """The latest round of `kind` that has opened, one per company (DISTINCT ON company)."""
    return (
        SurveyRound.objects.filter(kind=kind, opens_on__lte=today())
        .order_by("company_id", "-opens_on", "-pk")
        .distinct("company_id")
    )


def distance_band() -> Case:
    whens = [When(distance_km__gte=lower, then=Value(label)) for label, lower in reversed(DISTANCE_BANDS)]
    return Case(*whens, default=Value(""), output_field=CharField())


def region_figures(*, kind: str) -> dict | None:
    """Counts and sums over the latest round of `kind` of each company, or None
    when there are fewer than MIN_RESPONSES responses. Four queries."""
    round_ids = list(latest_rounds(kind=kind).values_list("pk", flat=True))
    responses = Response.objects.filter(round_id__in=round_ids)
    totals = responses.aggregate(
        responses=Count("pk"),
        trips=Sum("commute_days"),
        home_office_days=Sum("home_office_days"),
        car_drivers=Count("pk", filter=Q(main_mode__in=CAR_DRIVER_MODES)),
        willing=Count("pk", filter=Q(main_mode__in=CAR_DRIVER_MODES, switch_likelihood__gte=WILLING)),
    )
    if totals["responses"] < MIN_RESPONSES:
        return None
    by_mode = responses.values("main_mode").annotate(trips=Sum("commute_days")).order_by()
    by_band = responses.annotate(band=distance_band()).values("band").annotate(n=Count("pk")).order_by()
    invited = Invitation.objects.filter(round_id__in=round_ids).exclude(state=InvitationState.SKIPPED).count()
    return {
        "companies": len(round_ids),
        "invited": invited,
        "responses": totals["responses"],
        "trips": totals["trips"] or Decimal(0),
        "trips_by_mode": {row["main_mode"]: str(row["trips"] or 0) for row in by_mode if row["main_mode"]},
        "responses_by_distance_band": {row["band"]: row["n"] for row in by_band if row["band"]},
        "home_office_days": totals["home_office_days"] or Decimal(0),
        "willing_to_switch": totals["willing"],
        "car_drivers": totals["car_drivers"],
    }
