"""Thin tasks of the tickets app. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.dates import today
from tickets.services import ticket_rollover


@shared_task
def rollover_tickets() -> dict[str, int]:
    """Per-tenant, hourly (tenants.tasks.dispatch_to_tenants): move the PTA's
    tickets into the current month in Oslo. Idempotent, so every run after the
    first of the month changes nothing; the first run on the 1st rolls over."""
    result = ticket_rollover(month=today().replace(day=1))
    return {"activated": result.activated, "paused": result.paused, "ended": result.ended}
