"""Reads for the start pages: employee imports that need someone (as
core.attention items), a contact person's next steps with the list, and the
trend of employees at member companies.

config/composition.py names the attention selectors in NEEDS_ATTENTION and
NEXT_STEPS; each is one query, capped, whatever the number of employees.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from companies.models import Company, ContactPerson
from companies.selectors_start import (
    member_spans_sql,
    mine_first,
    trend_params,
)
from core.attention import Attention, Severity
from core.imports import UNCONFIRMED, needing_attention
from employees.models import Employee, EmployeeImport, EmployeeStatus, ImportStatus
from tenants.models import User


def _import_url(employee_import: EmployeeImport) -> str:
    name = {
        ImportStatus.UPLOADED: "employees:import_mapping",
        ImportStatus.PREVIEWED: "employees:import_preview",
    }.get(employee_import.status, "employees:import_progress")
    return reverse(name, args=[employee_import.company_id, employee_import.pk])


def employee_imports_needing_attention(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """Each company's latest employee import, if it failed (within
    FAILED_IMPORT_DAYS) or has waited an hour for its columns or its
    confirmation. Gone when it is confirmed, or a newer import of the same
    company replaces it."""
    newer = EmployeeImport.objects.filter(company_id=OuterRef("company_id"), created_at__gt=OuterRef("created_at"))
    imports = (
        EmployeeImport.objects.filter(needing_attention())
        .exclude(Exists(newer))
        .select_related("company")
        .only("id", "status", "original_name", "created_at", "company__id", "company__name", "company__adviser_id")
    )
    if mine:
        imports = imports.filter(company__adviser_id=user.pk)
    items = []
    for row in imports.order_by(mine_first("company__adviser_id", user), "created_at")[:limit]:
        failed = row.status == ImportStatus.FAILED
        items.append(
            Attention(
                kind="employee_import_failed" if failed else "employee_import_unconfirmed",
                title=_("The employee import failed") if failed else _("An employee import waits for confirmation"),
                url=_import_url(row),
                company=row.company.name,
                adviser_id=row.company.adviser_id,
                since=row.created_at,
                detail=row.original_name,
                severity=Severity.DANGER if failed else Severity.WARNING,
            )
        )
    return items


def employee_next_steps(*, company: Company, contact: ContactPerson, user: User) -> list[Attention]:
    """For a contact person who may edit the list: finish an import that
    waits for them, upload again after one that failed, or upload the list
    when there is none. One query."""
    if not contact.can_edit_employees:
        return []
    latest = (
        EmployeeImport.objects.filter(company=company)
        .only("id", "company_id", "status", "original_name", "created_at")
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is not None and latest.status in UNCONFIRMED:
        return [
            Attention(
                kind="employee_import_unconfirmed",
                title=_("Finish the import of %(file)s") % {"file": latest.original_name},
                url=_import_url(latest),
                since=latest.created_at,
                detail=_("Nothing is changed on the list until you confirm it."),
            )
        ]
    if latest is not None and latest.status == ImportStatus.FAILED:
        return [
            Attention(
                kind="employee_import_failed",
                title=_("The import of %(file)s failed") % {"file": latest.original_name},
                url=_import_url(latest),
                since=latest.created_at,
                detail=_("See what went wrong, correct the file and upload it again."),
                severity=Severity.DANGER,
            )
        ]
    if company.employee_count == 0 and (latest is None or latest.status == ImportStatus.DONE):
        return [
            Attention(
                kind="employee_list_missing",
                title=_("Upload your employee list"),
                url=reverse("employees:import_upload", args=[company.pk]),
                detail=_("An export from your payroll system will do, as CSV or Excel."),
            )
        ]
    return []


def employee_trend(*, ends: list[date]) -> list[int]:
    """Employees of member companies at each of the past days `ends`,
    reconstructed from dated facts in one query, for the months of
    reporting's monthly figures from before it first recorded them.

    An employee counts on a day when their company was a member then
    (companies.selectors_start.member_spans_sql) and they were employed:
    from their start date (always, without one) through their end date; one
    who left without an end date counts until the row was last changed,
    which is when they were marked as left. It reads every employee of the
    PTA for every day (2.3 s for twelve days and 400,000 employees, 0.25 s
    for 50,000): work for the worker, once, never for a page."""
    employees = Employee._meta.db_table
    # Table names from the models, not from input.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH spans AS ({member_spans_sql()}),
            staff AS (
                SELECT company_id, start_date,
                       COALESCE(end_date, CASE WHEN status = %(left)s THEN (updated_at AT TIME ZONE %(tz)s)::date END)
                           AS last_day
                FROM {employees}
            )
            SELECT m.day, count(e.company_id)
            FROM unnest(%(ends)s::date[]) AS m(day)
            LEFT JOIN spans AS s ON s.since <= m.day AND (s.until IS NULL OR s.until > m.day)
            LEFT JOIN staff AS e ON e.company_id = s.company_id
                AND (e.start_date IS NULL OR e.start_date <= m.day)
                AND (e.last_day IS NULL OR e.last_day >= m.day)
            GROUP BY m.day ORDER BY m.day
            """,  # noqa: S608
            {**trend_params(ends), "left": EmployeeStatus.LEFT.value},
        )
        counted = dict(cursor.fetchall())
    return [counted.get(day, 0) for day in ends]
