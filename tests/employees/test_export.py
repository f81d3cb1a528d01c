"""Export to CSV and Excel: Norwegian headers, formula injection, round trip."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from django_tenants.utils import tenant_context

from companies.models import Department, Location
from core.tabular import neutralise
from employees.models import Employee, EmployeeStatus
from tests.base import client_for
from tests.employees.helpers import upload, url


def _seed(world, company) -> None:
    with tenant_context(world.pta_a):
        office = Location.objects.get(company=company)
        sales = Department.objects.get(company=company)
        Employee.objects.create(
            company=company,
            first_name='=HYPERLINK("http://x")',
            last_name="@SUM(1)",
            email="kari@delta.no",
            mobile="+4791234567",
            employee_number="-101",
            location=office,
            department=sales,
            start_date=date(2020, 2, 1),
            preferred_language="en",
        )
        Employee.objects.create(
            company=company,
            first_name="Ola",
            last_name="Sørensen",
            email="ola@delta.no",
            employee_number="102",
            status=EmployeeStatus.LEFT,
            end_date=date(2025, 6, 30),
        )


def test_neutralise_prefixes_formula_cells_only():
    assert [neutralise(v) for v in ["=1+1", "+47", "-5", "@A1", "\tx", "\rx", "Kari", 5]] == [
        "'=1+1",
        "'+47",
        "'-5",
        "'@A1",
        "'\tx",
        "'\rx",
        "Kari",
        5,
    ]


def test_csv_export_is_utf8_with_bom_semicolons_norwegian_headers_and_no_formulas(world, company):
    _seed(world, company)
    response = client_for(world.contact_a1).get(url("export", company.pk, "csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ansatte-986105174-')
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Fornavn;Etternavn;E-post;Mobil;Ansattnummer;Lokasjon;Avdeling;Startdato;Sluttdato;Status;Språk"
    assert lines[1].startswith('"\'=HYPERLINK(""http://x"")";\'@SUM(1);kari@delta.no;\'+4791234567;\'-101;')
    assert lines[2] == "Ola;Sørensen;ola@delta.no;;102;;;;30.06.2025;sluttet;nb"


def test_xlsx_export_has_no_formula_cells(world, company):
    _seed(world, company)
    response = client_for(world.adviser_a).get(url("export", company.pk, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Fornavn"
    assert rows[1][:2] == ('\'=HYPERLINK("http://x")', "'@SUM(1)")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_unknown_export_format_is_404(world, company):
    assert client_for(world.adviser_a).get(url("export", company.pk, "pdf")).status_code == 404


def _fields(world, company):
    with tenant_context(world.pta_a):
        return sorted(
            Employee.objects.filter(company=company).values_list(
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
        )


def test_exported_files_import_again_without_changes(world, company):
    _seed(world, company)
    before = _fields(world, company)
    client = client_for(world.adviser_a)
    for fmt in ("csv", "xlsx"):
        exported = client.get(url("export", company.pk, fmt)).content
        response = upload(client, company, exported, f"ansatte.{fmt}", full_list=True)
        assert response.status_code == 302
        preview = client.get(response["Location"]).context["employee_import"]
        assert (preview.added, preview.updated, preview.unchanged, preview.left, preview.error_count) == (
            0,
            0,
            2,
            0,
            0,
        ), (fmt, preview.errors, preview.preview)
    # Into an empty company, the export recreates the same employees.
    exported = client.get(url("export", company.pk, "csv")).content
    with tenant_context(world.pta_a):
        Employee.objects.filter(company=company).delete()
    response = upload(client, company, exported, "ansatte.csv")
    client.post(url("import_confirm", company.pk, _pk(response)))
    assert _fields(world, company) == before


def _pk(response) -> int:
    return int(response["Location"].rstrip("/").split("/")[-1])
