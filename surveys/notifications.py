"""The mails of survey rounds, run by surveys.tasks: each employee's invitation
and reminders, and the closing summary to the company's contact persons.

Each mail goes to an address at most once. An invitation is claimed with
SELECT ... FOR UPDATE SKIP LOCKED (so two workers never mail the same one),
and its mail is recorded (InvitationMail, unique per invitation, kind and
number) in the transaction that sends it; the transaction commits right after
the mail server accepted the mail, one mail at a time, so a worker that dies
mid-run leaves every mail it sent recorded, and the retry picks up with the
next. Mails are sent in batches over one SMTP connection each.

A permanent refusal (5xx) marks the invitation failed and suppresses the
address (MailSuppression, reason bounce); a temporary one (4xx) leaves it
waiting and is raised once the others are sent, so that the task retries;
a connection failure stops the run and is raised at once. An address that
opted out or bounced gets nothing (the invitation is marked skipped).
Links are built from the PTA's own domain (tenants.emails.tenant_url).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from companies.models import ContactPerson
from core.dates import today as oslo_today
from surveys import selectors
from surveys.models import (
    ClosingSummary,
    Invitation,
    InvitationMail,
    InvitationState,
    MailKind,
    MailSuppression,
    SuppressionReason,
    SurveyRound,
)
from surveys.services_rounds import due_reminders_filter
from tenants.emails import refusal_reply, stable_message_id, tenant_url

logger = logging.getLogger(__name__)

#: Invitations claimed and mailed over one SMTP connection.
BATCH_SIZE = 200
#: What the rendered templates carry in place of each invitation's token.
TOKEN_PLACEHOLDER = "SURVEYTOKENPLACEHOLDER0000000000000000000"  # noqa: S105 (not a secret)
MINUTES = 5


class ConnectionLost(Exception):
    """The mail server could not be reached or dropped the connection: stop, and retry later."""


def _from_address() -> str:
    """The PTA's name on the site's sending address (as invoicing.notifications does)."""
    return formataddr((connection.tenant.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def _url(name: str, **kwargs) -> str:
    return tenant_url(connection.tenant, reverse(name, kwargs=kwargs, urlconf=settings.ROOT_URLCONF))


def _language(code: str) -> str:
    available = {language for language, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


@dataclass(frozen=True)
class _Rendered:
    subject: str
    text: str
    html: str
    opt_out_url: str


class _InvitationMails:
    """Builds the invitation (or reminder) mails of a round. The templates are rendered once
    per language with a placeholder for the token, which each mail then gets in its links: the
    mails differ only in their links."""

    def __init__(self, survey_round: SurveyRound, *, template: str) -> None:
        self.round = survey_round
        self.template = template
        self.from_email = _from_address()
        self._rendered: dict[str, _Rendered] = {}

    def _render(self, language: str) -> _Rendered:
        if language not in self._rendered:
            answer_url = _url("survey_answer:answer", token=TOKEN_PLACEHOLDER)
            opt_out_url = _url("survey_answer:opt_out", token=TOKEN_PLACEHOLDER)
            context = {
                "tenant": connection.tenant,
                "company": self.round.company,
                "round": self.round,
                "closes_on": self.round.closes_on,
                "minutes": MINUTES,
                "answer_url": answer_url,
                "opt_out_url": opt_out_url,
            }
            with translation.override(language):
                context["LANGUAGE_CODE"] = language
                subject = render_to_string(f"emails/{self.template}_subject.txt", context).strip()
                text = render_to_string(f"emails/{self.template}.txt", context)
                html = render_to_string(f"emails/{self.template}.html", context)
            self._rendered[language] = _Rendered(" ".join(subject.split()), text, html, opt_out_url)
        return self._rendered[language]

    def message(self, invitation: Invitation, *, kind: str, number: int) -> EmailMultiAlternatives:
        rendered = self._render(_language(invitation.language))
        token = invitation.token()

        def fill(value: str) -> str:
            return value.replace(TOKEN_PLACEHOLDER, token)

        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=fill(rendered.text),
            from_email=self.from_email,
            to=[invitation.email],
            headers={
                "Message-ID": stable_message_id("survey-invitation", invitation.pk, kind, number),
                "List-Unsubscribe": f"<{fill(rendered.opt_out_url)}>",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(fill(rendered.html), "text/html")
        return message


@dataclass
class _Run:
    """What one pass of a mailing did."""

    sent: int = 0
    deferred: dict | None = None

    def defer(self, recipients: dict) -> None:
        self.deferred = {**(self.deferred or {}), **recipients}

    def finish(self) -> int:
        if self.deferred:
            raise smtplib.SMTPRecipientsRefused(self.deferred)
        return self.sent


def _refused_for_good(invitation: Invitation, *, kind: str, number: int, reply: str, suppress: bool) -> None:
    logger.warning("survey invitation %s: the mail server refused the %s for good", invitation.pk, kind)
    with transaction.atomic():
        InvitationMail.objects.get_or_create(
            invitation=invitation, kind=kind, number=number, defaults={"refused": reply}
        )
        update = {"failure": reply}
        if kind == MailKind.INVITATION:
            update["state"] = InvitationState.FAILED
        Invitation.objects.filter(pk=invitation.pk).update(**update)
        if suppress:
            MailSuppression.objects.get_or_create(
                email=invitation.email.lower(), defaults={"reason": SuppressionReason.BOUNCE, "detail": reply}
            )


def _claim(*, invitation_id: int, kind: str, number: int, condition: tuple[str, list]) -> bool:
    """Record the mail of an invitation that still matches `condition` (SQL on the invitation,
    with its parameters) and that no other worker holds: one statement, which locks the
    invitation (SKIP LOCKED) and inserts its InvitationMail unless it exists. False when another
    worker has it, it no longer needs the mail, or the mail was recorded before."""
    where, params = condition
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_MAIL_TABLE} (invitation_id, kind, number, sent_at, refused) "  # noqa: S608 (constants)
            f"SELECT id, %s, %s, now(), '' FROM {_INVITATION_TABLE} WHERE id = %s AND {where} "
            "FOR UPDATE SKIP LOCKED ON CONFLICT DO NOTHING RETURNING id",
            [kind, number, invitation_id, *params],
        )
        return cursor.fetchone() is not None


_MAIL_TABLE = InvitationMail._meta.db_table
_INVITATION_TABLE = Invitation._meta.db_table


def _deliver(
    *,
    invitation: Invitation,
    condition: tuple[str, list],
    kind: str,
    number: int,
    build: Callable[[], EmailMultiAlternatives],
    mail_connection,
    run: _Run,
) -> None:
    """Claim one invitation and record its mail, send it, and commit once the server took it:
    a mail is recorded if and only if it was sent (the invitation's own columns follow from
    the records, per batch: _mark_sent)."""
    try:
        with transaction.atomic():
            if not _claim(invitation_id=invitation.pk, kind=kind, number=number, condition=condition):
                return
            mail_connection.send_messages([build()])
    except smtplib.SMTPRecipientsRefused as refusal:
        reply, for_good = refusal_reply(refusal)
        if for_good:
            _refused_for_good(invitation, kind=kind, number=number, reply=reply, suppress=True)
        else:
            run.defer(refusal.recipients)
        return
    except smtplib.SMTPDataError as refusal:
        reply = f"{refusal.smtp_code} {refusal.smtp_error.decode(errors='replace')}"[:500]
        if refusal.smtp_code >= 500:  # this message refused, not the address
            _refused_for_good(invitation, kind=kind, number=number, reply=reply, suppress=False)
        else:
            run.defer({invitation.email: (refusal.smtp_code, refusal.smtp_error)})
        return
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError, OSError) as error:
        if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
            raise
        raise ConnectionLost(str(error)) from error
    run.sent += 1


def _mail_batches(
    *,
    candidates,
    condition: Callable[[Invitation], tuple[str, list]],
    kind: str,
    number_of: Callable[[Invitation], int],
    mails: _InvitationMails,
    mark_sent: Callable[[list[int]], None],
    skip: Callable[[list[int]], None] | None = None,
) -> int:
    """Go through the candidates (a queryset of invitations) BATCH_SIZE at a time, each batch
    over one SMTP connection; after each batch (or when it stops), `mark_sent` brings the
    batch's invitations up to date with their recorded mails. Returns how many were sent;
    raises what must be retried."""
    run, after = _Run(), 0
    while True:
        batch = list(candidates.filter(pk__gt=after).order_by("pk")[:BATCH_SIZE])
        if not batch:
            return run.finish()
        after = batch[-1].pk
        suppressed = set(
            MailSuppression.objects.filter(email__in={invitation.email for invitation in batch}).values_list(
                "email", flat=True
            )
        )
        if skip is not None:
            skip([invitation.pk for invitation in batch if invitation.email in suppressed])
        mail_connection = get_connection()
        try:
            mail_connection.open()
            for invitation in batch:
                if invitation.email in suppressed:
                    continue
                number = number_of(invitation)
                _deliver(
                    invitation=invitation,
                    condition=condition(invitation),
                    kind=kind,
                    number=number,
                    build=lambda invitation=invitation, number=number: mails.message(
                        invitation, kind=kind, number=number
                    ),
                    mail_connection=mail_connection,
                    run=run,
                )
        except ConnectionLost as lost:
            logger.warning("survey mailing stopped, the mail server is not reachable: %s", lost)
            raise smtplib.SMTPServerDisconnected(str(lost)) from lost
        finally:
            try:
                mail_connection.close()
            except Exception:  # a broken connection may fail to QUIT
                logger.debug("closing the SMTP connection failed", exc_info=True)
            mark_sent([invitation.pk for invitation in batch])


def _is_open(survey_round: SurveyRound) -> bool:
    today = oslo_today()
    return survey_round.opens_on <= today <= survey_round.closes_on


def invitations_send(*, round_id: int) -> int:
    """Mail each waiting invitation of an open round once. Returns how many were sent.

    Rules: nothing before the round opens or after it has closed; a suppressed address is
    skipped (state skipped); a permanent refusal fails the invitation and suppresses the
    address; a temporary refusal or a lost connection raises (the task retries), and the
    retry sends only what is still waiting. An invitation whose mail is recorded but whose
    state is not (its worker died between the two) is marked sent, not mailed again.
    Side effects: InvitationMail rows, the invitation's state, sent_at and last_mailed_at."""
    survey_round = SurveyRound.objects.select_related("company").filter(pk=round_id).first()
    if survey_round is None or not _is_open(survey_round):
        return 0

    def mark_sent(ids: list[int]) -> None:
        mailed = InvitationMail.objects.filter(
            invitation=OuterRef("pk"), kind=MailKind.INVITATION, number=0, refused=""
        ).values("sent_at")[:1]
        Invitation.objects.filter(pk__in=ids, state=InvitationState.WAITING).filter(Exists(mailed)).update(
            state=InvitationState.SENT, sent_at=Subquery(mailed), last_mailed_at=Subquery(mailed)
        )

    def skip(ids: list[int]) -> None:
        if ids:
            Invitation.objects.filter(pk__in=ids, state=InvitationState.WAITING).update(state=InvitationState.SKIPPED)

    return _mail_batches(
        candidates=Invitation.objects.filter(round=survey_round, state=InvitationState.WAITING),
        condition=lambda invitation: ("state = %s", [InvitationState.WAITING]),
        kind=MailKind.INVITATION,
        number_of=lambda invitation: 0,
        mails=_InvitationMails(survey_round, template="survey_invitation"),
        mark_sent=mark_sent,
        skip=skip,
    )


def reminders_send(*, round_id: int) -> int:
    """Mail the reminders due in an open round: to the invitations sent and not answered, with
    fewer reminders than round.max_reminders, last mailed at least round.reminder_days ago, to
    an address not suppressed. Each reminder (InvitationMail number reminders_sent + 1) goes
    once. Returns how many were sent; raises as invitations_send does. Side effects:
    InvitationMail rows, the invitation's reminders_sent and last_mailed_at."""
    survey_round = SurveyRound.objects.select_related("company").filter(pk=round_id).first()
    if survey_round is None or not _is_open(survey_round):
        return 0
    now = timezone.now()

    def condition(invitation: Invitation) -> tuple[str, list]:
        return (
            "state = %s AND responded_on IS NULL AND reminders_sent = %s",
            [InvitationState.SENT, invitation.reminders_sent],
        )

    def mark_sent(ids: list[int]) -> None:
        latest = InvitationMail.objects.filter(invitation=OuterRef("pk"), kind=MailKind.REMINDER).order_by("-number")
        Invitation.objects.filter(pk__in=ids).filter(
            Exists(latest.filter(number__gt=OuterRef("reminders_sent")))
        ).update(
            reminders_sent=Subquery(latest.values("number")[:1]),
            last_mailed_at=Subquery(latest.values("sent_at")[:1]),
        )

    return _mail_batches(
        candidates=Invitation.objects.filter(due_reminders_filter(now=now), round=survey_round),
        condition=condition,
        kind=MailKind.REMINDER,
        number_of=lambda invitation: invitation.reminders_sent + 1,
        mails=_InvitationMails(survey_round, template="survey_reminder"),
        mark_sent=mark_sent,
    )


def closing_summary_send(*, round_id: int) -> int:
    """Once the round has closed (closes_on before today), mail each contact person of the
    company a summary (invited, sent, failed, answered, the response rate against the target,
    a link to the results), once per address (ClosingSummary), then set round.summary_sent_at.
    A temporary refusal is raised once the others are sent (summary_sent_at stays empty and the
    retry mails only the rest). Returns how many were sent."""
    survey_round = SurveyRound.objects.select_related("company").filter(pk=round_id).first()
    if survey_round is None or survey_round.summary_sent_at is not None or survey_round.closes_on >= oslo_today():
        return 0
    company = survey_round.company
    progress = selectors.round_progress(round=survey_round)
    context = {
        "tenant": connection.tenant,
        "company": company,
        "round": survey_round,
        "progress": progress,
        "results_url": _url("survey_results:company_results", company_pk=company.pk),
    }
    with translation.override(settings.LANGUAGE_CODE):
        context["LANGUAGE_CODE"] = settings.LANGUAGE_CODE
        subject = " ".join(render_to_string("emails/survey_summary_subject.txt", context).split())
        text = render_to_string("emails/survey_summary.txt", context)
        html = render_to_string("emails/survey_summary.html", context)
    addresses = sorted(
        {
            email.lower()
            for email in ContactPerson.objects.filter(company=company, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        }
    )
    run = _Run()
    for address in addresses:
        try:
            with transaction.atomic():
                _row, created = ClosingSummary.objects.get_or_create(round=survey_round, address=address)
                if not created:
                    continue
                message = EmailMultiAlternatives(
                    subject=subject,
                    body=text,
                    from_email=_from_address(),
                    to=[address],
                    headers={"Message-ID": stable_message_id("survey-summary", survey_round.pk, address)},
                )
                message.attach_alternative(html, "text/html")
                message.send()
        except smtplib.SMTPRecipientsRefused as refusal:
            reply, for_good = refusal_reply(refusal)
            if for_good:
                logger.warning("survey round %s: the summary was refused for good: %s", survey_round.pk, reply)
                ClosingSummary.objects.get_or_create(round=survey_round, address=address)
            else:
                run.defer(refusal.recipients)
            continue
        run.sent += 1
    if not run.deferred:
        SurveyRound.objects.filter(pk=survey_round.pk, summary_sent_at__isnull=True).update(
            summary_sent_at=timezone.now()
        )
    return run.finish()
