"""Model helpers shared by the tenant apps, and the outbox table (core.outbox)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A task that must run, committed in the same transaction and the same
    tenant schema as the change that calls for it (core.outbox.enqueue).

    core.outbox hands it to Celery when that transaction commits and, for
    whatever that missed (the broker was down, the process died), on every
    relay pass; `sent_at` says it was handed over. A row handed over just
    before a crash is handed over again, so the task must be safe to run twice.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    # What the work is about ("employees.employeeimport:17"), to find its
    # hand-offs again (core.imports.requeue_stale).
    key = models.CharField(max_length=200, blank=True, db_index=True)
    # The Celery task id: the same each time this row is handed over.
    task_id = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent"),
            models.Index(fields=["sent_at"], name="outbox_sent_at"),
        ]

    def __str__(self) -> str:
        return f"outbox {self.pk}: {self.task_name}{tuple(self.args)}"


def user_fk(verbose_name, **kwargs) -> models.ForeignKey:
    """A foreign key from a tenant-schema table to a user in the public schema.

    No database constraint and no cascade: the users table is in another
    schema, and Django would look for it from the public schema.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        **kwargs,
    )
