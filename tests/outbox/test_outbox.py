"""The outbox in one process: rows commit with the change, are handed over on
commit or by the relay, at most once per pass, in the schema they were
written in; a broker that is down never fails the request."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies import services
from companies.models import Message, MessageThread
from core import outbox
from core.models import OutboxMessage
from tests.base import client_for
from tests.outbox.conftest import celery_app_on
from tests.worker_tasks import rename_company

DOWN_BROKER = "redis+socket:///nonexistent/outbox-test-redis.sock"


def _thread(world) -> MessageThread:
    with tenant_context(world.pta_a):
        return MessageThread.objects.create(company=world.company_a1, subject="Sykkelparkering")


def test_a_reply_commits_its_notification_as_an_outbox_row_handed_over_on_commit(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    thread = _thread(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(world.adviser_a).post(
            f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/", {"body": "Stativene kommer i mai."}
        )
    assert response.status_code == 302
    assert "send_message_notifications" in repr(callbacks[0])
    with tenant_context(world.pta_a):
        message = Message.objects.get(thread=thread)
        row = OutboxMessage.objects.get()
        assert (row.task_name, row.args, row.key) == (
            "companies.tasks.send_message_notifications",
            [message.pk],
            f"companies.message:{message.pk}",
        )
        assert row.sent_at is not None and row.attempts == 1
    assert [mail.to for mail in mailoutbox] == [["kontakt1@a.test.no"]]


def test_a_rolled_back_change_leaves_no_outbox_row_and_sends_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    thread = _thread(world)
    with tenant_context(world.pta_a), django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.message_post(thread=thread, body="Angret", author=world.adviser_a.user, from_staff=True)
            raise RuntimeError("the change fails after the message was saved")
        assert not Message.objects.filter(thread=thread).exists()
        assert not OutboxMessage.objects.exists()
    assert mailoutbox == []


def test_broker_down_the_reply_is_saved_and_its_row_waits_for_the_relay(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    thread = _thread(world)
    with celery_app_on(DOWN_BROKER), django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.adviser_a).post(
            f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/", {"body": "Redis er nede."}
        )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        assert Message.objects.filter(thread=thread).exists()
        row = outbox.pending().get()
        assert row.attempts == 1 and row.last_error.startswith("OperationalError")
        # The broker is back (eager in tests): the relay hands it over, once.
        assert outbox.relay() == 1
        assert outbox.relay() == 0
        row.refresh_from_db()
        assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
    assert [mail.to for mail in mailoutbox] == [["kontakt1@a.test.no"]]


def test_enqueue_outside_a_transaction_is_refused(committed_world):
    with tenant_context(committed_world.pta_a):
        before = OutboxMessage.objects.count()  # committed tests before this one may have left rows
        with pytest.raises(RuntimeError, match="inside the transaction"):
            outbox.enqueue(task=rename_company, args=[1, "x"])
        assert OutboxMessage.objects.count() == before


def test_each_row_is_queued_in_the_schema_it_was_written_in_with_its_own_task_id(world, monkeypatch):
    sent = []
    monkeypatch.setattr(rename_company, "apply_async", lambda **options: sent.append(options))
    rows = {}
    for pta in (world.pta_a, world.pta_b):
        with tenant_context(pta):
            with transaction.atomic():
                rows[pta.schema_name] = outbox.enqueue(task=rename_company, args=[1, "Navn"])
            outbox.relay()
    assert [(o["headers"]["_schema_name"], o["task_id"], o["args"]) for o in sent] == [
        ("ptaa", str(rows["ptaa"].task_id), [1, "Navn"]),
        ("ptab", str(rows["ptab"].task_id), [1, "Navn"]),
    ]


def test_a_row_another_pass_holds_is_skipped_and_sent_by_the_next_pass(committed_world, monkeypatch):
    """SELECT ... FOR UPDATE SKIP LOCKED: each row at most once per relay pass."""
    w = committed_world
    sent = []
    monkeypatch.setattr(rename_company, "apply_async", lambda **options: sent.append(options["args"]))
    with tenant_context(w.pta_a):
        first, second = (OutboxMessage.objects.create(task_name=rename_company.name, args=[n]) for n in (1, 2))
    locked, release = threading.Event(), threading.Event()

    def another_pass() -> None:
        with tenant_context(w.pta_a), transaction.atomic():
            OutboxMessage.objects.select_for_update().get(pk=first.pk)
            locked.set()
            release.wait(20)
        connection.close()

    holder = threading.Thread(target=another_pass)
    holder.start()
    try:
        assert locked.wait(20)
        with tenant_context(w.pta_a):
            assert outbox.relay() == 1
            assert sent == [[2]]
            assert list(outbox.pending().values_list("pk", flat=True)) == [first.pk]
        release.set()
        holder.join(20)
        with tenant_context(w.pta_a):
            assert outbox.relay() == 1
            assert outbox.relay() == 0
        assert sent == [[2], [1]]
    finally:
        release.set()
        holder.join(20)
        with tenant_context(w.pta_a):
            OutboxMessage.objects.filter(pk__in=[first.pk, second.pk]).delete()


def test_a_failing_row_does_not_hold_up_the_others(world, monkeypatch):
    def apply_async(**options):
        if options["args"] == [1]:
            raise ValueError("cannot serialise this")
        sent.append(options["args"])

    sent = []
    monkeypatch.setattr(rename_company, "apply_async", apply_async)
    with tenant_context(world.pta_a):
        bad, good = (OutboxMessage.objects.create(task_name=rename_company.name, args=[n]) for n in (1, 2))
        assert outbox.relay() == 1
        bad.refresh_from_db()
        assert (bad.sent_at, bad.attempts, bad.last_error) == (None, 1, "ValueError: cannot serialise this")
    assert sent == [[2]]


def test_the_relay_stops_when_the_broker_is_down(world):
    with tenant_context(world.pta_a):
        rows = [OutboxMessage.objects.create(task_name=rename_company.name, args=[n, "x"]) for n in (1, 2)]
        with celery_app_on(DOWN_BROKER):
            assert outbox.relay() == 0
        # The first failure ends the pass; the rest waits for the next one.
        assert [r.attempts for r in OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")] == [
            1,
            0,
        ]


def test_rows_handed_over_a_week_ago_are_deleted_by_the_relay(world):
    with tenant_context(world.pta_a):
        old = OutboxMessage.objects.create(task_name="x", sent_at=timezone.now() - timedelta(days=8))
        recent = OutboxMessage.objects.create(task_name="x", sent_at=timezone.now() - timedelta(days=1))
        outbox.relay()
        assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]
        assert old.pk != recent.pk


def test_a_row_committed_outside_its_tenant_context_is_left_to_the_relay(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(rename_company, "apply_async", lambda **options: sent.append(options["headers"]))
    # The tenant context is left before the commit (the wrong way round).
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.pta_a):
        row = outbox.enqueue(task=rename_company, args=[1, "x"])
    # The commit ran in the public schema: nothing was handed over from there.
    assert sent == []
    with tenant_context(world.pta_a):
        assert outbox.relay() == 1
        row.refresh_from_db()
        assert row.sent_at is not None
    assert sent == [{"_schema_name": "ptaa"}]
