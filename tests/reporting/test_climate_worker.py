"""A real Celery worker builds a climate report: queued through the outbox by the page's
service, made by the worker (progress on the row), stored as the company's document."""

from __future__ import annotations

import os

import pytest
from django_tenants.utils import tenant_context

from companies.models import Document
from config.celery import app
from employees.models import Employee
from reporting import services_climate as services
from reporting.models import ClimateReport, EmissionFactorOverride, ReportState
from tests.reporting.climate_helpers import FIVE, answer, known_factors, national_table
from tests.servers import python, start_process, stop_process, subprocess_env, wait_for
from tests.surveys.helpers import make_round

pytestmark = pytest.mark.worker


@pytest.fixture
def climate_worker(committed_world):
    """A worker on a queue of its own, with the climate task's module included (until
    reporting.tasks imports it, autodiscovery finds only reporting.tasks)."""
    queue = f"test-climate-{os.getpid()}"
    process, log = start_process(
        "celery-worker-climate",
        [
            python(),
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "-l",
            "info",
        ],
        subprocess_env(CELERY_QUEUE=queue, MILJODATA_BASE_URL=""),
    )
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield committed_world
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        stop_process(process)
        print(log.read_text()[-3000:])


def test_the_worker_builds_the_report(climate_worker):
    w = climate_worker
    national_table()
    with tenant_context(w.pta_a):
        overrides = known_factors()
        round_, invited = make_round(w.company_a1, employees=5)
        answer(round_, FIVE)
        employee_ids = [invitation.employee_id for invitation, _token in invited]
    report = None
    try:
        with tenant_context(w.pta_a):
            report = services.climate_report_request(
                company=w.company_a1, year=services.report_years()[0], by=w.contact_a1.user
            )
            assert report.state == ReportState.QUEUED
            wait_for(
                lambda: ClimateReport.objects.get(pk=report.pk).state in (ReportState.DONE, ReportState.FAILED),
                timeout=120,
                what="the worker to build the climate report",
            )
            done = ClimateReport.objects.select_related("document").get(pk=report.pk)
            assert done.state == ReportState.DONE, done.error
            assert done.progress == 100
            assert done.figures["totals"]["kg_per_employee"] == "292.9"
            with done.document.file.open("rb") as handle:
                assert handle.read(5) == b"%PDF-"
            # Run again (a redelivery): left as it is.
            again = services.climate_report_build(report_id=report.pk)
            assert again.document_id == done.document_id and again.finished_at == done.finished_at
    finally:
        with tenant_context(w.pta_a):
            if report is not None:
                row = ClimateReport.objects.filter(pk=report.pk).select_related("document").first()
                if row is not None and row.document is not None:
                    storage, name = row.document.file.storage, row.document.file.name
                    Document.objects.filter(pk=row.document_id).delete()
                    storage.delete(name)
                ClimateReport.objects.filter(pk=report.pk).delete()
            round_.delete()
            Employee.objects.filter(pk__in=employee_ids).delete()
            EmissionFactorOverride.objects.filter(pk__in=[o.pk for o in overrides]).delete()
