"""Writes of the employee's answer, behind the e-mailed link (no account).

- Saving to carry on later keeps the answers so far on the invitation (`draft`).
- Sending makes one anonymous Response with its Answers, and marks the
  invitation answered (the day only) and wipes its draft, in one transaction:
  each link gives one response.
- Opting out stops survey mail to the invitation's address (MailSuppression).

Nothing here stores or logs the client's address, and nothing links a
Response to its invitation or employee.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from surveys.answers import answer_fields, clean_answers, round_status, standard_columns
from surveys.models import Answer, Invitation, MailSuppression, Question, Response, SuppressionReason


class AnswerRefused(Exception):
    """The invitation cannot take an answer: `reason` is "responded", "closed" or "not_open"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _refusal(invitation: Invitation, *, today: date) -> str | None:
    if invitation.responded_on is not None:
        return "responded"
    status = round_status(opens_on=invitation.round.opens_on, closes_on=invitation.round.closes_on, today=today)
    return None if status == "open" else status


@transaction.atomic
def draft_save(*, invitation_id: int, answers: dict, today: date) -> None:
    """Keep the answers so far on the invitation, replacing the earlier draft.

    Rules: only while the round is open (today in opens_on..closes_on) and the
    invitation has not answered (AnswerRefused otherwise); the answers are
    cleaned again (partial: required questions may be empty) and only the
    valid ones are kept. Side effects: Invitation.draft."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("round").get(pk=invitation_id)
    if reason := _refusal(invitation, today=today):
        raise AnswerRefused(reason)
    cleaned, _errors = clean_answers(
        Question.objects.filter(questionnaire_id=invitation.round.questionnaire_id), answers, partial=True
    )
    Invitation.objects.filter(pk=invitation.pk, responded_on__isnull=True).update(draft=cleaned)


@transaction.atomic
def response_submit(*, invitation_id: int, answers: dict, today: date) -> Response:
    """Send the answer: one Response and an Answer per answered question.

    Rules: the invitation is locked; AnswerRefused if it has answered already
    or the round is not open today (Europe/Oslo); the answers are checked in
    full again (ValidationError naming the question keys otherwise: required
    questions, options, bounds, decimals, the week's days).

    Side effects: the Response (a random UUID, the date only; the company, and
    the employee's location and department as they are today, for the
    breakdowns; the standard questions' columns) and its Answers; the
    invitation's responded_on = today and draft wiped, by a conditional UPDATE
    in the same transaction. Nothing links the Response to the invitation."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("round", "employee").get(pk=invitation_id)
    )
    if reason := _refusal(invitation, today=today):
        raise AnswerRefused(reason)
    questions = list(Question.objects.filter(questionnaire_id=invitation.round.questionnaire_id))
    cleaned, errors = clean_answers(questions, answers)
    if errors:
        raise ValidationError({key: [message] for key, message in errors.items()})
    employee = invitation.employee
    response = Response.objects.create(
        round_id=invitation.round_id,
        company_id=invitation.round.company_id,
        location_id=employee.location_id if employee else None,
        department_id=employee.department_id if employee else None,
        submitted_on=today,
        **standard_columns(cleaned),
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, **answer_fields(question, cleaned[question.key]))
        for question in questions
        if question.key in cleaned
    )
    # The guard against a second response, whatever the lock above saw.
    marked = Invitation.objects.filter(pk=invitation.pk, responded_on__isnull=True).update(responded_on=today, draft={})
    if marked != 1:
        raise AnswerRefused("responded")
    return response


@transaction.atomic
def opt_out(*, invitation_id: int) -> MailSuppression:
    """Stop survey mail to the invitation's address, in every round of this PTA,
    also after the round has closed. Safe to repeat: an address already
    suppressed (opted out or bounced) keeps its row. Side effects: MailSuppression."""
    invitation = Invitation.objects.get(pk=invitation_id)
    suppression, _created = MailSuppression.objects.get_or_create(
        email=invitation.email, defaults={"reason": SuppressionReason.OPT_OUT}
    )
    return suppression
