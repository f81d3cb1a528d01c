"""Thin tasks: take ids, call services. Safe to run twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app, shared_task
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.emails import send_invitation
from tenants.models import Invitation, Pta

logger = logging.getLogger(__name__)


@shared_task(public=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int, token: str, company_names: list[str] | None = None) -> None:
    # The row lock plus sent_at makes a retry or a duplicate delivery a no-op.
    # company_names: the companies a contact person is invited to (tenant data, named by the caller).
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("tenant", "invited_by")
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None:
            return
        send_invitation(invitation=invitation, token=token, company_names=company_names or ())
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])


@shared_task(public=True)
def dispatch_to_tenants(task_name: str) -> int:
    """Fan periodic per-tenant work out to every active PTA, each in its own schema."""
    count = 0
    for pta in Pta.objects.regions().filter(is_active=True):
        with tenant_context(pta):
            current_app.send_task(task_name)
        count += 1
    return count


@shared_task(public=True)
def purge_expired_invitations() -> int:
    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted
