"""Redis stopped while a reply is posted and an import is confirmed: no 500,
both committed with their outbox rows, and once Redis is back the relay
hands both to a real worker, which sends the mail once and runs the import."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from companies.models import Message, MessageThread
from core.imports import run_key
from core.models import OutboxMessage
from employees import services as employee_services
from employees.models import Employee, EmployeeImport
from tenants.tasks import dispatch_to_tenants
from tests.base import client_for
from tests.employees.helpers import csv_bytes, upload, url
from tests.servers import wait_for

pytestmark = pytest.mark.worker

ROWS = employee_services.CELERY_THRESHOLD + 500


def beat_tick(entry: str) -> None:
    """What beat does for one of its entries."""
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]
    assert schedule["task"] == dispatch_to_tenants.name
    dispatch_to_tenants.delay(*schedule["args"])


def test_redis_down_delays_a_reply_and_an_import_and_loses_neither(stack, committed_world, outbox_company):
    w, company = committed_world, outbox_company
    stack.worker.start()
    adviser = client_for(w.adviser_a)
    with tenant_context(w.pta_a):
        thread = MessageThread.objects.create(company=company, subject="Billetter til sommeren")
    rows = [
        [str(5000 + i), f"Fornavn{i}", f"Etternavn{i}", f"ansatt{i}@utboks.no", "", "", "", ""] for i in range(ROWS)
    ]
    assert upload(adviser, company, csv_bytes(rows)).status_code == 302
    with tenant_context(w.pta_a):
        employee_import = EmployeeImport.objects.get(company=company)
    assert employee_import.status == "previewed"

    stack.redis.stop()  # broker and cache, for this process and the worker
    started = time.monotonic()
    response = adviser.post(f"/bedrifter/{company.pk}/meldinger/{thread.pk}/", {"body": "Billettene er sendt."})
    assert response.status_code == 302
    response = adviser.post(url("import_confirm", company.pk, employee_import.pk))
    assert response.status_code == 302
    assert response["Location"] == url("import_progress", company.pk, employee_import.pk)
    assert adviser.get(response["Location"], HTTP_HX_REQUEST="true").status_code == 200
    assert time.monotonic() - started < 10  # each hand-off gives up quickly

    with tenant_context(w.pta_a):
        message = Message.objects.get(thread=thread)
        employee_import.refresh_from_db()
        assert employee_import.status == "queued"
        waiting = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk")
        assert [(row.task_name, row.args) for row in waiting] == [
            ("companies.tasks.send_message_notifications", [message.pk]),
            ("employees.tasks.run_employee_import", [employee_import.pk]),
        ]
        assert all(row.attempts == 1 and "OperationalError" in row.last_error for row in waiting)
    time.sleep(2)
    assert stack.smtp.messages == []

    stack.redis.start()  # empty: nothing was kept in Redis
    beat_tick("relay-outbox")

    def import_finished():
        with tenant_context(w.pta_a):
            employee_import.refresh_from_db()
        return employee_import.is_finished

    wait_for(lambda: stack.smtp.messages, timeout=90, what="the reply's notification")
    wait_for(import_finished, timeout=120, what="the import to run")
    assert (employee_import.status, employee_import.added) == ("done", ROWS)
    with tenant_context(w.pta_a):
        assert Employee.objects.filter(company=company).count() == ROWS
        handed_over = OutboxMessage.objects.filter(
            key__in=[f"companies.message:{message.pk}", run_key(EmployeeImport, employee_import.pk)]
        )
        assert [(row.attempts, row.sent_at is not None) for row in handed_over] == [(2, True), (2, True)]

    # Another relay pass hands nothing over again: still one mail.
    beat_tick("relay-outbox")
    time.sleep(3)
    assert len(stack.smtp.messages) == 1
    mail = stack.smtp.messages[0]
    assert mail["To"] == w.contact_a1.user.email
    assert mail["Message-ID"] == f"<message.{message.pk}.{w.contact_a1.user.pk}.ptaa@bedriftsmobilitet.no>"
