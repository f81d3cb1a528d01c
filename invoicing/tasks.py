"""Thin tasks of invoicing: ids in, one call, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from core.dates import today
from invoicing import services


@shared_task
def run_previous_month() -> int | None:
    """Per-tenant, hourly: draft the invoices of the month just ended, once (the run is complete
    after its first pass; later passes do nothing). Returns the drafts made, None when done before."""
    month = services.previous_month(today())
    if services.run_is_complete(month=month):
        return None
    return len(services.invoice_run(month=month).created)


# --- PDFs and delivery (invoicing.pdf, invoicing.services_delivery) -------------------------------


@shared_task
def render_run_pdfs(run_id: int) -> int:
    """Render and store the missing PDFs of a run's issued invoices, each committed on its own
    (queued by services_delivery.run_pdfs_request). Safe to run twice: only what is missing."""
    from invoicing import services_delivery

    return services_delivery.run_pdfs_render(run_id=run_id)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def deliver_invoice(self, delivery_id: int) -> str | None:
    """Send one invoice delivery (e-mail with the PDF, or EHF), at most once; an OSError is retried
    with backoff, and recorded as failed on the last attempt."""
    from invoicing import services_delivery

    delivery = services_delivery.delivery_send(delivery_id=delivery_id, final=self.request.retries >= self.max_retries)
    return delivery.state if delivery is not None else None


# --- Reminders (invoicing.services_reminders) ----------------------------------------------------


@shared_task
def send_due_reminders() -> int:
    """Per-tenant, daily (beat): make the reminders due today in Oslo and queue their mails.
    Safe to run twice: each invoice gets each stage once. Returns the reminders made."""
    from invoicing import services_reminders

    return len(services_reminders.reminders_queue(today=today()))


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_reminder(reminder_id: int) -> int:
    """Mail one reminder (queued through core.outbox by reminders_queue). Sent once."""
    from invoicing import reminder_mail

    return reminder_mail.reminder_send(reminder_id=reminder_id)


# --- Payment uploads (invoicing.services_payments) -----------------------------------------------


@shared_task
def purge_stale_payment_uploads() -> int:
    """Per-tenant, daily: payment files uploaded and never confirmed for two days, with their files."""
    from invoicing import services_payments

    return services_payments.purge_unconfirmed_uploads(before=timezone.now() - timedelta(days=2))
