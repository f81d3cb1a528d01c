"""Imports stuck queued (their message was lost) or running (their worker
died) are handed to the worker again by core.imports.requeue_stale; live
runs and fresh hand-offs are left alone."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import CompanyImport
from companies.tasks import run_company_import
from core import imports
from core.imports import ImportStatus, run_key
from core.models import OutboxMessage
from employees.models import EmployeeImport
from employees.tasks import run_employee_import

STALE = timedelta(minutes=5)
LONG_AGO = timezone.now() - timedelta(hours=1)


@pytest.fixture
def in_pta_a(world):
    with tenant_context(world.pta_a):
        yield world


def _import(world, status: str, *, started_at=None) -> EmployeeImport:
    return EmployeeImport.objects.create(
        company=world.company_a1, original_name="ansatte.csv", status=status, total=5000, started_at=started_at
    )


def _hand_off(import_row, *, sent_at) -> OutboxMessage:
    return OutboxMessage.objects.create(
        task_name=run_employee_import.name,
        args=[import_row.pk],
        key=run_key(EmployeeImport, import_row.pk),
        created_at=LONG_AGO,
        sent_at=sent_at,
    )


def _hand_offs(import_row) -> list[tuple[str, list]]:
    rows = OutboxMessage.objects.filter(key=run_key(type(import_row), import_row.pk), sent_at__isnull=True)
    return [(row.task_name, row.args) for row in rows]


def test_every_import_that_runs_in_the_worker_names_its_task():
    assert {model: model.run_task for model in imports.import_models()} == {
        EmployeeImport: run_employee_import.name,
        CompanyImport: run_company_import.name,
    }


def test_a_queued_import_whose_message_was_lost_is_queued_again(in_pta_a):
    lost = _import(in_pta_a, ImportStatus.QUEUED)
    _hand_off(lost, sent_at=LONG_AGO)
    assert imports.requeue_stale(stale_after=STALE) == 1
    lost.refresh_from_db()
    assert lost.status == ImportStatus.QUEUED
    assert _hand_offs(lost) == [(run_employee_import.name, [lost.pk])]
    # The new hand-off is recent: the next sweep leaves it alone.
    assert imports.requeue_stale(stale_after=STALE) == 0


def test_a_queued_import_with_a_recent_or_unsent_hand_off_is_left_to_it(in_pta_a):
    recent = _import(in_pta_a, ImportStatus.QUEUED)
    _hand_off(recent, sent_at=timezone.now() - timedelta(minutes=1))
    waiting = _import(in_pta_a, ImportStatus.QUEUED)
    _hand_off(waiting, sent_at=None)  # Redis is down: the relay will hand it over
    assert imports.requeue_stale(stale_after=STALE) == 0


def test_a_running_import_whose_worker_died_goes_back_to_queued_and_to_the_worker(in_pta_a):
    dead = _import(in_pta_a, ImportStatus.RUNNING, started_at=LONG_AGO)
    _hand_off(dead, sent_at=LONG_AGO)
    assert imports.requeue_stale(stale_after=STALE) == 1
    dead.refresh_from_db()
    assert (dead.status, dead.processed) == (ImportStatus.QUEUED, 0)
    assert _hand_offs(dead) == [(run_employee_import.name, [dead.pk])]


def test_a_run_that_started_recently_or_reported_progress_recently_is_alive(in_pta_a):
    _import(in_pta_a, ImportStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=1))
    reading = _import(in_pta_a, ImportStatus.RUNNING, started_at=LONG_AGO)
    imports.report_progress(reading, percent=10, processed=1000, total=5000)  # reading its file, unlocked
    assert imports.requeue_stale(stale_after=STALE) == 0


def test_finished_and_unconfirmed_imports_are_left_alone(in_pta_a):
    for status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.DONE, ImportStatus.FAILED):
        _import(in_pta_a, status, started_at=LONG_AGO)
    assert imports.requeue_stale(stale_after=STALE) == 0


def test_a_run_holding_its_rows_lock_is_alive_however_long_it_runs(committed_world):
    w = committed_world
    with tenant_context(w.pta_a):
        running = _import(w, ImportStatus.RUNNING, started_at=LONG_AGO)
    locked, release = threading.Event(), threading.Event()

    def live_run() -> None:
        with tenant_context(w.pta_a), transaction.atomic():
            EmployeeImport.objects.select_for_update().get(pk=running.pk)
            locked.set()
            release.wait(20)
        connection.close()

    run = threading.Thread(target=live_run)
    run.start()
    try:
        assert locked.wait(20)
        with tenant_context(w.pta_a):
            assert imports.requeue_stale(stale_after=STALE) == 0
        release.set()
        run.join(20)
        with tenant_context(w.pta_a):
            # The run ended without finishing the import (its worker died): now it is stale.
            assert imports.requeue_stale(stale_after=STALE) == 1
    finally:
        release.set()
        run.join(20)
        with tenant_context(w.pta_a):
            OutboxMessage.objects.filter(key=run_key(EmployeeImport, running.pk)).delete()
            EmployeeImport.objects.filter(pk=running.pk).delete()
