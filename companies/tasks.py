"""Thin tasks: take ids, call a service. Each runs in the tenant it was queued
in (tenant-schemas-celery) and is safe to run twice: the services record every
notification sent (NotificationSent), so a retry sends only what is missing."""

from __future__ import annotations

from celery import shared_task

from companies import notifications


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_message_notifications(message_id: int) -> int:
    return notifications.message_notify(message_id=message_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notice_notifications(notice_id: int) -> int:
    return notifications.notice_notify(notice_id=notice_id)
