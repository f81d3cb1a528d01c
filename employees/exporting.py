"""Writing the employee list as a file: in the request for small lists, in
the Celery worker (employees.tasks.run_employee_export) for large ones, with
progress on the EmployeeExport row the page polls. Kept apart from
employees.services, which queues the task, so that the task and the services
do not import each other."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from companies.models import Company
from core.tabular import write_csv, write_xlsx
from employees import selectors
from employees.models import EmployeeExport, ExportFormat, ExportStatus

logger = logging.getLogger(__name__)

# Lists with more employees than this are written by the Celery worker: an
# Excel file of 5,000 rows takes about a second, one of 200,000 half a minute.
DIRECT_EXPORT_MAX = 5000
# How often (in rows) the worker writes its progress to the row.
PROGRESS_EVERY = 5000
# Export files are personal data: deleted with their rows after this long.
KEEP_EXPORTS = timedelta(days=1)

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_filename(company: Company, fmt: str, day=None) -> str:
    return f"ansatte-{company.org_number}-{day or timezone.localdate():%Y-%m-%d}.{fmt}"


def employee_export_content(*, company: Company, fmt: str, rows: Iterable[Sequence] | None = None) -> bytes:
    """The company's employee list as a CSV or Excel file (selectors.EXPORT_HEADERS)."""
    if rows is None:
        rows = selectors.employee_export_rows(company=company)
    if fmt == ExportFormat.CSV:
        return write_csv(selectors.EXPORT_HEADERS, rows)
    if fmt == ExportFormat.XLSX:
        return write_xlsx(selectors.EXPORT_HEADERS, rows, title="Ansatte")
    raise ValueError(fmt)


def employee_export_execute(*, export_id: int) -> EmployeeExport:
    """Write a queued export's file under exports/<schema>/ and mark it done.

    Safe to run twice: an export that is done or failed is left alone; one
    still running (its worker died) is written again. If writing fails, the
    export is marked failed and the exception raised again.
    """
    with transaction.atomic():
        export = EmployeeExport.objects.select_for_update().select_related("company").get(pk=export_id)
        if export.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            return export
        export.status = ExportStatus.RUNNING
        export.processed = 0
        export.total = export.company.employees.count()
        export.save(update_fields=["status", "processed", "total"])
    started = time.perf_counter()
    name = ""
    try:
        content = employee_export_content(
            company=export.company,
            fmt=export.format,
            rows=_reporting_progress(selectors.employee_export_rows(company=export.company), export.pk),
        )
        written = time.perf_counter()
        export.file.save("export", ContentFile(content), save=False)
        name = export.file.name
        with transaction.atomic():
            locked = EmployeeExport.objects.select_for_update().get(pk=export_id)
            locked.file = name
            locked.status = ExportStatus.DONE
            locked.processed = export.total
            locked.finished_at = timezone.now()
            locked.save(update_fields=["file", "status", "processed", "finished_at"])
    except Exception:
        if name:
            export.file.storage.delete(name)
        EmployeeExport.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, file="", finished_at=timezone.now()
        )
        raise
    logger.info(
        "Employee export %s: %s rows as %s, written in %.2f s, stored in %.2f s",
        export_id,
        export.total,
        export.format,
        written - started,
        time.perf_counter() - written,
    )
    locked.company = export.company
    return locked


def _reporting_progress(rows: Iterable[Sequence], export_id: int) -> Iterator[Sequence]:
    for count, row in enumerate(rows, start=1):
        if count % PROGRESS_EVERY == 0:
            EmployeeExport.objects.filter(pk=export_id).update(processed=count)
        yield row


def employee_exports_purge(*, before: datetime) -> int:
    """Delete the exports made before `before`, with their files (they hold
    personal data); returns how many."""
    count = 0
    for export in EmployeeExport.objects.filter(created_at__lt=before):
        with transaction.atomic():
            if export.file:
                name, storage = export.file.name, export.file.storage
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
            export.delete()
        count += 1
    return count
