"""A running import reports its progress through the cache (its own row is
written inside one transaction, invisible until it commits), and the
progress page shows it."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import Company, Department, Location
from core import imports
from employees import services
from employees.models import EmployeeImport
from tests.base import client_for
from tests.employees.helpers import ROWS, csv_bytes, upload, url


@pytest.fixture
def reports(monkeypatch) -> list[tuple[int, int, int]]:
    """What the runs report: (percent, processed, total), still reported to the cache."""
    seen = []
    report = imports.report_progress

    def recording(import_row, *, percent, processed=0, total=0):
        seen.append((percent, processed, total))
        report(import_row, percent=percent, processed=processed, total=total)

    monkeypatch.setattr(imports, "report_progress", recording)
    return seen


@pytest.fixture
def company(world):
    """A company of PTA A with the location and department the rows name."""
    with tenant_context(world.pta_a):
        company = Company.objects.create(org_number="986105174", name="Delta Data AS")
        Location.objects.create(company=company, name="Hovedkontor")
        Department.objects.create(company=company, name="Salg")
    return company


def _progress_bar(page: str) -> int:
    return int(re.search(r'<progress id="import-progress-bar" max="100" value="(\d+)">', page).group(1))


def test_the_employee_import_reports_when_it_starts_has_its_plan_and_has_written(
    world, company, outbox_media_root, reports
):
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        employee_import = EmployeeImport.objects.get()
        done = services.employee_import_confirm(employee_import=employee_import, run_now=True)
    assert done.status == "done"
    assert reports == [(0, 0, 3), (50, 3, 3), (90, 3, 3)]


def test_the_progress_page_shows_what_the_run_reported(world, company, outbox_media_root):
    client = client_for(world.adviser_a)
    with tenant_context(world.pta_a):
        running = EmployeeImport.objects.create(
            company=company, original_name="ansatte.csv", status="running", total=20000
        )
        running.started_at = timezone.now()
        running.save()
        imports.report_progress(running, percent=50, processed=20000, total=20000)
    progress = url("import_progress", company.pk, running.pk)
    page = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert _progress_bar(page) == 50
    assert "20000 av 20000" in page

    # A report of an earlier run of the same import (its worker died) is not shown.
    with tenant_context(world.pta_a):
        EmployeeImport.objects.filter(pk=running.pk).update(started_at=timezone.now())
    page = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert _progress_bar(page) == 0


def test_with_the_cache_down_an_import_still_runs_and_the_page_shows_the_row(
    world, company, outbox_media_root, settings
):
    settings.CACHES = {
        "default": {**django_settings.CACHES["default"], "LOCATION": "unix:///nonexistent/outbox-test-cache.sock"}
    }
    client = client_for(world.adviser_a)
    upload(client, company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        employee_import = EmployeeImport.objects.get()
        assert services.employee_import_confirm(employee_import=employee_import, run_now=True).status == "done"
        EmployeeImport.objects.filter(pk=employee_import.pk).update(status="running", started_at=timezone.now())
        employee_import.refresh_from_db()
        assert imports.with_live_progress(employee_import).percent == 100  # the row's own counts
