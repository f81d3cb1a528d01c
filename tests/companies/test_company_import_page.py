"""What the company import shows: the columns it reads, a sample file that
imports as it is, and errors as a table of row, the field's label and the value
(the file itself, not a "row 0", for an error in the whole file)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from companies.importing import SAMPLE_HEADERS
from companies.models import CompanyImport
from core.imports import ImportStatus
from tests.base import client_for

ERRORS = "orgnr;navn;postnr\n986105175;Feil AS;4006\n983544622;Beta Bygg AS;40\n"


def _error_rows(html: str) -> list[list[str]]:
    rows = re.findall(r'<tr class="error-row">(.*?)</tr>', html, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]


def test_upload_page_names_the_columns_it_reads_and_offers_sample_files(world):
    content = client_for(world.adviser_a).get("/bedrifter/import/").content.decode()
    assert "Kolonner som leses:" in content
    assert "Organisasjonsnummer (påkrevd)" in content and "Navn (påkrevd)" in content and "Bransje" in content
    assert 'href="/bedrifter/import/eksempel.csv"' in content
    assert 'href="/bedrifter/import/eksempel.xlsx"' in content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sample_file_has_the_bokmal_headers_and_two_rows_and_imports_as_it_is(world, media_root, fmt):
    client = client_for(world.adviser_a)
    response = client.get(f"/bedrifter/import/eksempel.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="bedrifter-eksempel.{fmt}"'
    content = response.content
    if fmt == "csv":
        lines = content.decode("utf-8-sig").splitlines()
        assert lines[0].split(";") == SAMPLE_HEADERS
        assert len(lines) == 3
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == SAMPLE_HEADERS and len(rows) == 3
    upload = client.post("/bedrifter/import/", {"file": SimpleUploadedFile(f"eksempel.{fmt}", content)})
    assert upload.status_code == 302, upload.content.decode()[:2000]
    with tenant_context(world.pta_a):
        company_import = CompanyImport.objects.latest("pk")
    assert (company_import.added, company_import.error_count) == (2, 0)


def test_unknown_sample_format_is_404(world):
    assert client_for(world.adviser_a).get("/bedrifter/import/eksempel.pdf").status_code == 404


def test_errors_show_the_row_the_fields_label_and_the_value(world, media_root):
    client = client_for(world.adviser_a)
    upload = client.post("/bedrifter/import/", {"file": SimpleUploadedFile("bedrifter.csv", ERRORS.encode())})
    html = client.get(upload["Location"]).content.decode()
    assert _error_rows(html) == [
        ["2", "Organisasjonsnummer", "986105175", "ikke et gyldig organisasjonsnummer"],
        ["3", "Postnummer", "40", "et postnummer har fire sifre"],
    ]
    assert "org_number" not in html and "rad 2," not in html


def test_an_error_in_the_whole_file_has_no_row_zero(world):
    with tenant_context(world.pta_a):
        failed = CompanyImport.objects.create(
            original_name="bedrifter.xlsx",
            status=ImportStatus.FAILED,
            error_count=1,
            errors=[{"row": 0, "field": "file", "value": "bedrifter.xlsx", "message": "Filen kan ikke leses."}],
        )
    html = client_for(world.adviser_a).get(f"/bedrifter/import/{failed.pk}/resultat/").content.decode()
    assert _error_rows(html) == [["–Hele filen", "–", "bedrifter.xlsx", "Filen kan ikke leses."]]
    assert "rad 0" not in html
