"""Reads of survey rounds: the progress of a mailing (sent, failed, answered), for one
round in one aggregate query and for a list of rounds as annotations (no N+1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from surveys.models import Invitation, InvitationState, SurveyRound


@dataclass(frozen=True)
class RoundProgress:
    """A round's mailing and answers. `failed` counts the failed and the skipped (opted out or
    bounced) invitations; `response_rate` is answered / recipients in percent (one decimal)."""

    recipients: int
    sent: int
    failed: int
    waiting: int
    answered: int
    target: int

    @property
    def response_rate(self) -> Decimal:
        if not self.recipients:
            return Decimal("0.0")
        return (Decimal(self.answered) * 100 / self.recipients).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool:
        return self.recipients > 0 and self.answered * 100 >= self.target * self.recipients

    @property
    def mailed(self) -> int:
        """Invitations dealt with (sent, failed or skipped): for a progress bar of the mailing."""
        return self.sent + self.failed

    @property
    def mailed_percent(self) -> int:
        return (self.mailed * 100 // self.recipients) if self.recipients else 0

    @property
    def answered_percent(self) -> int:
        return (self.answered * 100 // self.recipients) if self.recipients else 0


_FAILED = (InvitationState.FAILED, InvitationState.SKIPPED)


def _counts(prefix: str = "") -> dict:
    return {
        "progress_recipients": Count(f"{prefix}pk"),
        "progress_sent": Count(f"{prefix}pk", filter=Q(**{f"{prefix}state": InvitationState.SENT})),
        "progress_failed": Count(f"{prefix}pk", filter=Q(**{f"{prefix}state__in": _FAILED})),
        "progress_waiting": Count(f"{prefix}pk", filter=Q(**{f"{prefix}state": InvitationState.WAITING})),
        "progress_answered": Count(f"{prefix}pk", filter=Q(**{f"{prefix}responded_on__isnull": False})),
    }


def round_progress(*, round: SurveyRound) -> RoundProgress:  # noqa: A002 (the round, as callers name it)
    """The round's progress, in one aggregate query."""
    counts = Invitation.objects.filter(round=round).aggregate(**_counts())
    return RoundProgress(
        recipients=counts["progress_recipients"],
        sent=counts["progress_sent"],
        failed=counts["progress_failed"],
        waiting=counts["progress_waiting"],
        answered=counts["progress_answered"],
        target=round.response_rate_target,
    )


def rounds_with_progress(queryset: QuerySet[SurveyRound]) -> QuerySet[SurveyRound]:
    """The rounds with their progress counts annotated (progress_recipients, progress_sent,
    progress_failed, progress_waiting, progress_answered), in the same query; `progress_of`
    turns an annotated round into a RoundProgress."""
    return queryset.annotate(**_counts("invitations__"))


def progress_of(survey_round: SurveyRound) -> RoundProgress:
    """The RoundProgress of a round from rounds_with_progress (no query)."""
    return RoundProgress(
        recipients=survey_round.progress_recipients,
        sent=survey_round.progress_sent,
        failed=survey_round.progress_failed,
        waiting=survey_round.progress_waiting,
        answered=survey_round.progress_answered,
        target=survey_round.response_rate_target,
    )
