"""Writes of survey rounds: starting a round for one company (or many), and
queueing the mailings that are due (the beat task surveys.survey_mail_due).

A round's audience is fixed when it starts: one Invitation per eligible
employee (active, with an e-mail address, not opted out or bounced), made in
one bulk insert. The invitations are mailed by surveys.notifications, run by
surveys.tasks, always queued through core.outbox in the transaction that
calls for them.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.models import Company, Department, Location
from core import outbox
from core.dates import today as oslo_today
from core.models import OutboxMessage
from employees.models import Employee, EmployeeStatus
from surveys import services
from surveys.models import (
    Invitation,
    InvitationState,
    MailSuppression,
    RoundKind,
    SuppressionReason,
    SurveyRound,
    invitation_token,
)
from tenants.models import User

SEND_INVITATIONS = "surveys.send_invitations"
SEND_REMINDERS = "surveys.send_reminders"
SEND_SUMMARY = "surveys.send_summary"
INSERT_BATCH = 5_000


def round_key(round_id: int, what: str = "") -> str:
    """The outbox key of a round's mailing (invitations: no suffix)."""
    return f"survey-round-{round_id}" + (f"-{what}" if what else "")


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _check_dates(*, opens_on: date, closes_on: date, today: date) -> None:
    if closes_on < opens_on:
        raise ValidationError(
            _("The round cannot close (%(closes)s) before it opens (%(opens)s).")
            % {"closes": closes_on.isoformat(), "opens": opens_on.isoformat()}
        )
    if closes_on < today:
        raise ValidationError(
            _("The closing date %(closes)s has passed (today is %(today)s).")
            % {"closes": closes_on.isoformat(), "today": today.isoformat()}
        )
    if opens_on > _one_year_after(today):
        raise ValidationError(
            _("The opening date %(opens)s is more than a year ahead.") % {"opens": opens_on.isoformat()}
        )


def _check_place(*, company: Company, location: Location | None, department: Department | None) -> None:
    if location is not None and location.company_id != company.pk:
        raise ValidationError(
            _("The location «%(location)s» does not belong to %(company)s.")
            % {"location": location.name, "company": company.name}
        )
    if department is not None and department.company_id != company.pk:
        raise ValidationError(
            _("The department «%(department)s» does not belong to %(company)s.")
            % {"department": department.name, "company": company.name}
        )


def _suppressed():
    return Exists(MailSuppression.objects.filter(email=Lower(OuterRef("email"))))


def audience(
    *, company: Company, location: Location | None = None, department: Department | None = None
) -> QuerySet[Employee]:
    """The employees a new round of the company (and place) would invite: active, with an
    e-mail address that has not opted out or bounced. Several employees with one address
    get one invitation (the first of them)."""
    employees = Employee.objects.filter(company=company)
    if location is not None:
        employees = employees.filter(location=location)
    if department is not None:
        employees = employees.filter(department=department)
    return (
        employees.filter(status=EmployeeStatus.ACTIVE)
        .exclude(email="")
        .annotate(address=Lower("email"), suppressed=_suppressed())
        .filter(suppressed=False)
        .order_by("address", "pk")
        .distinct("address")
    )


def _no_recipients_message(*, company: Company, location: Location | None, department: Department | None) -> str:
    employees = Employee.objects.filter(company=company)
    if location is not None:
        employees = employees.filter(location=location)
    if department is not None:
        employees = employees.filter(department=department)
    active = Q(status=EmployeeStatus.ACTIVE)
    counts = employees.aggregate(
        total=Count("pk"),
        not_active=Count("pk", filter=~active),
        no_email=Count("pk", filter=active & Q(email="")),
        suppressed=Count("pk", filter=active & ~Q(email="") & Q(_suppressed())),
    )
    reasons = []
    if counts["no_email"]:
        reasons.append(
            ngettext("%(n)s without an e-mail address", "%(n)s without an e-mail address", counts["no_email"])
            % {"n": counts["no_email"]}
        )
    if counts["suppressed"]:
        reasons.append(
            ngettext("%(n)s opted out or bounced", "%(n)s opted out or bounced", counts["suppressed"])
            % {"n": counts["suppressed"]}
        )
    if counts["not_active"]:
        reasons.append(
            ngettext("%(n)s not active", "%(n)s not active", counts["not_active"]) % {"n": counts["not_active"]}
        )
    scope = company.name
    if location is not None:
        scope += f", {location.name}"
    if department is not None:
        scope += f", {department.name}"
    message = _("No eligible recipients in %(scope)s: the round needs active employees with an e-mail address.") % {
        "scope": scope
    }
    if counts["total"]:
        message += " " + _("Of %(total)s employees, %(reasons)s.") % {
            "total": counts["total"],
            "reasons": ", ".join(reasons),
        }
    else:
        message += " " + _("The employee list is empty.")
    return message


def _check_no_overlap(*, company: Company, recipients: QuerySet[Employee], opens_on: date, closes_on: date) -> None:
    """No employee is in two rounds at once: the second would mail the same people again (a
    double-clicked confirm too). Rounds for other locations or departments may run side by side.
    The company row is locked first, so two starts for one company wait for each other."""
    Company.objects.select_for_update().filter(pk=company.pk).first()
    other = (
        SurveyRound.objects.filter(company=company, opens_on__lte=closes_on, closes_on__gte=opens_on)
        .filter(Exists(Invitation.objects.filter(round=OuterRef("pk"), employee__in=recipients)))
        .order_by("opens_on")
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("%(company)s already has a survey round from %(opens)s to %(closes)s for some of these employees.")
            % {
                "company": company.name,
                "opens": date_format(other.opens_on, "SHORT_DATE_FORMAT"),
                "closes": date_format(other.closes_on, "SHORT_DATE_FORMAT"),
            }
        )


@transaction.atomic
def round_start(
    *,
    company: Company,
    kind: str,
    opens_on: date,
    closes_on: date,
    location: Location | None = None,
    department: Department | None = None,
    reminder_days: int = 4,
    max_reminders: int = 2,
    by: User | None = None,
) -> SurveyRound:
    """Start a survey round for the company's employees (optionally one location or department).

    Rules: the round opens no more than a year ahead and closes on or after it opens and not
    before today (Europe/Oslo); the location or department is the company's; no one in the
    audience is in another round of the company at the same time; the audience (`audience`)
    is not empty. Any refusal is a ValidationError naming the value, and nothing
    is stored. The round uses surveys.services.questionnaire_for_new_round().

    Side effects: one Invitation per recipient (bulk insert; only the SHA-256 of each link's
    token is kept); if the round opens today or earlier, surveys.send_invitations is queued
    through core.outbox (otherwise the beat task queues it on the opening day)."""
    if kind not in RoundKind.values:
        raise ValidationError(_("Unknown kind of round %(kind)r.") % {"kind": kind})
    today = oslo_today()
    _check_dates(opens_on=opens_on, closes_on=closes_on, today=today)
    _check_place(company=company, location=location, department=department)
    eligible = audience(company=company, location=location, department=department)
    # The same people without the address rules (DISTINCT ON needs its ordering), for the overlap check.
    people = eligible.order_by().distinct().values("pk")
    _check_no_overlap(company=company, recipients=people, opens_on=opens_on, closes_on=closes_on)
    recipients = list(eligible.values_list("pk", "address", "preferred_language"))
    if not recipients:
        raise ValidationError(_no_recipients_message(company=company, location=location, department=department))
    survey_round = SurveyRound(
        company=company,
        questionnaire=services.questionnaire_for_new_round(),
        kind=kind,
        opens_on=opens_on,
        closes_on=closes_on,
        location=location,
        department=department,
        reminder_days=reminder_days,
        max_reminders=max_reminders,
        created_by=by,
    )
    survey_round.full_clean(
        exclude=["company", "questionnaire", "location", "department", "created_by"], validate_constraints=False
    )  # the dates were checked above
    survey_round.save()
    invitations = []
    for employee_id, email, language in recipients:
        nonce = secrets.token_hex(16)
        invitations.append(
            Invitation(
                round=survey_round,
                employee_id=employee_id,
                email=email,
                language=language or "nb",
                nonce=nonce,
                token_hash=Invitation.hash_token(invitation_token(round_id=survey_round.pk, nonce=nonce)),
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=INSERT_BATCH)
    survey_round.recipient_count = len(invitations)  # for the caller (not a field)
    if opens_on <= today:
        outbox.enqueue(task=SEND_INVITATIONS, args=[survey_round.pk], key=round_key(survey_round.pk))
    return survey_round


def rounds_start_many(*, companies: list[Company], **options) -> tuple[list[SurveyRound], list[tuple[Company, str]]]:
    """Start a round (round_start, with the same options) for each company, each in its own
    transaction: a company that is refused (no eligible recipients, say) does not stop the
    others. Returns the rounds started and the refusals (company, message)."""
    started: list[SurveyRound] = []
    refused: list[tuple[Company, str]] = []
    for company in companies:
        try:
            started.append(round_start(company=company, **options))
        except ValidationError as error:
            refused.append((company, " ".join(error.messages)))
    return started, refused


def _waiting_outbox(keys: set[str]) -> set[str]:
    """Of these outbox keys, those with a row not yet handed to Celery (no need to queue again)."""
    return set(outbox.pending().filter(key__in=keys).values_list("key", flat=True))


def due_reminders_filter(*, now=None) -> Q:
    """The invitations due a reminder (relative to SurveyRound: `invitations__...`-free,
    used on Invitation): sent, not answered, fewer reminders than the round allows, last
    mailed at least the round's reminder_days ago, the address not suppressed."""
    now = now or timezone.now()
    return (
        Q(state=InvitationState.SENT, responded_on__isnull=True, reminders_sent__lt=F("round__max_reminders"))
        & Q(last_mailed_at__lte=now - F("round__reminder_days") * timedelta(days=1))
        & ~Q(Exists(MailSuppression.objects.filter(email=OuterRef("email"))))
    )


@transaction.atomic
def due_mail_enqueue() -> list[OutboxMessage]:
    """Queue the mailings that are due in this PTA (run by the beat task every few minutes):
    the invitations of open rounds that still have some waiting (the opening day of a round
    started ahead, or a mailing whose worker died), the reminders due, and the closing summary
    of rounds that have closed. Safe to run twice: a round whose task is still waiting in the
    outbox is not queued again, and the mailings send each mail once. Returns the rows queued."""
    today = oslo_today()
    open_rounds = SurveyRound.objects.filter(opens_on__lte=today, closes_on__gte=today)
    waiting = Invitation.objects.filter(round=OuterRef("pk"), state=InvitationState.WAITING)
    reminders = Invitation.objects.filter(due_reminders_filter(), round=OuterRef("pk"))
    wanted: dict[str, tuple[str, int]] = {}
    for pk in open_rounds.filter(Exists(waiting)).values_list("pk", flat=True):
        wanted[round_key(pk)] = (SEND_INVITATIONS, pk)
    for pk in open_rounds.filter(Exists(reminders)).values_list("pk", flat=True):
        wanted[round_key(pk, "reminders")] = (SEND_REMINDERS, pk)
    closed = SurveyRound.objects.filter(closes_on__lt=today, summary_sent_at__isnull=True)
    for pk in closed.values_list("pk", flat=True):
        wanted[round_key(pk, "summary")] = (SEND_SUMMARY, pk)
    already = _waiting_outbox(set(wanted))
    due = [(key, task, pk) for key, (task, pk) in sorted(wanted.items()) if key not in already]
    return [outbox.enqueue(task=task, args=[pk], key=key) for key, task, pk in due]


@transaction.atomic
def bounces_record(*, addresses: list[str], detail: str) -> int:
    """Record addresses the mail provider reported as bounced after it had accepted
    the mail (a bounce list or DSN export): no survey mail goes to them again, and
    their invitations that have not answered show as failed. Addresses are compared
    lower-cased; one already suppressed keeps its row. Returns how many were new."""
    emails = sorted({address.strip().lower() for address in addresses if address.strip()})
    existing = set(MailSuppression.objects.filter(email__in=emails).values_list("email", flat=True))
    MailSuppression.objects.bulk_create(
        MailSuppression(email=email, reason=SuppressionReason.BOUNCE, detail=detail[:500])
        for email in emails
        if email not in existing
    )
    Invitation.objects.filter(
        email__in=emails, responded_on__isnull=True, state__in=[InvitationState.WAITING, InvitationState.SENT]
    ).update(state=InvitationState.FAILED, failure=detail[:500])
    return len(emails) - len(existing)
