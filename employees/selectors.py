"""Reads on employees: the list page, the export and the import pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from companies.models import Company
from core.importing import shortened
from core.tabular import Table, read_table
from employees.importing import national_id_columns
from employees.models import Employee, EmployeeImport, EmployeeStatus

# Sort keys the list page accepts, and the ordering each one means.
SORTS = {
    "name": ("last_name", "first_name"),
    "email": ("email",),
    "employee_number": ("employee_number",),
    "location": ("location__name", "last_name", "first_name"),
    "department": ("department__name", "last_name", "first_name"),
    "status": ("status", "last_name", "first_name"),
    "start_date": ("start_date", "last_name", "first_name"),
}
DEFAULT_SORT = "name"


def employee_list(
    *,
    company: Company,
    search: str = "",
    status: str = "",
    location_id: int | None = None,
    department_id: int | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Employee]:
    """The company's employees, filtered and sorted; `sort` is a key of SORTS,
    with a leading '-' for descending. Unknown keys fall back to the name."""
    employees = Employee.objects.filter(company=company).select_related("location", "department")
    search = search.strip()
    if search:
        matches = (
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
            | Q(employee_number__iexact=search)
        )
        if " " in search:  # "Kari Nordmann"
            first, _sep, last = search.rpartition(" ")
            matches |= Q(first_name__icontains=first, last_name__icontains=last)
        employees = employees.filter(matches)
    if status in EmployeeStatus.values:
        employees = employees.filter(status=status)
    if location_id:
        employees = employees.filter(location_id=location_id)
    if department_id:
        employees = employees.filter(department_id=department_id)
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    ordering = [f"-{f}" if descending else f for f in fields]
    return employees.order_by(*ordering, "-pk" if descending else "pk")


EXPORT_HEADERS = [
    "Fornavn",
    "Etternavn",
    "E-post",
    "Mobil",
    "Ansattnummer",
    "Lokasjon",
    "Avdeling",
    "Startdato",
    "Sluttdato",
    "Status",
    "Språk",
]
# Rows fetched per round trip from the server-side cursor of an export.
EXPORT_CHUNK = 2000
# Norwegian words for the status, as the import reads them back.
EXPORT_STATUS = {EmployeeStatus.ACTIVE: "aktiv", EmployeeStatus.ON_LEAVE: "permisjon", EmployeeStatus.LEFT: "sluttet"}


def employee_export_rows(*, company: Company):
    """One tuple per employee, in the order of EXPORT_HEADERS; one query,
    read in chunks through a server-side cursor, so that a list of 200,000
    is never held in memory whole."""
    for row in (
        Employee.objects.filter(company=company)
        .order_by("last_name", "first_name", "pk")
        .values_list(
            "first_name",
            "last_name",
            "email",
            "mobile",
            "employee_number",
            "location__name",
            "department__name",
            "start_date",
            "end_date",
            "status",
            "preferred_language",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    ):
        yield (*row[:9], EXPORT_STATUS.get(row[9], row[9]), row[10])


def employee_import_list(*, company: Company) -> QuerySet[EmployeeImport]:
    return EmployeeImport.objects.filter(company=company).defer("errors", "preview", "headers")


# Characters shown of a header or a sample value on the mapping page.
SAMPLE_LENGTH = 60


def employee_import_columns(*, employee_import: EmployeeImport) -> list[dict]:
    """The file's columns for the mapping page: header, a few sample values,
    the field it is mapped to, and whether it holds national identity numbers
    (those are never offered for import, and their values never shown).
    There are at most core.tabular.MAX_COLUMNS; headers and samples are
    shortened (SAMPLE_LENGTH), so that a wide file never makes a huge page."""
    table = read_import_file(employee_import)
    blocked = set(national_id_columns(table))
    columns = []
    for index, header in enumerate(table.headers):
        samples = (
            []
            if index in blocked
            else [
                shortened(str(cells[index]), SAMPLE_LENGTH)
                for _row, cells in table.rows[:20]
                if cells[index] not in (None, "")
            ][:3]
        )
        columns.append(
            {
                "index": index,
                "header": shortened(header, SAMPLE_LENGTH),
                "samples": samples,
                "field": employee_import.mapping.get(str(index), ""),
                "national_id": index in blocked,
            }
        )
    return columns


def read_import_file(employee_import: EmployeeImport) -> Table:
    with employee_import.file.open("rb") as handle:
        return read_table(handle.read(), employee_import.original_name)


def employee_counts(*, company: Company) -> dict[str, int]:
    """Employees of the company by status, in one query."""
    counts = dict(company.employees.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in EmployeeStatus.values}


def employees_on_lists_count() -> int:
    """Employees on every company's list in this PTA (leavers not counted),
    from the companies' kept counts: one row per company, not per employee."""
    return Company.objects.aggregate(n=Sum("employee_count"))["n"] or 0
