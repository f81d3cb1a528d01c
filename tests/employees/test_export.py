"""Export to CSV and Excel: Norwegian headers, formula injection, round trip; large lists in the worker."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import ContactPerson, Department, Location
from core.tabular import neutralise
from employees import exporting
from employees.models import Employee, EmployeeExport, EmployeeStatus
from employees.tasks import purge_stale_employee_exports
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
    response = client_for(world.contact_a1).post(url("export", company.pk, "csv"))
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
    response = client_for(world.adviser_a).post(url("export", company.pk, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Fornavn"
    assert rows[1][:2] == ('\'=HYPERLINK("http://x")', "'@SUM(1)")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_unknown_export_format_is_404(world, company):
    assert client_for(world.adviser_a).post(url("export", company.pk, "pdf")).status_code == 404


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
        exported = client.post(url("export", company.pk, fmt)).content
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
    exported = client.post(url("export", company.pk, "csv")).content
    with tenant_context(world.pta_a):
        Employee.objects.filter(company=company).delete()
    response = upload(client, company, exported, "ansatte.csv")
    client.post(url("import_confirm", company.pk, _pk(response)))
    assert _fields(world, company) == before


def _pk(response) -> int:
    return int(response["Location"].rstrip("/").split("/")[-1])


# Large lists: written by the worker, downloaded from the export's page --------------------


@pytest.fixture
def large(monkeypatch):
    """Lists of more than one employee count as large."""
    monkeypatch.setattr(exporting, "DIRECT_EXPORT_MAX", 1)
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 1)


def _export(world, company) -> EmployeeExport:
    with tenant_context(world.pta_a):
        return EmployeeExport.objects.select_related("company").get(company=company)


def test_large_list_is_queued_and_the_request_writes_no_file(
    world, company, large, media_root, django_capture_on_commit_callbacks
):
    _seed(world, company)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(world.contact_a1).post(url("export", company.pk, "xlsx"))
    export = _export(world, company)
    assert response.status_code == 302
    assert response["Location"] == url("export_progress", company.pk, export.pk)
    assert (export.status, export.format, export.created_by_id) == ("queued", "xlsx", world.contact_a1.user.pk)
    assert len(callbacks) == 1  # run_employee_export, queued on commit
    assert not (media_root / "exports").exists()
    page = client_for(world.contact_a1).get(response["Location"])
    assert page.status_code == 200
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_large_export_is_written_by_the_task_and_downloaded_as_an_attachment(
    world, company, large, media_root, django_capture_on_commit_callbacks
):
    _seed(world, company)
    client = client_for(world.contact_a1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("export", company.pk, "xlsx"))
    export = _export(world, company)
    assert (export.status, export.processed, export.total) == ("done", 2, 2)
    assert export.file.name == f"exports/{world.pta_a.schema_name}/{export.uuid.hex}.xlsx"
    assert (media_root / export.file.name).exists()

    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "<html" not in partial
    download = url("export_download", company.pk, export.pk)
    assert download in partial

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ansatte-986105174-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0] == "Fornavn" and len(rows) == 3
    assert rows[1][:2] == ('\'=HYPERLINK("http://x")', "'@SUM(1)")


def test_a_second_click_while_the_export_runs_does_not_start_another(
    world, company, large, django_capture_on_commit_callbacks
):
    _seed(world, company)
    client = client_for(world.contact_a1)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(url("export", company.pk, "csv"))
        second = client.post(url("export", company.pk, "csv"))
    assert first["Location"] == second["Location"]
    assert len(callbacks) == 1
    with tenant_context(world.pta_a):
        assert EmployeeExport.objects.filter(company=company).count() == 1


def test_export_runs_once_when_delivered_twice(world, company, large, django_capture_on_commit_callbacks):
    _seed(world, company)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.adviser_a).post(url("export", company.pk, "csv"))
    export = _export(world, company)
    with tenant_context(world.pta_a):
        again = exporting.employee_export_execute(export_id=export.pk)
    assert (again.status, again.file.name) == ("done", export.file.name)


def test_failed_export_is_marked_failed_and_offers_no_download(world, company, large, monkeypatch):
    _seed(world, company)
    with tenant_context(world.pta_a):
        export = EmployeeExport.objects.create(company=company, format="xlsx")

        def broken(*args, **kwargs):
            raise OSError("disk full")

        monkeypatch.setattr(exporting, "write_xlsx", broken)
        with pytest.raises(OSError):
            exporting.employee_export_execute(export_id=export.pk)
        export.refresh_from_db()
    assert (export.status, export.file.name) == ("failed", "")
    client = client_for(world.adviser_a)
    assert 'role="alert"' in client.get(url("export_progress", company.pk, export.pk)).content.decode()
    assert client.get(url("export_download", company.pk, export.pk)).status_code == 404


def test_export_of_another_company_is_404_and_without_the_right_403(world, company, large):
    with tenant_context(world.pta_a):
        export = EmployeeExport.objects.create(company=company, format="csv")
        other = EmployeeExport.objects.create(company=world.company_a2, format="csv")
    # contact_a1 is a contact of `company` and of A1, not of A2.
    client = client_for(world.contact_a1)
    assert client.get(url("export_progress", world.company_a2.pk, other.pk)).status_code == 404
    assert client.get(url("export_download", world.company_a2.pk, other.pk)).status_code == 404
    # Another company's export under one's own company's URL is 404 too.
    assert client.get(url("export_progress", company.pk, other.pk)).status_code == 404
    with tenant_context(world.pta_a):
        ContactPerson.objects.filter(user=world.contact_a1.user, company=company).update(can_edit_employees=False)
    assert client.get(url("export_progress", company.pk, export.pk)).status_code == 403
    assert client.get(url("export_download", company.pk, export.pk)).status_code == 403
    assert client.post(url("export", company.pk, "csv")).status_code == 403


def test_exports_older_than_a_day_are_purged_with_their_files(
    world, company, large, media_root, django_capture_on_commit_callbacks
):
    _seed(world, company)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.adviser_a).post(url("export", company.pk, "csv"))
    export = _export(world, company)
    path = media_root / export.file.name
    assert path.exists()
    with tenant_context(world.pta_a):
        assert purge_stale_employee_exports() == 0
        EmployeeExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert purge_stale_employee_exports() == 1
        assert not EmployeeExport.objects.filter(pk=export.pk).exists()
    assert not path.exists()
