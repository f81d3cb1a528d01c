"""A large export runs in a real Celery worker process; the web serves the file it wrote."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django_tenants.utils import tenant_context

from companies.models import Company
from employees import exporting
from employees.models import Employee, EmployeeExport
from tests.base import client_for
from tests.employees.helpers import url
from tests.servers import celery_worker, wait_for

pytestmark = pytest.mark.worker

ROWS = exporting.DIRECT_EXPORT_MAX + 500


@pytest.fixture
def worker(committed_world, media_root):
    # The worker writes the file into the same (temporary) media folder the web reads.
    with celery_worker("exports", MEDIA_ROOT=str(media_root)):
        yield


@pytest.fixture
def large_company(committed_world):
    """A committed company of PTA A with more employees than a request exports; removed afterwards."""
    w = committed_world
    with tenant_context(w.pta_a):
        company = Company.objects.create(org_number="923456783", name="Arbeider Eksport AS")
        Employee.objects.bulk_create(
            Employee(company=company, first_name=f"Fornavn{i}", last_name=f"Etternavn{i:05d}", employee_number=str(i))
            for i in range(ROWS)
        )
    yield company
    with tenant_context(w.pta_a):
        Company.objects.filter(pk=company.pk).delete()  # cascades to employees and exports
        Employee.pgh_event_model.objects.filter(company_id=company.pk).delete()
        Company.pgh_event_model.objects.filter(pgh_obj_id=company.pk).delete()


def test_large_export_runs_in_a_real_worker(worker, committed_world, large_company, media_root):
    w, company = committed_world, large_company
    client = client_for(w.adviser_a)
    response = client.post(url("export", company.pk, "xlsx"))
    assert response.status_code == 302
    with tenant_context(w.pta_a):
        export = EmployeeExport.objects.get(company=company)
    assert response["Location"] == url("export_progress", company.pk, export.pk)

    def finished():
        with tenant_context(w.pta_a):
            export.refresh_from_db()
        return export.is_finished

    wait_for(finished, timeout=120, what="the worker to write the export")
    assert (export.status, export.processed, export.total) == ("done", ROWS, ROWS)
    assert export.file.name.startswith(f"exports/{w.pta_a.schema_name}/")
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial
    download = client.get(url("export_download", company.pk, export.pk))
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == ROWS + 1
    # PTA B's schema has no export.
    with tenant_context(w.pta_b):
        assert not EmployeeExport.objects.exists()
