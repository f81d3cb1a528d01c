"""The transactional outbox: the one way apps queue work that must happen
(notifications, imports, the surveys' mailings to come).

`enqueue` writes an OutboxMessage row in the caller's transaction, in the
tenant's schema, so the row commits with the change that calls for it or not
at all. Two ways hand the rows to Celery:
- the fast path: `publish_now`, run when that transaction commits;
- the relay: `relay`, run per tenant every minute by beat (through
  tenants.tasks.dispatch_to_tenants) and once when a worker starts
  (config/celery.py), for whatever the fast path missed.
Both claim rows with SELECT ... FOR UPDATE SKIP LOCKED, so a row is handed
over at most once per pass, and both catch and log a broker failure: a
request never fails because Redis is down, and the work goes out when it is
back. The consumers stay safe to run twice (a crash between handing a row
over and marking it sent hands it over again).

Why not django-celery-outbox (0.4.3, evaluated for this): it is maintained
and tested (relay unit tests against a mocked app, live-broker smoke tests),
but it does not fit one schema per PTA. Its relay is a separate long-running
process (`manage.py celery_outbox_relay`) that reads one `celery_outbox`
table through one connection, so rows in the tenants' schemas would never be
relayed, and kept in the public schema they would not commit "in the
tenant's schema" with the change. It intercepts every `send_task` of the
app (beat's fan-out included) and publishes through `Celery.send_task`,
bypassing tenant-schemas-celery's `send_task`, so the tenant header survives
only by the order of base classes. It has no publish-on-commit fast path
(work waits for the relay's poll), and it brings structlog, sentry-sdk and
datadog as hard dependencies. What we need is about a hundred lines.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Protocol

from celery import current_app
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# Rows handed over are kept this long as a record, then deleted by the relay.
KEEP_SENT = timedelta(days=7)
# One quick reconnect (a pooled connection may be stale after a Redis restart),
# no more: the relay is the retry. Measured with Redis down: ~0.01-0.15 s, where
# retry=False leaves it to redis-py's own backoff (~6 s) and Celery's default
# policy takes ~0.6 s.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# The broker cannot be reached: stop the pass, the rest waits for the next one.
BROKER_DOWN = (OperationalError, ConnectionError, OSError)


class NamedTask(Protocol):
    name: str


def enqueue(*, task: NamedTask | str, args: Sequence[int | str] = (), key: str = "") -> OutboxMessage:
    """Record that `task` (a Celery task or its name) must run with `args`
    (ids: JSON values), in the current transaction and tenant schema.

    Rules: call it inside the transaction of the change that calls for it
    (RuntimeError otherwise); `key` names what the work is about, so that it
    can be found again. Side effect: when the transaction commits, the row is
    handed to Celery (publish_now); if that fails, the relay hands it over.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("core.outbox.enqueue belongs inside the transaction of the change that calls for it.")
    name = task if isinstance(task, str) else task.name
    message = OutboxMessage.objects.create(task_name=name, args=list(args), key=key)
    # A partial, not a lambda: its repr names the task (tests and logs read it).
    transaction.on_commit(partial(publish_now, pk=message.pk, task=name, schema=connection.schema_name))
    return message


def publish_now(*, pk: int, task: str, schema: str) -> None:
    """The fast path, run on commit: hand one row to Celery unless another
    pass holds it or already did. Never raises: a failure is logged and left
    to the relay, and so is a row whose tenant context was left before the
    commit (the tenant context belongs outside the transaction)."""
    if connection.schema_name != schema:
        logger.warning(
            "Outbox row %s (%s) of %s committed outside its tenant context; left to the relay", pk, task, schema
        )
        return
    try:
        _publish(OutboxMessage.objects.filter(pk=pk), limit=1)
    except Exception:
        logger.exception("Outbox row %s (%s) was not handed to Celery; the relay will try again", pk, task)


def relay(*, limit: int = 10_000) -> int:
    """One relay pass over this schema's outbox: hand the unsent rows to
    Celery, oldest first, BATCH_SIZE at a time under their row locks; rows
    another pass (or a commit's fast path) holds are skipped. Stops early
    when the broker cannot be reached. Deletes rows handed over more than
    KEEP_SENT ago. Returns how many rows were handed over."""
    sent, after = 0, 0
    while sent < limit:
        last, batch_sent, broker_down = _publish(OutboxMessage.objects.filter(pk__gt=after), limit=BATCH_SIZE)
        sent += batch_sent
        if last is None or broker_down:
            break
        after = last
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    if sent:
        logger.info("Outbox relay of %s handed %s task(s) to Celery", connection.schema_name, sent)
    return sent


def pending() -> QuerySet[OutboxMessage]:
    """This schema's rows not yet handed over."""
    return OutboxMessage.objects.filter(sent_at__isnull=True)


def _publish(rows: QuerySet[OutboxMessage], *, limit: int) -> tuple[int | None, int, bool]:
    """Claim up to `limit` unsent rows of `rows` and hand each to Celery.
    Returns (the last pk claimed or None, how many were handed over, whether
    the broker was down)."""
    last, sent = None, 0
    with transaction.atomic():
        claimed = list(rows.filter(sent_at__isnull=True).order_by("pk").select_for_update(skip_locked=True)[:limit])
        for row in claimed:
            last = row.pk
            row.attempts += 1
            try:
                _send(row)
            except BROKER_DOWN as exc:
                _record_failure(row, exc)
                return last, sent, True
            except Exception as exc:  # the task's own failure (eager mode) or a bad row: go on with the others
                _record_failure(row, exc)
                continue
            row.sent_at, row.last_error = timezone.now(), ""
            row.save(update_fields=["sent_at", "attempts", "last_error"])
            sent += 1
    return last, sent, False


def _send(row: OutboxMessage) -> None:
    # The task runs in the schema its row was read from: tenant-schemas-celery
    # reads this header (the table exists only in tenant schemas). Through the
    # registered task when there is one, so that eager mode (the tests) runs it.
    options = {
        "task_id": str(row.task_id),
        "headers": {"_schema_name": connection.schema_name},
        "retry": True,
        "retry_policy": PUBLISH_RETRY,
    }
    task = current_app.tasks.get(row.task_name)
    if task is None:
        current_app.send_task(row.task_name, args=row.args, **options)
    else:
        task.apply_async(args=row.args, **options)


def _record_failure(row: OutboxMessage, exc: Exception) -> None:
    logger.warning(
        "Outbox row %s (%s) of %s not handed to Celery (attempt %s): %s",
        row.pk,
        row.task_name,
        connection.schema_name,
        row.attempts,
        exc,
    )
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    row.save(update_fields=["attempts", "last_error"])
