"""Writes on employees and employee imports."""

from __future__ import annotations

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from companies.models import Company
from core import imports, outbox
from core.dates import today
from core.importing import ImportSummary, shortened
from core.tabular import Table, TableError, read_table
from employees.import_execution import employee_import_execute, forget_personal_data, import_mapping, record_plan
from employees.importing import (
    Plan,
    clean_rows,
    detect_mapping,
    mapping_problems,
    pack_plan,
    paused_gc,
    plan_fingerprint,
    plan_import,
)
from employees.models import (
    Employee,
    EmployeeExport,
    EmployeeImport,
    EmployeeImportPlan,
    EmployeeStatus,
    ExportStatus,
    ImportStatus,
)
from employees.selectors import read_import_file
from employees.tasks import run_employee_export, run_employee_import

logger = logging.getLogger(__name__)

# Imports with more rows than this run in the Celery worker, with a progress bar.
CELERY_THRESHOLD = 2000


# Single employees ----------------------------------------------------------------------


def employee_create(*, company: Company, data: dict) -> Employee:
    """Add one employee. Rules (Employee.clean): location and department of the
    same company, start <= end, employee number unique within the company."""
    employee = Employee(company=company, **data)
    with transaction.atomic():
        employee.full_clean()
        employee.save()
    return employee


def employee_update(*, employee: Employee, data: dict) -> Employee:
    """Change an employee's details; same rules as employee_create."""
    for name, value in data.items():
        setattr(employee, name, value)
    with transaction.atomic():
        employee.full_clean()
        employee.save()
    return employee


def employee_delete(*, employee: Employee) -> None:
    """Remove an employee entered by mistake. Someone who leaves is marked as
    left instead (employee_set_status), so that tickets can be ended."""
    with transaction.atomic():
        employee.delete()


def employee_set_status(
    *,
    employee: Employee,
    status: str,
    end_date: date | None = None,
    leave_from: date | None = None,
    leave_until: date | None = None,
) -> Employee:
    """Record a joiner, a leave or a leaver.

    - left: end_date is the given date or today (Europe/Oslo); leave dates are cleared.
    - on_leave: leave_from is the given date or today, leave_until as given.
    - active: leave dates are cleared; someone coming back after leaving gets
      the given end date (usually none).
    The tickets app reads status and end_date at month roll-over; nothing else happens here.
    """
    if status == EmployeeStatus.LEFT:
        employee.end_date = end_date or today()
        employee.leave_from = employee.leave_until = None
    elif status == EmployeeStatus.ON_LEAVE:
        employee.leave_from = leave_from or today()
        employee.leave_until = leave_until
        if employee.status == EmployeeStatus.LEFT:
            employee.end_date = end_date
    else:
        employee.leave_from = employee.leave_until = None
        if employee.status == EmployeeStatus.LEFT:
            employee.end_date = end_date
    employee.status = status
    with transaction.atomic():
        employee.full_clean()
        employee.save()
    return employee


# Imports -------------------------------------------------------------------------------


def _read(content: bytes, filename: str) -> Table:
    try:
        with paused_gc():  # ~200,000 new cells and rows for 20,000 rows (see paused_gc)
            return read_table(content, filename)
    except TableError as exc:
        raise ValidationError({"file": str(exc)}) from None


def employee_import_create(
    *,
    company: Company,
    content: bytes,
    filename: str,
    user_id: int | None,
    full_list: bool = False,
    create_missing: bool = False,
) -> EmployeeImport:
    """Store an uploaded list and recognise its columns. If the names and a
    matching key (employee number or e-mail) are recognised, the preview is
    made at once; otherwise the import waits for a column mapping.
    Raises ValidationError if the file cannot be read as a table."""
    table = _read(content, filename)
    employee_import, _plan = _store(
        company=company,
        content=content,
        filename=filename,
        table=table,
        mapping=detect_mapping(table),
        user_id=user_id,
        full_list=full_list,
        create_missing=create_missing,
    )
    return employee_import


def _store(
    *,
    company: Company,
    content: bytes,
    filename: str,
    table: Table,
    mapping: dict[int, str],
    user_id: int | None,
    full_list: bool,
    create_missing: bool,
) -> tuple[EmployeeImport, Plan | None]:
    employee_import = EmployeeImport(
        company=company,
        created_by_id=user_id,
        original_name=filename[:255],
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=[shortened(header) for header in table.headers],
        mapping={str(index): name for index, name in mapping.items()},
        full_list=full_list,
        create_missing=create_missing,
        total=len(table.rows),
    )
    imports.store_file(employee_import, content=content, filename=filename)
    plan = None
    if not mapping_problems(set(mapping.values())):
        with imports.discarded_on_failure(employee_import):
            plan = employee_import_preview(employee_import=employee_import, table=table)
    return employee_import, plan


def employee_import_file(
    *,
    company: Company,
    content: bytes,
    filename: str,
    user_id: int | None = None,
    full_list: bool = False,
    create_missing: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Check, preview and import a file in one go, as `manage.py
    import_employees` does: the rows are cleaned once and compared with the
    list for the preview, then compared again under the company's lock as
    they are written (employee_import_execute). With any error nothing is
    written, not even the import row; `dry_run` only checks and counts.
    Raises ValidationError if the file cannot be read or its columns are
    not recognised."""
    table = _read(content, filename)
    mapping = detect_mapping(table)
    problems = mapping_problems(set(mapping.values()))
    if problems:
        raise ValidationError(problems)
    if dry_run:
        with paused_gc():
            parsed = clean_rows(table, mapping)
            return plan_import(
                company=company, parsed=parsed, full_list=full_list, create_missing=create_missing, today=today()
            ).summary()
    employee_import, plan = _store(
        company=company,
        content=content,
        filename=filename,
        table=table,
        mapping=mapping,
        user_id=user_id,
        full_list=full_list,
        create_missing=create_missing,
    )
    if plan.errors:
        with transaction.atomic():
            forget_personal_data(employee_import)
            employee_import.delete()
        return plan.summary()
    employee_import = employee_import_confirm(employee_import=employee_import, run_now=True)
    return employee_import.summary()


def employee_import_set_mapping(
    *, employee_import: EmployeeImport, mapping: dict[int, str], full_list: bool, create_missing: bool
) -> EmployeeImport:
    """Save the user's column mapping and options, and make the preview again."""
    problems = mapping_problems(set(mapping.values()))
    if problems:
        raise ValidationError(problems)
    if employee_import.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        raise ValidationError(_("This import has already been confirmed."))
    employee_import.mapping = {str(index): name for index, name in mapping.items() if name}
    employee_import.full_list = full_list
    employee_import.create_missing = create_missing
    employee_import_preview(employee_import=employee_import)
    return employee_import


def employee_import_preview(*, employee_import: EmployeeImport, table: Table | None = None) -> Plan:
    """Work out what the import would do and keep it on the import row, with
    the plan to write if the file has no errors (nothing else is written)."""
    table = table or read_import_file(employee_import)
    options = {
        "full_list": employee_import.full_list,
        "create_missing": employee_import.create_missing,
        "today": today(),
    }
    # Before the comparison reads the list: a change in between then shows as a different fingerprint.
    fingerprint = plan_fingerprint(company=employee_import.company, **options)
    with paused_gc():
        parsed = clean_rows(table, import_mapping(employee_import))
        plan = plan_import(company=employee_import.company, parsed=parsed, **options)
        packed = None if plan.errors else pack_plan(plan)
    record_plan(employee_import, plan)
    employee_import.status = ImportStatus.PREVIEWED
    with transaction.atomic():
        employee_import.save()
        if packed is None:
            EmployeeImportPlan.objects.filter(employee_import=employee_import).delete()
        else:
            EmployeeImportPlan.objects.update_or_create(
                employee_import=employee_import, defaults={"packed": packed, "fingerprint": fingerprint}
            )
    return plan


def employee_import_confirm(*, employee_import: EmployeeImport, run_now: bool = False) -> EmployeeImport:
    """Start a previewed import without errors: in this process if it is small
    (or `run_now`, as the command line does), else in the Celery worker
    (queued through the outbox in this transaction). Confirming twice does nothing the
    second time (core.imports.import_confirm)."""
    return imports.import_confirm(
        employee_import,
        threshold=CELERY_THRESHOLD,
        task=run_employee_import,
        execute=employee_import_execute,
        run_now=run_now,
    )


# Exports ---------------------------------------------------------------------------------


def employee_export_start(*, company: Company, fmt: str, user_id: int | None) -> EmployeeExport:
    """Queue the writing of a large employee list as a file (a small list is
    written in the request, employees.exporting.employee_export_content).

    The export row is created with an outbox row for
    employees.tasks.run_employee_export (core.outbox.enqueue: handed to
    Celery when the transaction commits, or by the relay). An export of the same company and format
    that the same user started and that is still queued or running is
    returned instead of a second one, so a repeated click makes one file.
    """
    with transaction.atomic():
        running = (
            EmployeeExport.objects.filter(
                company=company,
                format=fmt,
                created_by_id=user_id,
                status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING),
            )
            .order_by("-created_at")
            .first()
        )
        if running is not None:
            return running
        export = EmployeeExport(company=company, format=fmt, created_by_id=user_id)
        export.full_clean()
        export.save()
        outbox.enqueue(task=run_employee_export, args=[export.pk], key=f"employees.employeeexport:{export.pk}")
    return export
