"""Thin tasks of the surveys: ids in, one call, safe to run twice (each mail is sent once,
surveys.notifications). A temporary SMTP failure (4xx, or the server not reachable) is retried
with backoff; the retry sends only what is still missing."""

from __future__ import annotations

import smtplib

from celery import shared_task

from surveys import notifications, services_rounds

#: Retried: temporary refusals and lost or refused connections (smtplib's errors are OSErrors).
RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(name="surveys.send_invitations", **RETRY)
def send_invitations(round_id: int) -> int:
    """Mail the round's waiting invitations (queued when a round opens, and by survey_mail_due)."""
    return notifications.invitations_send(round_id=round_id)


@shared_task(name="surveys.send_reminders", **RETRY)
def send_reminders(round_id: int) -> int:
    """Mail the reminders due in the round (queued by survey_mail_due)."""
    return notifications.reminders_send(round_id=round_id)


@shared_task(name="surveys.send_summary", **RETRY)
def send_summary(round_id: int) -> int:
    """Mail the closed round's summary to the company's contact persons, once each."""
    return notifications.closing_summary_send(round_id=round_id)


@shared_task(name="surveys.survey_mail_due")
def survey_mail_due() -> int:
    """Per tenant, every few minutes (beat, through tenants.tasks.dispatch_to_tenants): queue,
    through core.outbox, the invitations, reminders and summaries that are due. Returns the
    tasks queued."""
    return len(services_rounds.due_mail_enqueue())
