"""The part of an employee import that runs after it is confirmed: in the
request for small files, in the Celery worker (employees.tasks) for large
ones. Kept apart from employees.services, which queues the task, so that
the task and the services do not import each other."""

from __future__ import annotations

import logging
import time
from datetime import date, datetime

import pghistory
from django.db import connection, transaction
from django.utils import timezone

from companies.models import Company, Department, Location
from core import imports
from core.dates import today
from employees.importing import (
    Parsed,
    Plan,
    clean_rows,
    name_key,
    paused_gc,
    plan_fingerprint,
    plan_import,
    preview_data,
    unpack_plan,
)
from employees.models import Employee, EmployeeImport, EmployeeImportPlan, EmployeeStatus, ImportStatus
from employees.selectors import read_import_file

logger = logging.getLogger(__name__)


def employee_import_execute(*, import_id: int) -> EmployeeImport:
    """Run a confirmed import, all or nothing, in one transaction.

    Holding a lock on the company, the import writes the plan kept from the
    preview if the company's list is still what the preview compared with
    (the same fingerprint); otherwise (an employee or a location changed
    since, or the day is another) it reads the file and compares it again
    with the list as it is now. The plan is written set-based (COPY, then
    UPDATE ... FROM a staging table); history triggers record every change
    with the user and the import id. If the comparison finds errors now,
    nothing is written and the import fails. Safe to run twice: a finished
    import is left alone.
    """
    employee_import, claimed = imports.claim_for_run(EmployeeImport, import_id)
    if not claimed:
        return employee_import
    try:
        started = time.perf_counter()
        kept = EmployeeImportPlan.objects.filter(employee_import=employee_import).values_list("packed", "fingerprint")
        kept = kept.first()
        with transaction.atomic():
            employee_import = EmployeeImport.objects.select_for_update().select_related("company").get(pk=import_id)
            if employee_import.status != ImportStatus.RUNNING:
                return employee_import  # another run finished it meanwhile
            company = Company.objects.select_for_update().get(pk=employee_import.company_id)
            options = {
                "full_list": employee_import.full_list,
                "create_missing": employee_import.create_missing,
                "today": today(),
            }
            kept_is_current = bool(kept) and kept[1] == plan_fingerprint(company=company, **options)
            with paused_gc():
                if kept_is_current:
                    plan = unpack_plan(kept[0])  # the preview's counts and samples stay on the row
                    rows = employee_import.total
                else:
                    parsed = read_rows(employee_import)
                    rows = len(parsed.rows) + len({e.row for e in parsed.errors})
                    plan = plan_import(company=company, parsed=parsed, **options)
                    record_plan(employee_import, plan)
            checked = time.perf_counter()
            # Progress goes through the cache: what this transaction writes to the row is seen only at commit.
            imports.report_progress(employee_import, percent=50, processed=rows, total=rows)  # read and compared
            if not plan.errors:
                with pghistory.context(user=employee_import.created_by_id, import_id=employee_import.pk):
                    import_write(company=company, plan=plan, today=options["today"])
                imports.report_progress(employee_import, percent=90, processed=rows, total=rows)  # written
            employee_import.status = ImportStatus.FAILED if plan.errors else ImportStatus.DONE
            employee_import.processed = rows
            employee_import.total = rows
            employee_import.finished_at = timezone.now()
            forget_personal_data(employee_import)
            employee_import.save()
        logger.info(
            "Employee import %s: %s (%s in %.2f s, written in %.2f s)",
            import_id,
            employee_import.summary().summary_line(),
            "kept plan" if kept_is_current else "read and compared again",
            checked - started,
            time.perf_counter() - checked,
        )
    except Exception:
        # Nothing was written (the transaction rolled back); record the failure, drop the file and plan.
        imports.record_failure(EmployeeImport, import_id, forget=forget_personal_data)
        raise
    return employee_import


STAGE_COLUMNS = {
    "employee_id": "bigint",
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
WRITE_COLUMNS = [c for c in STAGE_COLUMNS if c != "employee_id"]


def import_write(*, company: Company, plan: Plan, today: date) -> None:
    """Write a plan set-based: COPY the new employees straight into the
    employee table, COPY the changed ones into a temporary staging table and
    apply them with one UPDATE ... FROM (only the columns that changed), and
    one UPDATE for leavers. History and the company's employee count come
    from the table's statement-level triggers. Call inside a transaction that
    holds the company's row lock."""
    location_ids = _places_ensure(Location, company, plan.new_locations)
    department_ids = _places_ensure(Department, company, plan.new_departments)
    table = connection.ops.quote_name(Employee._meta.db_table)

    def stored(values: dict) -> tuple:
        return (
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

    with connection.cursor() as cursor:
        if plan.inserts:
            # In file order, so ids follow the rows; one statement, so the triggers fire once.
            now = timezone.now()
            with cursor.copy(f"COPY {table} (company_id, {', '.join(WRITE_COLUMNS)}, updated_at) FROM STDIN") as copy:
                for values in plan.inserts:
                    copy.write_row((company.pk, *stored(values), now))
        changed = {column for values in plan.updates for column, _old, _new in values["changes"]}
        if changed:
            cursor.execute(
                "CREATE TEMPORARY TABLE employee_import_stage ("
                + ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS.items())
                + ") ON COMMIT DROP"
            )
            with cursor.copy(f"COPY employee_import_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
                for values in plan.updates:
                    copy.write_row((values["id"], *stored(values)))
            assignments = ", ".join(f"{_column(name)} = s.{_column(name)}" for name in sorted(changed))
            cursor.execute(
                f"UPDATE {table} AS e SET {assignments}, updated_at = now() "  # noqa: S608 (names from code)
                "FROM employee_import_stage AS s WHERE e.id = s.employee_id AND e.company_id = %s",
                [company.pk],
            )
            cursor.execute("DROP TABLE employee_import_stage")
        if plan.leavers:
            cursor.execute(
                f"UPDATE {table} SET status = %s, end_date = COALESCE(end_date, %s), "  # noqa: S608
                "leave_from = NULL, leave_until = NULL, updated_at = now() WHERE company_id = %s AND id = ANY(%s)",
                [EmployeeStatus.LEFT, today, company.pk, [e["id"] for e in plan.leavers]],
            )


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
    return imports.purge_unconfirmed(EmployeeImport, before=before, forget=forget_personal_data)


def read_rows(employee_import: EmployeeImport) -> Parsed:
    """The file's rows, read and checked again (reported as the first half of the progress bar)."""
    table = read_import_file(employee_import)
    total = len(table.rows)
    return clean_rows(
        table,
        import_mapping(employee_import),
        on_progress=lambda n: imports.report_progress(
            employee_import, percent=50 * n // total, processed=n, total=total
        ),
    )


def import_mapping(employee_import: EmployeeImport) -> dict[int, str]:
    return {int(index): name for index, name in employee_import.mapping.items()}


def record_plan(employee_import: EmployeeImport, plan: Plan) -> None:
    counts = plan.counts()
    employee_import.added = counts["added"]
    employee_import.updated = counts["updated"]
    employee_import.unchanged = counts["unchanged"]
    employee_import.left = counts["left"]
    employee_import.error_count = counts["errors"]
    employee_import.errors = imports.stored_errors(plan.errors)
    employee_import.preview = preview_data(plan)
    employee_import.total = plan.total


def forget_personal_data(employee_import: EmployeeImport) -> None:
    """Delete the uploaded file (once the transaction commits) and the kept plan; the counts stay."""
    EmployeeImportPlan.objects.filter(employee_import=employee_import).delete()
    imports.forget_file(employee_import)
