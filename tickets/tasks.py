"""Thin tasks of the tickets app. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.dates import today
from tickets import notifications
from tickets.fulfilment import TemporaryFailure
from tickets.services import ticket_rollover
from tickets.services_fulfilment import entitlement_delivery_send, entitlements_publish


@shared_task
def rollover_tickets() -> dict[str, int]:
    """Per-tenant, hourly (tenants.tasks.dispatch_to_tenants): move the PTA's
    tickets into the current month in Oslo. Idempotent, so every run after the
    first of the month changes nothing; the first run on the 1st rolls over."""
    result = ticket_rollover(month=today().replace(day=1))
    return {"activated": result.activated, "paused": result.paused, "ended": result.ended}


# --- Applications (tickets.notifications) -------------------------------------------------------


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_application_link(verification_id: int) -> int:
    """The one-time link of a ticket application, to the applicant. Sent once."""
    return notifications.application_link_send(verification_id=verification_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_application_mails(application_id: int, step: str) -> int:
    """One step's e-mails of a ticket application. Each address gets each step once."""
    return notifications.application_mails_send(application_id=application_id, step=step)


# --- Fulfilment (tickets.services_fulfilment) ---------------------------------------------------


@shared_task(
    bind=True,
    autoretry_for=(TemporaryFailure,),
    retry_backoff=True,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def deliver_entitlements(self, delivery_id: int) -> str | None:
    """Send one delivery (queued through core.outbox by entitlements_publish). A temporary failure
    (no answer, 408, 429, 5xx) is retried with exponential backoff and jitter; on the last retry
    it is recorded as failed instead. Safe to run twice: a delivery already sent is left alone."""
    delivery = entitlement_delivery_send(delivery_id=delivery_id, final=self.request.retries >= self.max_retries)
    return delivery.state if delivery is not None else None


@shared_task
def publish_entitlements() -> int | None:
    """Per-tenant, hourly (tenants.tasks.dispatch_to_tenants): publish the current month's
    entitlements in Oslo through the PTA's backend. The roll-over into the month runs first
    (idempotent), so the set is the month's even before rollover_tickets' own run; the same set
    is not sent twice, so every run after the first sends nothing unless the set changed.
    Returns the delivery's id, or None (the backend only makes files)."""
    month = today().replace(day=1)
    ticket_rollover(month=month)
    delivery = entitlements_publish(month=month)
    return delivery.pk if delivery is not None else None
