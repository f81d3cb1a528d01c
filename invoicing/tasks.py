"""Thin tasks of invoicing: ids in, one call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

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


# --- Reminders (invoicing.services_reminders) ----------------------------------------------------
