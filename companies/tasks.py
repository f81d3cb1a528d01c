"""Thin tasks: take ids, call a service. Each runs in the tenant it was queued
in (tenant-schemas-celery) and is safe to run twice: the services record every
notification sent (NotificationSent), so a retry sends only what is missing."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from companies import import_execution, notifications


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_message_notifications(message_id: int) -> int:
    return notifications.message_notify(message_id=message_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notice_notifications(notice_id: int) -> int:
    return notifications.notice_notify(notice_id=notice_id)


@shared_task
def run_company_import(import_id: int) -> None:
    # No retries: an import either succeeds or fails with its reason
    # recorded; a second delivery finds it finished and does nothing.
    import_execution.company_import_execute(import_id=import_id)


@shared_task
def purge_stale_company_imports() -> int:
    """Per-tenant; queue it for every PTA with tenants.tasks.dispatch_to_tenants."""
    return import_execution.company_imports_purge(before=timezone.now() - timedelta(days=2))
