"""The import through the web: upload -> (columns) -> preview -> confirm -> result."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django_tenants.utils import tenant_context
from pghistory.models import Context

from companies.models import Department, Location
from employees import import_execution, services
from employees.models import Employee, EmployeeImport, EmployeeStatus, ImportStatus
from tests.base import client_for
from tests.employees.helpers import EN_HEADERS, ROWS, csv_bytes, upload, url


def _import(world, pk) -> EmployeeImport:
    with tenant_context(world.pta_a):
        return EmployeeImport.objects.get(pk=pk)


def _employees(world, company) -> list[Employee]:
    with tenant_context(world.pta_a):
        return list(Employee.objects.filter(company=company).select_related("location", "department"))


def _upload_and_confirm(client, world, company, content, name="ansatte.csv", **options) -> EmployeeImport:
    response = upload(client, company, content, name, **options)
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    response = client.post(url("import_confirm", company.pk, pk))
    assert response.status_code == 302
    return _import(world, pk)


def test_upload_shows_a_preview_and_writes_nothing(world, company):
    client = client_for(world.adviser_a)
    response = upload(client, company, b"\xef\xbb\xbf" + csv_bytes(ROWS))
    assert response.status_code == 302
    employee_import = EmployeeImport.objects.get()
    assert response["Location"] == url("import_preview", company.pk, employee_import.pk)
    assert (employee_import.status, employee_import.added, employee_import.error_count) == ("previewed", 3, 0)
    assert employee_import.file.name.startswith("imports/ptaa/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Sørensen" in page.content.decode()
    assert _employees(world, company) == []


def test_confirmed_import_writes_every_row_and_a_second_run_changes_nothing(world, company):
    client = client_for(world.adviser_a)
    first = _upload_and_confirm(client, world, company, csv_bytes(ROWS))
    assert (first.status, first.added, first.updated, first.left) == ("done", 3, 0, 0)
    assert not first.file  # the uploaded file (personal data) is not kept
    kari = next(e for e in _employees(world, company) if e.employee_number == "101")
    assert (kari.first_name, kari.email, kari.mobile) == ("Kari", "kari@delta.no", "+4791234567")
    assert (kari.location.name, kari.department.name, kari.start_date) == ("Hovedkontor", "Salg", date(2020, 2, 1))

    second = _upload_and_confirm(client, world, company, csv_bytes(ROWS, encoding="cp1252"))
    assert (second.added, second.updated, second.unchanged, second.left) == (0, 0, 3, 0)
    assert len(_employees(world, company)) == 3


def test_english_headers_and_commas_import_the_same_way(world, company):
    client = client_for(world.contact_a1)
    done = _upload_and_confirm(client, world, company, csv_bytes(ROWS, headers=EN_HEADERS, delimiter=","))
    assert (done.status, done.added) == ("done", 3)
    assert done.delimiter == ","


def test_preview_lists_field_level_changes(world, company):
    with tenant_context(world.pta_a):
        Employee.objects.create(
            company=company,
            employee_number="101",
            first_name="Kari",
            last_name="Nordmann",
            email="kari@delta.no",
            mobile="+4799999999",
        )
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS[:1]))
    employee_import = EmployeeImport.objects.get()
    assert (employee_import.added, employee_import.updated) == (0, 1)
    changes = employee_import.preview["updated"][0]["changes"]
    assert ["mobile", "+4799999999", "+4791234567"] in changes
    assert ["start_date", "", "01.02.2020"] in changes
    # Shown with labels in the reader's language: bokmål by default, English on request.
    page = client.get(f"/bedrifter/{company.pk}/ansatte/import/{employee_import.pk}/")
    assert ["Mobilnummer", "+4799999999", "+4791234567"] in page.context["preview"]["updated"][0]["changes"]
    client.cookies["django_language"] = "en"  # as the language switcher sets it
    page = client.get(f"/bedrifter/{company.pk}/ansatte/import/{employee_import.pk}/")
    assert ["Mobile number", "+4799999999", "+4791234567"] in page.context["preview"]["updated"][0]["changes"]


def test_employee_is_matched_by_email_when_the_row_has_no_employee_number(world, company):
    with tenant_context(world.pta_a):
        kari = Employee.objects.create(company=company, first_name="Kari", last_name="N", email="kari@delta.no")
    client = client_for(world.adviser_a)
    content = csv_bytes([["Kari", "Nordmann", "KARI@delta.no"]], ["Fornavn", "Etternavn", "E-post"])
    done = _upload_and_confirm(client, world, company, content)
    assert (done.added, done.updated) == (0, 1)
    with tenant_context(world.pta_a):
        kari.refresh_from_db()
    assert kari.last_name == "Nordmann"


def test_unrecognised_headers_ask_for_a_column_mapping(world, company):
    client = client_for(world.adviser_a)
    content = csv_bytes([["Kari", "Nordmann", "kari@delta.no", "x"]], ["Fnavn", "Enavn", "Epost jobb", "Notat"])
    response = upload(client, company, content)
    employee_import = EmployeeImport.objects.get()
    assert employee_import.status == ImportStatus.UPLOADED
    assert response["Location"] == url("import_mapping", company.pk, employee_import.pk)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'for="id_column_0"' in page.content.decode()

    # Choosing a field twice is refused.
    twice = {"column_0": "first_name", "column_1": "first_name", "column_2": "email", "column_3": ""}
    assert client.post(response["Location"], twice).status_code == 200
    assert EmployeeImport.objects.get().status == ImportStatus.UPLOADED

    mapping = {"column_0": "first_name", "column_1": "last_name", "column_2": "email", "column_3": ""}
    response = client.post(url("import_mapping", company.pk, employee_import.pk), mapping)
    assert response["Location"] == url("import_preview", company.pk, employee_import.pk)
    employee_import.refresh_from_db()
    assert (employee_import.status, employee_import.added) == ("previewed", 1)
    assert any("Notat" in warning for warning in employee_import.preview["warnings"])


def test_file_with_errors_cannot_be_confirmed_and_nothing_is_written(world, company):
    rows = [
        *ROWS,
        ["104", "Per", "Berg", "per@", "", "", "", ""],
        ["105", "Liv", "Dahl", "", "12", "", "", ""],
        ["106", "Eva", "Lie", "", "", "", "", "32.01.2020"],
        ["101", "Tor", "Moe", "", "", "", "", ""],
    ]
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(rows))
    employee_import = EmployeeImport.objects.get()
    assert employee_import.error_count == 4
    assert [(e["row"], e["field"]) for e in employee_import.errors] == [
        (5, "email"),
        (6, "mobile"),
        (7, "start_date"),
        (8, "employee_number"),
    ]
    preview = client.get(url("import_preview", company.pk, employee_import.pk)).content.decode()
    assert url("import_confirm", company.pk, employee_import.pk) not in preview
    # Posting the confirmation anyway does nothing.
    response = client.post(url("import_confirm", company.pk, employee_import.pk))
    assert response["Location"] == url("import_preview", company.pk, employee_import.pk)
    employee_import.refresh_from_db()
    assert employee_import.status == ImportStatus.PREVIEWED
    assert _employees(world, company) == []


def test_unknown_location_is_an_error_unless_creating_missing_ones_is_ticked(world, company):
    rows = [["101", "Kari", "Nordmann", "", "", "Lager", "Drift", ""]]
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(rows))
    refused = EmployeeImport.objects.get()
    assert [(e["field"], e["value"]) for e in refused.errors] == [("location", "Lager"), ("department", "Drift")]

    done = _upload_and_confirm(client, world, company, csv_bytes(rows), create_missing=True)
    assert (done.status, done.added) == ("done", 1)
    assert done.preview["new_locations"] == ["Lager"]
    kari = _employees(world, company)[0]
    assert (kari.location.name, kari.department.name) == ("Lager", "Drift")
    with tenant_context(world.pta_a):
        assert Location.objects.filter(company=company).count() == 2
        assert Department.objects.filter(company=company).count() == 2


def test_location_names_match_whatever_the_case(world, company):
    rows = [["101", "Kari", "Nordmann", "", "", "HOVEDKONTOR", "salg", ""]]
    done = _upload_and_confirm(client_for(world.adviser_a), world, company, csv_bytes(rows))
    assert done.status == "done"
    assert _employees(world, company)[0].location.name == "Hovedkontor"


def test_full_list_marks_employees_missing_from_the_file_as_left(world, company):
    with tenant_context(world.pta_a):
        gone = Employee.objects.create(company=company, employee_number="900", first_name="Gone", last_name="Away")
        already = Employee.objects.create(
            company=company,
            employee_number="901",
            first_name="Long",
            last_name="Gone",
            status=EmployeeStatus.LEFT,
            end_date=date(2020, 1, 31),
        )
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS), full_list=True)
    preview = EmployeeImport.objects.get()
    assert [p["employee_number"] for p in preview.preview["left"]] == ["900"]
    done = _upload_and_confirm(client, world, company, csv_bytes(ROWS), full_list=True)
    assert (done.added, done.left) == (3, 1)
    with tenant_context(world.pta_a):
        gone.refresh_from_db()
        already.refresh_from_db()
    assert (gone.status, gone.end_date) == (EmployeeStatus.LEFT, services.today())
    assert already.end_date == date(2020, 1, 31)
    again = _upload_and_confirm(client, world, company, csv_bytes(ROWS), full_list=True)
    assert (again.added, again.updated, again.left) == (0, 0, 0)


def test_empty_full_list_is_refused(world, company):
    with tenant_context(world.pta_a):
        Employee.objects.create(company=company, employee_number="900", first_name="Kari", last_name="Nordmann")
    upload(client_for(world.adviser_a), company, csv_bytes([]), full_list=True)
    employee_import = EmployeeImport.objects.get()
    assert (employee_import.left, employee_import.error_count) == (0, 1)


def test_status_column_records_leavers_with_an_end_date(world, company):
    rows = [
        ["101", "Kari", "Nordmann", "kari@delta.no", "sluttet", ""],
        ["102", "Ola", "N", "ola@delta.no", "Permisjon", ""],
    ]
    content = csv_bytes(rows, ["Ansattnr", "Fornavn", "Etternavn", "E-post", "Status", "Sluttdato"])
    client = client_for(world.adviser_a)
    _upload_and_confirm(client, world, company, content)
    by_number = {e.employee_number: e for e in _employees(world, company)}
    assert (by_number["101"].status, by_number["101"].end_date) == ("left", services.today())
    assert by_number["102"].status == "on_leave"
    again = _upload_and_confirm(client, world, company, content)
    assert (again.updated, again.unchanged) == (0, 2)


def test_xlsx_import(world, company):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ansattnummer", "Fornavn", "Etternavn", "E-post", "Startdato"])
    sheet.append(["101", "Kari", "Nordmann", "kari@delta.no", date(2020, 2, 1)])
    out = io.BytesIO()
    workbook.save(out)
    done = _upload_and_confirm(client_for(world.adviser_a), world, company, out.getvalue(), "ansatte.xlsx")
    assert (done.status, done.encoding, done.added) == ("done", "xlsx", 1)
    assert _employees(world, company)[0].start_date == date(2020, 2, 1)


def test_import_history_is_recorded_with_the_user_and_the_import(world, company):
    done = _upload_and_confirm(client_for(world.adviser_a), world, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        ids = set(Employee.objects.filter(company=company).values_list("pk", flat=True))
        events = Employee.pgh_event_model.objects.filter(pgh_obj_id__in=ids, pgh_label="insert")
        assert events.count() == 3
        contexts = {e.pgh_context_id for e in events}
        assert len(contexts) == 1
        metadata = Context.objects.get(pk=contexts.pop()).metadata
    assert metadata["import_id"] == done.pk
    assert metadata["user"] == world.adviser_a.user.pk


def test_large_import_runs_in_the_worker_with_progress(world, company, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "CELERY_THRESHOLD", 2)
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS))
    employee_import = EmployeeImport.objects.get()
    # The task is queued when the transaction commits (Celery runs eagerly in tests).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("import_confirm", company.pk, employee_import.pk))
        assert response["Location"] == url("import_progress", company.pk, employee_import.pk)
        employee_import.refresh_from_db()
        assert employee_import.status == ImportStatus.QUEUED
        page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
        assert 'hx-trigger="every 1s"' in page and "<progress" in page and "<html" not in page
        assert _employees(world, company) == []
    assert "run_employee_import" in repr(callbacks[0])
    employee_import.refresh_from_db()
    assert (employee_import.status, employee_import.added) == ("done", 3)
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in page  # polling stops


def test_running_a_finished_import_again_does_nothing(world, company):
    done = _upload_and_confirm(client_for(world.adviser_a), world, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        Employee.objects.filter(company=company).delete()
        again = services.employee_import_execute(import_id=done.pk)
        assert again.status == ImportStatus.DONE
        assert Employee.objects.filter(company=company).count() == 0


def test_confirming_twice_imports_once(world, company):
    client = client_for(world.adviser_a)
    done = _upload_and_confirm(client, world, company, csv_bytes(ROWS))
    client.post(url("import_confirm", company.pk, done.pk))
    assert len(_employees(world, company)) == 3


def test_import_fails_without_writing_when_the_list_changed_after_the_preview(world, company):
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS))
    employee_import = EmployeeImport.objects.get()
    with tenant_context(world.pta_a):
        Location.objects.filter(company=company).delete()
    client.post(url("import_confirm", company.pk, employee_import.pk))
    employee_import.refresh_from_db()
    assert employee_import.status == ImportStatus.FAILED
    assert {e["field"] for e in employee_import.errors} == {"location"}
    assert _employees(world, company) == []
    page = client.get(url("import_progress", company.pk, employee_import.pk))
    assert "Hovedkontor" in page.content.decode()


@pytest.mark.parametrize("name", ["ansatte.pdf", "ansatte.exe"])
def test_only_csv_and_xlsx_files_are_accepted(world, company, name):
    response = upload(client_for(world.adviser_a), company, b"%PDF-1.4", name)
    assert response.status_code == 200
    assert not EmployeeImport.objects.exists()


def test_failure_while_writing_leaves_nothing_behind(world, company, monkeypatch):
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS))
    employee_import = EmployeeImport.objects.get()
    write = import_execution.import_write

    def write_then_fail(**kwargs):
        write(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_execution, "import_write", write_then_fail)
    with tenant_context(world.pta_a), pytest.raises(RuntimeError):
        services.employee_import_confirm(employee_import=employee_import)
    employee_import.refresh_from_db()
    assert (employee_import.status, employee_import.file.name) == (ImportStatus.FAILED, "")
    assert _employees(world, company) == []


def test_unconfirmed_uploads_are_purged_with_their_files(
    world, company, media_root, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS))
    stale = EmployeeImport.objects.get()
    done = _upload_and_confirm(client, world, company, csv_bytes(ROWS))
    path = media_root / stale.file.name
    assert path.exists()
    with tenant_context(world.pta_a), django_capture_on_commit_callbacks(execute=True):
        EmployeeImport.objects.update(created_at=timezone.now() - timedelta(days=3))
        assert import_execution.employee_imports_purge(before=timezone.now() - timedelta(days=2)) == 1
        assert list(EmployeeImport.objects.values_list("pk", flat=True)) == [done.pk]
    assert not path.exists()
