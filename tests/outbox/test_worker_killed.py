"""The whole worker killed (SIGKILL) in the middle of a 20,000-row import, its
rows written but not committed, and started again: the import is picked up
(worker_ready → requeue_stale_imports) and finishes once, with no duplicates;
meanwhile the progress page showed the bar moving."""

from __future__ import annotations

import re
import time

import pytest
from django_tenants.utils import tenant_context

from core.imports import run_key
from core.models import OutboxMessage
from employees.models import Employee, EmployeeImport
from tests.base import client_for
from tests.employees.helpers import csv_bytes, upload, url
from tests.servers import wait_for

pytestmark = pytest.mark.worker

ROWS = 20_000


def test_import_survives_the_worker_being_killed_mid_import(stack, committed_world, outbox_company):
    w, company = committed_world, outbox_company
    stack.pause_imports_once()
    stack.worker.start()
    adviser = client_for(w.adviser_a)
    rows = [
        [str(10000 + i), f"Fornavn{i}", f"Etternavn{i}", f"ansatt{i}@utboks.no", "", "", "", ""] for i in range(ROWS)
    ]
    assert upload(adviser, company, csv_bytes(rows)).status_code == 302
    with tenant_context(w.pta_a):
        employee_import = EmployeeImport.objects.get(company=company)
    assert (employee_import.status, employee_import.added) == ("previewed", ROWS)
    progress = url("import_progress", company.pk, employee_import.pk)

    assert adviser.post(url("import_confirm", company.pk, employee_import.pk))["Location"] == progress
    wait_for(stack.pause_file.exists, timeout=120, what="the worker to write the rows and pause before committing")
    # The run's transaction is open: the row still says 0, the page shows what the run reported.
    with tenant_context(w.pta_a):
        employee_import.refresh_from_db()
        assert (employee_import.status, employee_import.processed) == ("running", 0)
        assert not Employee.objects.filter(company=company).exists()
    page = adviser.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'<progress id="import-progress-bar" max="100" value="90">', page)
    assert f"{ROWS} " in page  # rows checked so far, of ROWS

    stack.worker.kill()
    time.sleep(3)  # longer than IMPORT_STALE_AFTER (2 s) since the run's last sign of life
    with tenant_context(w.pta_a):
        employee_import.refresh_from_db()
        assert employee_import.status == "running"  # stuck: no worker will ever finish this run
        assert not Employee.objects.filter(company=company).exists()  # its transaction rolled back

    started = time.monotonic()
    stack.worker.start()

    def finished():
        with tenant_context(w.pta_a):
            employee_import.refresh_from_db()
        return employee_import.is_finished

    wait_for(finished, timeout=180, what="the restarted worker to finish the import")
    print(f"finished {time.monotonic() - started:.1f} s after the restart")
    assert (employee_import.status, employee_import.added, employee_import.processed) == ("done", ROWS, ROWS)
    with tenant_context(w.pta_a):
        assert Employee.objects.filter(company=company).count() == ROWS
        assert Employee.objects.filter(company=company).values("employee_number").distinct().count() == ROWS
        inserts = Employee.pgh_event_model.objects.filter(company_id=company.pk, pgh_label="insert")
        assert inserts.count() == ROWS  # the killed run's writes left no history either
        hand_offs = OutboxMessage.objects.filter(key=run_key(EmployeeImport, employee_import.pk)).order_by("pk")
        assert [row.sent_at is not None for row in hand_offs] == [True, True]  # confirmed, then re-queued
