"""Thin per-tenant tasks of the ground floor; beat queues them for every PTA
through tenants.tasks.dispatch_to_tenants, and a starting worker once
(config/celery.py). Safe to run twice, and at the same time."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from core import imports, outbox


@shared_task
def outbox_relay() -> int:
    return outbox.relay()


@shared_task
def requeue_stale_imports() -> int:
    return imports.requeue_stale(stale_after=timedelta(seconds=settings.IMPORT_STALE_AFTER))
