from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor as an app only for its one table, the outbox
    (core.models.OutboxMessage), which lives in every tenant's schema."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
