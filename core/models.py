"""Model helpers shared by the tenant apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
