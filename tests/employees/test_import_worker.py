"""A large import runs in a real Celery worker process, with progress polled by htmx."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from pghistory.models import Context

from companies.models import Company
from employees import services
from employees.models import Employee, EmployeeImport
from tests.base import client_for
from tests.employees.helpers import csv_bytes, upload, url
from tests.servers import celery_worker, wait_for

pytestmark = pytest.mark.worker

ROWS = services.CELERY_THRESHOLD + 500


@pytest.fixture
def worker(committed_world, media_root):
    # The worker reads the uploaded file from the same (temporary) media folder.
    with celery_worker("employees", MEDIA_ROOT=str(media_root)):
        yield


@pytest.fixture
def worker_company(committed_world):
    """A committed company of PTA A; removed afterwards with everything the import wrote."""
    w = committed_world
    with tenant_context(w.pta_a):
        company = Company.objects.create(org_number="923456783", name="Arbeider Import AS")
    yield company
    with tenant_context(w.pta_a):
        import_ids = list(EmployeeImport.objects.filter(company=company).values_list("pk", flat=True))
        Company.objects.filter(pk=company.pk).delete()  # cascades to employees and imports
        Employee.pgh_event_model.objects.filter(company_id=company.pk).delete()
        Company.pgh_event_model.objects.filter(pgh_obj_id=company.pk).delete()
        Context.objects.filter(metadata__import_id__in=import_ids).delete()


def test_large_import_runs_in_a_real_worker(worker, committed_world, worker_company):
    w, company = committed_world, worker_company
    rows = [
        [str(10000 + i), f"Fornavn{i}", f"Etternavn{i}", f"ansatt{i}@arbeider.no", f"9{i:07d}", "", "", ""]
        for i in range(ROWS)
    ]
    client = client_for(w.adviser_a)
    response = upload(client, company, csv_bytes(rows))
    assert response.status_code == 302
    with tenant_context(w.pta_a):
        employee_import = EmployeeImport.objects.get(company=company)
    assert (employee_import.status, employee_import.added) == ("previewed", ROWS)

    response = client.post(url("import_confirm", company.pk, employee_import.pk))
    progress = url("import_progress", company.pk, employee_import.pk)
    assert response["Location"] == progress
    partial = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-progress"' in partial and "<html" not in partial

    def finished():
        with tenant_context(w.pta_a):
            employee_import.refresh_from_db()
        return employee_import.is_finished

    wait_for(finished, timeout=90, what="the worker to finish the import")
    assert (employee_import.status, employee_import.added, employee_import.processed) == ("done", ROWS, ROWS)
    assert "hx-trigger" not in client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    with tenant_context(w.pta_a):
        assert Employee.objects.filter(company=company).count() == ROWS
        events = Employee.pgh_event_model.objects.filter(company_id=company.pk, pgh_label="insert")
        assert events.count() == ROWS
        assert events.first().pgh_context.metadata["import_id"] == employee_import.pk
    # PTA B's schema got nothing.
    with tenant_context(w.pta_b):
        assert not Employee.objects.filter(email__endswith="@arbeider.no").exists()
