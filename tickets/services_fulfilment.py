"""Writes of fulfilment: publishing a month's entitlements through the PTA's
backend, and the sending itself, which the Celery task does
(tickets.tasks.deliver_entitlements). See tickets.fulfilment for the set,
the idempotency key, the body and the backends.

Rules:
- Publishing with a backend that only makes files ("export") records nothing.
- The same set for the same month and backend is sent once: a delivery already
  sent is returned as it is, one queued is left to its task, and one that
  failed is queued again, under the same key (the receiver can tell).
- The set is computed again when the task sends. If it changed since it was
  queued, the delivery sends the current set under the current set's key and
  records that (the simplest correct behaviour: what a row says was sent is
  what was sent; a receiver that sees a key twice drops the second).

Side effects: entitlements_publish queues the task through core.outbox in its
transaction; entitlement_delivery_send calls the backend (an HTTP request for
the webhook) while it holds the delivery's row lock, so one delivery is never
sent by two workers at once.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox
from tickets import fulfilment, rules
from tickets.models import DeliveryState, EntitlementDelivery, FulfilmentSettings, new_signing_key

#: The task that sends a delivery (tickets.tasks imports this module, so it is named, not imported).
DELIVER_TASK = "tickets.tasks.deliver_entitlements"
ERROR_LENGTH = 500  # EntitlementDelivery.last_error


def _pta() -> tuple[str, str]:
    """The current schema's name and the PTA's short name (the schema name without a tenant object)."""
    tenant = getattr(connection, "tenant", None)
    return connection.schema_name, getattr(tenant, "slug", None) or connection.schema_name


def fulfilment_settings() -> FulfilmentSettings:
    """The PTA's settings row, made with its defaults (backend "export", a new signing key) if missing."""
    config, _created = FulfilmentSettings.objects.get_or_create(pk=1)
    return config


def month_document(*, month: date) -> tuple[list[fulfilment.Entitlement], str, bytes]:
    """The current PTA's entitlements of `month`, their idempotency key and the JSON body."""
    month = rules.first_of_month(month)
    schema, slug = _pta()
    entitlements = fulfilment.entitlements_for(month=month)
    key = fulfilment.idempotency_key(schema=schema, month=month, entitlements=entitlements)
    body = fulfilment.entitlements_json(pta=slug, month=month, key=key, entitlements=entitlements)
    return entitlements, key, body


def entitlements_publish(*, month: date) -> EntitlementDelivery | None:
    """Publish `month`'s entitlements (any day of it) through the PTA's backend.

    None for a backend that only makes files. Otherwise the delivery of this
    month, backend and set (its key): one already sent or queued is returned
    unchanged; one that failed is queued again; else a new one is made and
    queued (tickets.tasks.deliver_entitlements through core.outbox). Publishers
    of one PTA take turns on the settings row, so two at once make one delivery.
    """
    month = rules.first_of_month(month)
    with transaction.atomic():
        fulfilment_settings()
        config = FulfilmentSettings.objects.select_for_update().get(pk=1)
        backend = fulfilment.backend_for(config.backend, config=config)
        if not backend.delivers:
            return None
        entitlements, key, _body = month_document(month=month)
        delivery = (
            EntitlementDelivery.objects.filter(month=month, backend=config.backend, idempotency_key=key)
            .order_by("-pk")
            .first()
        )
        if delivery is not None and delivery.state in (DeliveryState.SENT, DeliveryState.QUEUED):
            return delivery
        if delivery is None:
            delivery = EntitlementDelivery.objects.create(
                month=month, backend=config.backend, idempotency_key=key, count=len(entitlements)
            )
        else:
            delivery.state = DeliveryState.QUEUED
            delivery.save(update_fields=["state"])
        outbox.enqueue(task=DELIVER_TASK, args=[delivery.pk], key=f"tickets.entitlementdelivery:{delivery.pk}")
    return delivery


def entitlement_delivery_send(*, delivery_id: int, final: bool = False) -> EntitlementDelivery | None:
    """Send one queued delivery through its backend: the task's work.

    Records the attempt (attempts, last_status, last_error) and the outcome:
    sent (with sent_at), or failed for a permanent failure, or for a temporary
    one when `final` (the task's last retry). A temporary failure otherwise
    stays queued and raises fulfilment.TemporaryFailure after the attempt is
    recorded, for the task to retry. A delivery already sent, or being sent by
    another worker (its row is locked), is left alone: None, or the delivery.
    """
    with transaction.atomic():
        delivery = EntitlementDelivery.objects.select_for_update(skip_locked=True).filter(pk=delivery_id).first()
        if delivery is None or delivery.state == DeliveryState.SENT:
            return delivery
        config = fulfilment_settings()
        entitlements, key, body = month_document(month=delivery.month)
        note = ""
        if key != delivery.idempotency_key:
            note = f"The set changed since it was queued (key {delivery.idempotency_key[:12]}); sent the current set. "
            delivery.idempotency_key, delivery.count = key, len(entitlements)
        delivery.attempts += 1
        failure: fulfilment.DeliveryError | None = None
        try:
            backend = fulfilment.backend_for(delivery.backend, config=config)
            status = backend.deliver(delivery=delivery, body=body, entitlements=entitlements)
        except ImproperlyConfigured as exc:  # the backend is no longer in the setting
            failure = fulfilment.PermanentFailure(str(exc))
        except fulfilment.DeliveryError as exc:
            failure = exc
        if failure is None:
            delivery.state, delivery.sent_at = DeliveryState.SENT, timezone.now()
            delivery.last_status, delivery.last_error = status, note.strip()[:ERROR_LENGTH]
        else:
            delivery.last_status = failure.status
            delivery.last_error = (note + str(failure))[:ERROR_LENGTH]
            if not failure.retryable or final:
                delivery.state = DeliveryState.FAILED
        delivery.save()
    if failure is not None and failure.retryable and not final:
        raise failure
    return delivery


# --- The PTA's settings (the "Ticket delivery" page, tickets.views_fulfilment) ---------------

#: Hosts a webhook may be reached on over plain http, for testing a receiver on one's own machine.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
WEBHOOK = "webhook"


def webhook_url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook address, or None: https, or http to localhost/127.0.0.1 only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is not None and host and parts.scheme == "https":
        return None
    if parts is not None and host in LOCAL_HOSTS and parts.scheme == "http":
        return None
    return _(
        "“%(url)s” is not a webhook address we can send to: use https:// (http:// only for localhost "
        "or 127.0.0.1, for testing)."
    ) % {"url": url}


def fulfilment_settings_update(*, backend: str, webhook_url: str) -> FulfilmentSettings:
    """Save the PTA's backend and webhook address.

    Rules: the backend is a name in settings.TICKET_FULFILMENT_BACKENDS; an
    address, if given, is https (http only for localhost and 127.0.0.1); the
    webhook backend needs one. Errors are a ValidationError by field
    (backend, webhook_url) naming the value. The signing key is left as it is.
    Side effects: none (what is sent changes from the next publishing)."""
    webhook_url = webhook_url.strip()
    errors: dict[str, str] = {}
    if backend not in getattr(settings, "TICKET_FULFILMENT_BACKENDS", {}):
        errors["backend"] = _("“%(name)s” is not a delivery this site offers.") % {"name": backend}
    if webhook_url:
        problem = webhook_url_problem(webhook_url)
        if problem:
            errors["webhook_url"] = problem
    elif backend == WEBHOOK:
        errors["webhook_url"] = _("The signed webhook needs an address (https://…) to send to.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fulfilment_settings()
        config = FulfilmentSettings.objects.select_for_update().get(pk=1)
        config.backend, config.webhook_url = backend, webhook_url
        config.full_clean()
        config.save()
    return config


def signing_key_renew() -> FulfilmentSettings:
    """Give the PTA a new signing key (64 hex characters, tickets.models.new_signing_key).

    Rules: the old key stops working at once; deliveries sent after this are
    signed with the new one, so the receiver must be given it. Side effects: none."""
    with transaction.atomic():
        fulfilment_settings()
        config = FulfilmentSettings.objects.select_for_update().get(pk=1)
        config.signing_key = new_signing_key()
        config.save(update_fields=["signing_key", "updated_at"])
    return config
