"""Reads for the start pages, which gather what needs attention from every app."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from employees.models import EmployeeImport, ImportStatus


def failed_imports(*, days: int = 14) -> QuerySet[EmployeeImport]:
    """Employee imports that failed lately, for the adviser's "Today" page."""
    since = timezone.now() - timedelta(days=days)
    return (
        EmployeeImport.objects.filter(status=ImportStatus.FAILED, created_at__gte=since)
        .select_related("company")
        .order_by("-created_at")[:20]
    )
