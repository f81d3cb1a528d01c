"""The company import through the web with files it must not choke on: an
upload it cannot read gets the form's file error (never a 500) and leaves
nothing behind, no import row and no file in storage; the preview lists
errors and samples a hundred a page, so a long file never makes a huge page.
The same files as the employee import's (tests/core/hostile.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context
from stdnum.no import orgnr

from companies.models import CompanyImport
from core.imports import ImportStatus
from tests.base import client_for
from tests.core.hostile import unreadable_files

PAGE_LIMIT = 300_000  # bytes
HEADERS = ["Organisasjonsnummer", "Navn", "Adresse", "Kommune"]


def _adviser(world):
    """Adviser A's client, reading the pages in English (as the language switcher sets it)."""
    client = client_for(world.adviser_a)
    client.cookies["django_language"] = "en"
    return client


def _upload(client, content: bytes, name: str = "bedrifter.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("companies:import"), {"file": SimpleUploadedFile(name, content)})


def _csv(rows: list[list[str]]) -> bytes:
    return "".join(";".join(row) + "\r\n" for row in [HEADERS, *rows]).encode()


def _imports(world) -> list[CompanyImport]:
    with tenant_context(world.pta_a):
        return list(CompanyImport.objects.all())


def _stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def _org_numbers(n: int) -> list[str]:
    """n valid organisation numbers (9 digits, the last a check digit)."""
    candidates = (f"{91000000 + i}{digit}" for i in range(3 * n) for digit in "0123456789")
    numbers = {number[:8]: number for number in candidates if orgnr.is_valid(number)}
    return list(numbers.values())[:n]


@pytest.mark.parametrize(
    "hostile",
    unreadable_files(HEADERS, ["986105174", "Fjordlys AS", "Strandkaien 4", "Stavanger"]),
    ids=lambda hostile: hostile.name,
)
def test_an_unreadable_upload_gets_the_file_error_and_leaves_no_row_and_no_file(world, media_root, hostile):
    response = _upload(_adviser(world), hostile.content, hostile.filename.replace("liste", "bedrifter"))
    assert response.status_code == 200
    assert hostile.message in " ".join(response.context["form"].errors["file"])
    assert _imports(world) == []
    assert _stored_files(media_root) == []


def test_a_preview_of_5000_errors_is_a_small_page_and_page_2_shows_the_next_errors(world, media_root):
    client = _adviser(world)
    response = _upload(client, _csv([[f"98610517{i % 10}x", f"Feil {i} AS", "", ""] for i in range(5000)]))
    assert response.status_code == 302
    company_import = _imports(world)[0]
    assert (company_import.status, company_import.error_count, len(company_import.errors)) == (
        ImportStatus.PREVIEWED,
        5000,
        1000,
    )

    first = client.get(response["Location"])
    assert len(first.content) < PAGE_LIMIT
    assert [error["row"] for error in first.context["errors"]] == list(range(2, 102))
    page = first.content.decode()
    assert 'href="?errors_page=2#errors"' in page
    assert "The first 1000 of 5000 errors are shown." in page

    second = client.get(response["Location"], {"errors_page": 2})
    assert len(second.content) < PAGE_LIMIT
    assert [error["row"] for error in second.context["errors"]] == list(range(102, 202))


def test_the_preview_lists_new_companies_a_hundred_a_page(world, media_root):
    client = _adviser(world)
    numbers = _org_numbers(250)
    response = _upload(client, _csv([[number, f"Bedrift {i} AS", "", "Oslo"] for i, number in enumerate(numbers)]))
    assert response.status_code == 302
    first = client.get(response["Location"])
    assert [item["row"] for item in first.context["preview"]["added"]] == list(range(2, 102))
    assert "The first 200 of 250 are shown." in first.content.decode()
    second = client.get(response["Location"], {"added_page": 2})
    assert [item["row"] for item in second.context["preview"]["added"]] == list(range(102, 202))
    assert 'href="?added_page=1#added"' in second.content.decode()


def test_the_result_page_of_a_failed_import_pages_its_errors(world, media_root):
    with tenant_context(world.pta_a):
        failed = CompanyImport.objects.create(
            original_name="bedrifter.csv",
            status=ImportStatus.FAILED,
            error_count=150,
            errors=[{"row": n, "field": "name", "value": "", "message": "the name is missing"} for n in range(2, 152)],
        )
    page = _adviser(world).get(reverse("companies:import_progress", args=[failed.pk]), {"errors_page": 2})
    assert [error["row"] for error in page.context["errors"]] == list(range(102, 152))
    assert 'href="?errors_page=1#errors"' in page.content.decode()
