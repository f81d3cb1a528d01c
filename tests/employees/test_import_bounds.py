"""The employee import through the web with files it must not choke on: an
upload it cannot read gets the form's file error (never a 500) and leaves
nothing behind, no import row and no file in storage; a wide or long file
never makes a huge page (the mapping page shortens what it shows, the
preview lists errors and samples a hundred a page)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import tenant_context

from employees import import_execution, services
from employees.models import EmployeeImport, ImportStatus
from tests.base import client_for
from tests.core.hostile import unreadable_files
from tests.employees.helpers import NB_HEADERS, ROWS, csv_bytes, upload, url

PAGE_LIMIT = 300_000  # bytes


def _adviser(world):
    """Adviser A's client, reading the pages in English (as the language switcher sets it)."""
    client = client_for(world.adviser_a)
    client.cookies["django_language"] = "en"
    return client


def _stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def _imports(world) -> list[EmployeeImport]:
    with tenant_context(world.pta_a):
        return list(EmployeeImport.objects.all())


@pytest.mark.parametrize("hostile", unreadable_files(NB_HEADERS, ROWS[0]), ids=lambda hostile: hostile.name)
def test_an_unreadable_upload_gets_the_file_error_and_leaves_no_row_and_no_file(world, company, media_root, hostile):
    response = upload(_adviser(world), company, hostile.content, hostile.filename)
    assert response.status_code == 200
    assert hostile.message in " ".join(response.context["form"].errors["file"])
    assert _imports(world) == []
    assert _stored_files(media_root) == []


def test_a_preview_that_fails_after_the_file_was_stored_leaves_no_row_and_no_file(
    world, company, media_root, monkeypatch
):
    def failing_preview(**kwargs):
        raise RuntimeError("the preview failed")

    monkeypatch.setattr(services, "employee_import_preview", failing_preview)
    client = _adviser(world)
    client.raise_request_exception = False
    response = upload(client, company, csv_bytes(ROWS))
    assert response.status_code == 500
    assert _imports(world) == []
    assert _stored_files(media_root) == []


def test_files_no_import_row_names_are_purged_with_the_unconfirmed_imports(world, company, media_root):
    response = upload(_adviser(world), company, csv_bytes(ROWS))
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        previewed = EmployeeImport.objects.get()
        old = default_storage.save("imports/ptaa/left-behind.csv", ContentFile(b"personal data"))
        new = default_storage.save("imports/ptaa/being-stored.csv", ContentFile(b"personal data"))
        three_days_ago = time.time() - 3 * 24 * 3600
        for name in (old, previewed.file.name):
            os.utime(media_root / name, (three_days_ago, three_days_ago))
        EmployeeImport.objects.filter(pk=previewed.pk).update(created_at=timezone.now())  # not stale itself
        import_execution.employee_imports_purge(before=timezone.now() - timedelta(days=2))
    assert not (media_root / old).exists()
    assert (media_root / new).exists()  # too new: its row may be on its way
    assert (media_root / previewed.file.name).exists()  # its row names it


def _rows_with_bad_addresses(n: int) -> list[list[str]]:
    return [[str(1000 + i), "Kari", f"Nordmann{i}", f"ikke-en-adresse-{i}", "", "", "", ""] for i in range(n)]


def test_a_preview_of_5000_errors_is_a_small_page_and_page_2_shows_the_next_errors(world, company):
    client = _adviser(world)
    response = upload(client, company, csv_bytes(_rows_with_bad_addresses(5000)))
    assert response.status_code == 302
    employee_import = _imports(world)[0]
    assert (employee_import.status, employee_import.error_count, len(employee_import.errors)) == (
        ImportStatus.PREVIEWED,
        5000,
        1000,
    )

    first = client.get(response["Location"])
    assert len(first.content) < PAGE_LIMIT
    assert [error["row"] for error in first.context["errors"]] == list(range(2, 102))
    page = first.content.decode()
    assert 'href="?errors_page=2#errors"' in page
    assert "Page 1 of 10" in page
    assert "The first 1000 of 5000 errors are shown." in page

    second = client.get(response["Location"], {"errors_page": 2})
    assert len(second.content) < PAGE_LIMIT
    assert [error["row"] for error in second.context["errors"]] == list(range(102, 202))
    assert 'href="?errors_page=1#errors"' in second.content.decode()


def test_the_progress_page_of_a_failed_import_pages_its_errors(world, company):
    with tenant_context(world.pta_a):
        failed = EmployeeImport.objects.create(
            company=company,
            original_name="ansatte.csv",
            status=ImportStatus.FAILED,
            error_count=250,
            errors=[{"row": n, "field": "email", "value": "x", "message": "Not an address."} for n in range(2, 252)],
        )
    client = _adviser(world)
    page = client.get(url("import_progress", company.pk, failed.pk), {"errors_page": 3})
    assert [error["row"] for error in page.context["errors"]] == list(range(202, 252))
    assert 'href="?errors_page=2#errors"' in page.content.decode()


def test_the_preview_lists_new_employees_a_hundred_a_page(world, company):
    rows = [[str(1000 + i), "Kari", f"Nordmann{i}", f"kari{i}@delta.no", "", "", "", ""] for i in range(250)]
    client = _adviser(world)
    response = upload(client, company, csv_bytes(rows))
    first = client.get(response["Location"])
    assert [item["row"] for item in first.context["preview"]["added"]] == list(range(2, 102))
    assert "The first 200 of 250 are shown." in first.content.decode()
    second = client.get(response["Location"], {"added_page": 2, "errors_page": 1})
    assert [item["row"] for item in second.context["preview"]["added"]] == list(range(102, 202))
    assert 'href="?added_page=1&amp;errors_page=1#added"' in second.content.decode()


def test_the_mapping_page_of_a_wide_file_of_long_cells_stays_small(world, company):
    headers = [f"{'Kolonne ' * 600}{n}" for n in range(200)]  # nothing recognised: the mapping page
    rows = [[f"{'verdi ' * 1500}{n}" for n in range(200)] for _row in range(3)]
    client = _adviser(world)
    response = upload(client, company, csv_bytes(rows, headers))
    employee_import = _imports(world)[0]
    assert response["Location"] == url("import_mapping", company.pk, employee_import.pk)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert len(page.context["rows"]) == 200
    assert len(page.content) < PAGE_LIMIT
    column, _field = page.context["rows"][0]
    assert len(column["header"]) <= 60 and all(len(sample) <= 60 for sample in column["samples"])


def test_mapping_page_of_a_file_the_limits_now_refuse_sends_back_to_the_upload(world, company, settings):
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        employee_import = EmployeeImport.objects.get(company=company)
    settings.IMPORT_MAX_ROWS = 1  # lowered after the upload
    response = client.get(url("import_mapping", company.pk, employee_import.pk))
    assert response.status_code == 302
    assert response["Location"] == url("import_upload", company.pk)
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error" and "1" in str(message)  # the row limit, in the reader's language
