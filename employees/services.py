"""Writes on employees and employee imports."""

from __future__ import annotations

import logging
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pghistory
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company, Department, Location
from core.importing import ImportSummary
from core.tabular import Table, TableError, read_table
from employees.importing import (
    Parsed,
    Plan,
    clean_rows,
    detect_mapping,
    mapping_problems,
    name_key,
    pack_rows,
    paused_gc,
    plan_import,
    preview_data,
    unpack_rows,
)
from employees.models import Employee, EmployeeImport, EmployeeImportRows, EmployeeStatus, ImportStatus
from employees.selectors import read_import_file

logger = logging.getLogger(__name__)

OSLO = ZoneInfo("Europe/Oslo")
# Imports with more rows than this run in the Celery worker, with a progress bar.
CELERY_THRESHOLD = 2000
MAX_STORED_ERRORS = 1000


def today() -> date:
    return timezone.localdate(timezone=OSLO)


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
        headers=table.headers,
        mapping={str(index): name for index, name in mapping.items()},
        full_list=full_list,
        create_missing=create_missing,
        total=len(table.rows),
    )
    with transaction.atomic():
        employee_import.file.save(filename, ContentFile(content), save=False)
        employee_import.full_clean()
        employee_import.save()
    plan = None
    if not mapping_problems(set(mapping.values())):
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
            _forget_personal_data(employee_import)
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
    the clean rows if the file has no errors (nothing else is written)."""
    table = table or read_import_file(employee_import)
    with paused_gc():
        parsed = clean_rows(table, _mapping(employee_import))
        plan = plan_import(
            company=employee_import.company,
            parsed=parsed,
            full_list=employee_import.full_list,
            create_missing=employee_import.create_missing,
            today=today(),
        )
        packed = None if parsed.errors else pack_rows(parsed)
    _record(employee_import, plan)
    employee_import.status = ImportStatus.PREVIEWED
    with transaction.atomic():
        employee_import.save()
        if packed is None:
            EmployeeImportRows.objects.filter(employee_import=employee_import).delete()
        else:
            EmployeeImportRows.objects.update_or_create(employee_import=employee_import, defaults={"packed": packed})
    return plan


def employee_import_confirm(*, employee_import: EmployeeImport, run_now: bool = False) -> EmployeeImport:
    """Start a previewed import without errors: in this process if it is small
    (or `run_now`, as the command line does), else in the Celery worker
    (queued when this transaction commits). Confirming twice does nothing the
    second time."""
    with transaction.atomic():
        locked = EmployeeImport.objects.select_for_update().get(pk=employee_import.pk)
        if locked.status != ImportStatus.PREVIEWED:
            return locked
        if locked.error_count:
            raise ValidationError(_("The file has errors. Correct them and upload it again; nothing was imported."))
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        if locked.total > CELERY_THRESHOLD and not run_now:
            from employees.tasks import run_employee_import

            run_employee_import.delay_on_commit(locked.pk)
            return locked
    return employee_import_execute(import_id=locked.pk)


def employee_import_execute(*, import_id: int) -> EmployeeImport:
    """Run a confirmed import, all or nothing, in one transaction.

    The rows cleaned for the preview are compared again, holding a lock on
    the company, with the database as it is now (the preview may be old: an
    employee or a location may have changed since), and written set-based
    (COPY into a staging table, then INSERT/UPDATE). History triggers record
    every change with the user and the import id. If the comparison finds
    errors now, nothing is written and the import fails. Safe to run twice:
    a finished import is left alone.
    """
    with transaction.atomic():
        employee_import = EmployeeImport.objects.select_for_update().get(pk=import_id)
        if employee_import.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return employee_import
        employee_import.status = ImportStatus.RUNNING
        employee_import.started_at = timezone.now()
        employee_import.processed = 0
        employee_import.save(update_fields=["status", "started_at", "processed"])
    try:
        started = time.perf_counter()
        with paused_gc():
            parsed = _kept_rows(employee_import)
        rows = len(parsed.rows) + len({e.row for e in parsed.errors})
        checked = time.perf_counter()
        with transaction.atomic():
            employee_import = EmployeeImport.objects.select_for_update().select_related("company").get(pk=import_id)
            if employee_import.status != ImportStatus.RUNNING:
                return employee_import  # another run finished it meanwhile
            company = Company.objects.select_for_update().get(pk=employee_import.company_id)
            with paused_gc():
                plan = plan_import(
                    company=company,
                    parsed=parsed,
                    full_list=employee_import.full_list,
                    create_missing=employee_import.create_missing,
                    today=today(),
                )
            _record(employee_import, plan)
            if not plan.errors:
                with pghistory.context(user=employee_import.created_by_id, import_id=employee_import.pk):
                    import_write(company=company, plan=plan, today=today())
            employee_import.status = ImportStatus.FAILED if plan.errors else ImportStatus.DONE
            employee_import.processed = rows
            employee_import.total = rows
            employee_import.finished_at = timezone.now()
            _forget_personal_data(employee_import)
            employee_import.save()
        logger.info(
            "Employee import %s: %s (rows read in %.2f s, compared and written in %.2f s)",
            import_id,
            plan.summary().summary_line(),
            checked - started,
            time.perf_counter() - checked,
        )
    except Exception:
        # Nothing was written (the transaction rolled back); record the failure, drop the file and rows.
        with transaction.atomic():
            failed = EmployeeImport.objects.select_for_update().get(pk=import_id)
            failed.status, failed.finished_at = ImportStatus.FAILED, timezone.now()
            _forget_personal_data(failed)
            failed.save(update_fields=["status", "finished_at", "file"])
        raise
    return employee_import


STAGE_COLUMNS = {
    "employee_id": "bigint",
    "row_number": "integer",
    "first_name": "text",
    "last_name": "text",
    "email": "text",
    "mobile": "text",
    "employee_number": "text",
    "location_id": "bigint",
    "department_id": "bigint",
    "status": "text",
    "start_date": "date",
    "end_date": "date",
    "preferred_language": "text",
}
WRITE_COLUMNS = [c for c in STAGE_COLUMNS if c not in ("employee_id", "row_number")]


def import_write(*, company: Company, plan: Plan, today: date) -> None:
    """Write a plan set-based: COPY the new and changed rows into a temporary
    staging table, then one INSERT for the new employees, one UPDATE ... FROM
    for the changed ones (only the columns that changed) and one UPDATE for
    leavers. Call inside a transaction that holds the company's row lock."""
    location_ids = _places_ensure(Location, company, plan.new_locations)
    department_ids = _places_ensure(Department, company, plan.new_departments)
    table = connection.ops.quote_name(Employee._meta.db_table)
    columns = ", ".join(WRITE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS employee_import_stage")
        cursor.execute(
            "CREATE TEMPORARY TABLE employee_import_stage ("
            + ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS.items())
            + ") ON COMMIT DROP"
        )
        with cursor.copy(f"COPY employee_import_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
            for values in (*plan.inserts, *plan.updates):
                copy.write_row(
                    (
                        values.get("id"),
                        values["row"],
                        values["first_name"],
                        values["last_name"],
                        values["email"],
                        values["mobile"],
                        values["employee_number"],
                        location_ids.get(values["location"]),
                        department_ids.get(values["department"]),
                        values["status"],
                        values["start_date"],
                        values["end_date"],
                        values["preferred_language"],
                    )
                )
        if plan.inserts:
            cursor.execute(
                f"INSERT INTO {table} (company_id, {columns}, updated_at) "  # noqa: S608 (names from code)
                f"SELECT %s, {columns}, now() FROM employee_import_stage WHERE employee_id IS NULL ORDER BY row_number",
                [company.pk],
            )
        changed = {column for values in plan.updates for column, _old, _new in values["changes"]}
        if changed:
            assignments = ", ".join(f"{_column(name)} = s.{_column(name)}" for name in sorted(changed))
            cursor.execute(
                f"UPDATE {table} AS e SET {assignments}, updated_at = now() "  # noqa: S608 (names from code)
                "FROM employee_import_stage AS s WHERE e.id = s.employee_id AND e.company_id = %s",
                [company.pk],
            )
        if plan.leavers:
            cursor.execute(
                f"UPDATE {table} SET status = %s, end_date = COALESCE(end_date, %s), "  # noqa: S608
                "leave_from = NULL, leave_until = NULL, updated_at = now() WHERE company_id = %s AND id = ANY(%s)",
                [EmployeeStatus.LEFT, today, company.pk, [e["id"] for e in plan.leavers]],
            )
        cursor.execute("DROP TABLE employee_import_stage")


def _column(name: str) -> str:
    return f"{name}_id" if name in ("location", "department") else name


def _places_ensure(model, company: Company, missing: dict[str, str]) -> dict[str, int]:
    """Name key -> id of the company's locations (or departments), creating the missing ones."""
    if missing:
        model.objects.bulk_create(
            [model(company=company, name=name) for name in missing.values()], ignore_conflicts=True
        )
    return {name_key(name): pk for pk, name in model.objects.filter(company=company).values_list("pk", "name")}


def employee_imports_purge(*, before: datetime) -> int:
    """Delete imports that were never confirmed, with their files (they hold personal data)."""
    stale = EmployeeImport.objects.filter(
        created_at__lt=before, status__in=[ImportStatus.UPLOADED, ImportStatus.PREVIEWED]
    )
    count = 0
    for employee_import in stale:
        with transaction.atomic():
            _forget_personal_data(employee_import)
            employee_import.delete()
        count += 1
    return count


def _kept_rows(employee_import: EmployeeImport) -> Parsed:
    """The rows cleaned for the preview; for an import previewed before they
    were kept, the file is read and checked again."""
    kept = EmployeeImportRows.objects.filter(employee_import=employee_import).values_list("packed", flat=True).first()
    if kept is not None:
        return unpack_rows(kept)
    table = read_import_file(employee_import)
    EmployeeImport.objects.filter(pk=employee_import.pk).update(total=len(table.rows))
    return clean_rows(
        table,
        _mapping(employee_import),
        on_progress=lambda n: EmployeeImport.objects.filter(pk=employee_import.pk).update(processed=n),
    )


def _mapping(employee_import: EmployeeImport) -> dict[int, str]:
    return {int(index): name for index, name in employee_import.mapping.items()}


def _record(employee_import: EmployeeImport, plan: Plan) -> None:
    counts = plan.counts()
    employee_import.added = counts["added"]
    employee_import.updated = counts["updated"]
    employee_import.unchanged = counts["unchanged"]
    employee_import.left = counts["left"]
    employee_import.error_count = counts["errors"]
    employee_import.errors = [error.as_dict() for error in plan.errors[:MAX_STORED_ERRORS]]
    employee_import.preview = preview_data(plan)
    employee_import.total = plan.total


def _forget_personal_data(employee_import: EmployeeImport) -> None:
    """Delete the uploaded file (once the transaction commits) and the kept rows; the counts stay."""
    EmployeeImportRows.objects.filter(employee_import=employee_import).delete()
    if employee_import.file:
        name, storage = employee_import.file.name, employee_import.file.storage
        transaction.on_commit(lambda: storage.delete(name))
        employee_import.file = ""
