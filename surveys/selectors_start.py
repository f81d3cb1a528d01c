"""The surveys' items for the composed start pages (config/composition.py):
open rounds below their response-rate target, on "I dag" and on Min side."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from companies.models import Company, ContactPerson
from core.attention import Attention, Severity
from core.dates import today as oslo_today
from surveys.models import RESPONSE_RATE_TARGET, InvitationState, RoundKind, SurveyRound
from tenants.models import User

#: "I dag" names an open round below its target this many days before it closes.
CLOSING_SOON_DAYS = 3


def _open_rounds_below_target() -> QuerySet[SurveyRound]:
    """Open rounds (today within their dates) with their invited and answered counts,
    where the answered share is below the kind's target. One query."""
    today = oslo_today()
    rounds = SurveyRound.objects.filter(opens_on__lte=today, closes_on__gte=today).annotate(
        invited=Count("invitations", filter=~Q(invitations__state=InvitationState.SKIPPED)),
        answered=Count("invitations", filter=Q(invitations__responded_on__isnull=False)),
    )
    below = Q()
    for kind in RoundKind:
        # answered / invited < target %  ⇔  100 × answered < target × invited (integers, no division).
        below |= Q(kind=kind, answered_x100__lt=RESPONSE_RATE_TARGET[kind] * F("invited"))
    return (
        rounds.annotate(answered_x100=Cast(F("answered") * 100, IntegerField()))
        .filter(below, invited__gt=0)
        .select_related("company")
    )


def _rate(survey_round: SurveyRound) -> int:
    return round(100 * survey_round.answered / survey_round.invited)


def rounds_closing_below_target(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """I dag: open rounds closing within CLOSING_SOON_DAYS whose response rate is below target. One query."""
    rounds = _open_rounds_below_target().filter(closes_on__lte=oslo_today() + timedelta(days=CLOSING_SOON_DAYS))
    if mine:
        rounds = rounds.filter(company__adviser=user)
    return [
        Attention(
            kind="survey_round_below_target",
            title=_("Survey closes %(date)s with %(rate)s %% answered (target %(target)s %%)")
            % {
                "date": date_format(survey_round.closes_on, "j. F"),
                "rate": _rate(survey_round),
                "target": survey_round.response_rate_target,
            },
            url=reverse("surveys:round_detail", args=[survey_round.pk]),
            company=survey_round.company.name,
            adviser_id=survey_round.company.adviser_id,
            since=survey_round.closes_on,
            severity=Severity.WARNING,
        )
        for survey_round in rounds.order_by("closes_on")[:limit]
    ]


def survey_next_steps(*, company: Company, contact: ContactPerson, user: User) -> list[Attention]:
    """Min side: the company's open rounds below target, so the contact person can
    encourage their colleagues to answer. One query."""
    return [
        Attention(
            kind="survey_round_open",
            title=_("%(rate)s %% of your employees have answered the travel survey (target %(target)s %%)")
            % {"rate": _rate(survey_round), "target": survey_round.response_rate_target},
            url=reverse("surveys:round_detail", args=[survey_round.pk]),
            since=survey_round.closes_on,
            detail=_("The survey closes %(date)s. Remind your colleagues to answer the e-mail they received.")
            % {"date": date_format(survey_round.closes_on, "j. F Y")},
            severity=Severity.INFO,
        )
        for survey_round in _open_rounds_below_target().filter(company=company).order_by("closes_on")[:3]
    ]
