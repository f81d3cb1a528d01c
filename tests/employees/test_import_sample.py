"""The employee import's upload page names the columns it reads and offers a
sample file (CSV or Excel) with the recognised bokmål headers and two example
employees, which imports as it is."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from employees.importing import HEADER_SYNONYMS, SAMPLE_HEADERS
from employees.models import EmployeeImport, ImportStatus
from tests.base import client_for


def test_upload_page_offers_the_sample_files_and_names_the_columns(world, company):
    content = client_for(world.contact_a1).get(f"/bedrifter/{company.pk}/ansatte/import/").content.decode()
    assert f'href="/bedrifter/{company.pk}/ansatte/import/eksempel.csv"' in content
    assert f'href="/bedrifter/{company.pk}/ansatte/import/eksempel.xlsx"' in content
    assert "Kolonner som leses:" in content and "Ansattnummer" in content


def test_sample_headers_are_the_first_bokmal_name_of_each_field():
    assert SAMPLE_HEADERS[:3] == ["Fornavn", "Etternavn", "E-post"]
    assert all(
        header == HEADER_SYNONYMS[field][0]
        for field, header in zip([f for f in HEADER_SYNONYMS if f != "full_name"], SAMPLE_HEADERS, strict=True)
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sample_file_imports_as_it_is(world, company, fmt):
    client = client_for(world.contact_a1)
    response = client.get(f"/bedrifter/{company.pk}/ansatte/import/eksempel.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ansatte-eksempel.{fmt}"'
    if fmt == "xlsx":
        rows = list(
            openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True)
        )
        assert list(rows[0]) == SAMPLE_HEADERS and len(rows) == 3
    else:
        assert len(response.content.decode("utf-8-sig").splitlines()) == 3
    upload = client.post(
        f"/bedrifter/{company.pk}/ansatte/import/", {"file": SimpleUploadedFile(f"eksempel.{fmt}", response.content)}
    )
    assert upload.status_code == 302, upload.content.decode()[:2000]
    with tenant_context(world.pta_a):
        employee_import = EmployeeImport.objects.filter(company=company).latest("pk")
    assert employee_import.status == ImportStatus.PREVIEWED  # every column recognised: no mapping step
    assert (employee_import.added, employee_import.error_count) == (2, 0)


def test_sample_file_is_for_those_who_may_import_the_list(world, company):
    url = f"/bedrifter/{company.pk}/ansatte/import/eksempel.csv"
    assert client_for(world.contact_a2).get(url).status_code == 404  # another company's contact person
    assert client_for(world.contact_a1).get(url.replace(".csv", ".pdf")).status_code == 404
