"""Thin tasks: take ids, call the import execution or the export. Safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from employees import exporting, import_execution


@shared_task
def run_employee_import(import_id: int) -> None:
    # No retries: an import either succeeds or fails with its reason recorded;
    # a second delivery finds it finished and does nothing.
    import_execution.employee_import_execute(import_id=import_id)


@shared_task
def purge_stale_employee_imports() -> int:
    """Per-tenant; queue it for every PTA with tenants.tasks.dispatch_to_tenants."""
    return import_execution.employee_imports_purge(before=timezone.now() - timedelta(days=2))


@shared_task
def run_employee_export(export_id: int) -> None:
    # No retries: a failed export is marked failed and the user asks for a new one.
    exporting.employee_export_execute(export_id=export_id)


@shared_task
def purge_stale_employee_exports() -> int:
    """Per-tenant; queue it for every PTA with tenants.tasks.dispatch_to_tenants."""
    return exporting.employee_exports_purge(before=timezone.now() - exporting.KEEP_EXPORTS)
