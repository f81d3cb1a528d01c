"""Fulfilment by webhook, against a local HTTP receiver the test starts: signed requests (HMAC-SHA256
over the timestamp and the body, the PTA's key), retries of 5xx with the attempts recorded, a 4xx
given up, the same set sent once (and under the same Idempotency-Key when sent again on purpose),
a changed set under a new key, the hourly task, and a real Celery worker delivering."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tenants.utils import tenant_context

from config.celery import app as celery_app
from core.models import OutboxMessage
from tests.factories import CompanyFactory, EmployeeFactory, TicketTypeFactory
from tests.servers import celery_worker, free_port, wait_for
from tickets import fulfilment, services, services_fulfilment, tasks
from tickets.models import DeliveryState, EntitlementDelivery, FulfilmentSettings, Ticket

JUNE = date(2026, 6, 1)
KEY = "ab" * 32


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    """A ticket system's webhook: verifies each request's signature as a receiver would, records
    it, and answers with the next of `answers` (200 when they run out)."""

    key: str
    answers: deque[int] = field(default_factory=deque)
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    @property
    def keys(self) -> list[str]:
        return [request.headers["Idempotency-Key"] for request in self.requests]


@contextmanager
def receiver(key: str = KEY, answers: tuple[int, ...] = ()):
    state = Receiver(key=key, answers=deque(answers))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            verified = fulfilment.verify_signature(
                key=state.key,
                timestamp=self.headers.get("X-Signature-Timestamp"),
                body=body,
                signature=self.headers.get("X-Signature"),
            )
            with lock:
                state.requests.append(Received(dict(self.headers.items()), body, verified))
                status = state.answers.popleft() if state.answers else 200
            if not verified:
                status = 401
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else f"status {status}".encode())

        def log_message(self, *args):
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{port}/entitlements"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _use_webhook(url: str, key: str = KEY) -> FulfilmentSettings:
    config = services_fulfilment.fulfilment_settings()
    config.backend, config.webhook_url, config.signing_key = "webhook", url, key
    config.save()
    return config


def _tickets(company, n: int = 2) -> list[Ticket]:
    ticket_type = TicketTypeFactory(name="Tre soner", zones="1, 2, 3")
    made = [
        services.ticket_create(
            employee=EmployeeFactory(company=company), ticket_type=ticket_type, starts=JUNE, today=date(2026, 5, 1)
        )
        for _ in range(n)
    ]
    services.ticket_rollover(month=JUNE)
    return made


@pytest.fixture
def as_a_worker():
    """Eager Celery that retries as a worker does: a task's Retry runs it again at once (no
    backoff sleep) instead of propagating to the caller (the outbox's hand-over)."""
    old = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = old


@pytest.fixture
def hooked(world, as_a_worker, django_capture_on_commit_callbacks):
    """PTA A with two June tickets and its webhook pointed at a local receiver; a function that
    publishes June as beat would (the outbox hands the task over on commit; Celery is eager)."""
    with receiver() as hook, tenant_context(world.pta_a):
        _tickets(world.company_a1)
        _use_webhook(hook.url)

        def publish() -> EntitlementDelivery | None:
            with django_capture_on_commit_callbacks(execute=True):
                delivery = services_fulfilment.entitlements_publish(month=JUNE)
            if delivery is not None:
                delivery.refresh_from_db()
            return delivery

        yield hook, publish


def test_a_delivery_is_signed_with_the_ptas_key_and_carries_the_set(hooked):
    hook, publish = hooked
    delivery = publish()
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.count) == (DeliveryState.SENT, 1, 200, 2)
    assert delivery.sent_at is not None
    [request] = hook.requests
    assert request.verified
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == delivery.idempotency_key
    assert request.headers["X-Signature"] == fulfilment.sign(
        key=KEY, timestamp=request.headers["X-Signature-Timestamp"], body=request.body
    )
    document = json.loads(request.body)
    assert document["idempotency_key"] == delivery.idempotency_key
    assert (document["month"], document["count"], len(document["entitlements"])) == ("2026-06", 2, 2)
    assert request.body == services_fulfilment.month_document(month=JUNE)[2]


def test_a_tampered_body_an_old_timestamp_or_another_key_fails_verification(hooked):
    hook, publish = hooked
    publish()
    [request] = hook.requests
    timestamp, signature = request.headers["X-Signature-Timestamp"], request.headers["X-Signature"]
    good = {"key": KEY, "timestamp": timestamp, "body": request.body, "signature": signature}
    assert fulfilment.verify_signature(**good)
    assert abs(int(timestamp) - time.time()) < 60
    assert not fulfilment.verify_signature(**(good | {"body": request.body.replace(b"2026-06", b"2026-07")}))
    assert not fulfilment.verify_signature(**(good | {"key": "cd" * 32}))
    assert not fulfilment.verify_signature(**(good | {"now": int(timestamp) + 301}))  # older than 5 minutes
    assert fulfilment.verify_signature(**(good | {"now": int(timestamp) + 299}))
    assert not fulfilment.verify_signature(**(good | {"timestamp": str(int(timestamp) - 1)}))
    assert not fulfilment.verify_signature(**(good | {"signature": None}))
    assert not fulfilment.verify_signature(**(good | {"timestamp": "yesterday"}))


def test_a_receiver_answering_503_twice_gets_three_attempts_and_the_delivery_ends_sent(hooked):
    hook, publish = hooked
    hook.answers.extend([503, 503])
    delivery = publish()
    assert len(hook.requests) == 3 and all(request.verified for request in hook.requests)
    assert len(set(hook.keys)) == 1  # every attempt under the delivery's one key
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.SENT, 3, 200)


def test_a_receiver_that_stays_down_is_tried_until_the_last_retry_then_the_delivery_failed(hooked):
    hook, publish = hooked
    hook.answers.extend([503] * 20)
    delivery = publish()
    assert len(hook.requests) == 1 + tasks.deliver_entitlements.max_retries
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.FAILED, 9, 503)
    assert delivery.last_error.startswith("HTTP 503")


def test_429_and_no_answer_are_retried(world):
    with tenant_context(world.pta_a):
        _tickets(world.company_a1, n=1)
        with receiver(answers=(429,)) as hook:
            _use_webhook(hook.url)
            with transaction.atomic():
                delivery = services_fulfilment.entitlements_publish(month=JUNE)
            with pytest.raises(fulfilment.TemporaryFailure):
                services_fulfilment.entitlement_delivery_send(delivery_id=delivery.pk)
            delivery.refresh_from_db()
            assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.QUEUED, 1, 429)
        _use_webhook(f"http://127.0.0.1:{free_port()}/")  # nothing listens
        with pytest.raises(fulfilment.TemporaryFailure, match="No answer"):
            services_fulfilment.entitlement_delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.QUEUED, 2, None)
        # The task's last retry records the failure instead of raising.
        services_fulfilment.entitlement_delivery_send(delivery_id=delivery.pk, final=True)
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 3)


def test_a_400_is_a_permanent_failure_and_sent_again_on_purpose_under_the_same_key(hooked):
    hook, publish = hooked
    hook.answers.append(400)
    failed = publish()
    assert len(hook.requests) == 1
    assert (failed.state, failed.attempts, failed.last_status) == (DeliveryState.FAILED, 1, 400)
    assert failed.last_error == "HTTP 400: status 400"
    again = publish()  # the receiver is fixed; publishing again retries the failed delivery
    assert again.pk == failed.pk
    assert (again.state, again.attempts, again.last_status) == (DeliveryState.SENT, 2, 200)
    assert hook.keys == [failed.idempotency_key] * 2
    assert hook.requests[0].body == hook.requests[1].body  # the same set, byte for byte


def test_publishing_the_same_month_again_sends_nothing_new(hooked):
    hook, publish = hooked
    first = publish()
    out = io.StringIO()
    call_command("publish_entitlements", "--pta", "ptaa", "--month", "2026-06", stdout=out)
    assert out.getvalue().startswith(f"already sent: delivery={first.pk} month=2026-06 backend=webhook")
    assert publish().pk == first.pk
    assert len(hook.requests) == 1
    assert EntitlementDelivery.objects.count() == 1
    assert OutboxMessage.objects.filter(task_name=services_fulfilment.DELIVER_TASK).count() == 1


def test_a_changed_set_is_a_new_delivery_under_a_new_key(hooked, world):
    hook, publish = hooked
    first = publish()
    Ticket.objects.filter(pk=Ticket.objects.order_by("pk").first().pk).update(mobile="+4791234567")
    second = publish()
    assert second.pk != first.pk and second.idempotency_key != first.idempotency_key
    assert second.state == DeliveryState.SENT and hook.keys == [first.idempotency_key, second.idempotency_key]
    assert json.loads(hook.requests[1].body)["entitlements"][0]["mobile"] == "+4791234567"


def test_a_set_changed_while_queued_is_sent_as_it_is_under_its_own_key(world):
    with tenant_context(world.pta_a), receiver() as hook:
        tickets = _tickets(world.company_a1)
        _use_webhook(hook.url)
        with transaction.atomic():
            delivery = services_fulfilment.entitlements_publish(month=JUNE)  # queued, not yet sent
        queued_key = delivery.idempotency_key
        services.ticket_end(ticket=tickets[0], today=date(2026, 6, 5))  # still in June: the same set
        Ticket.objects.filter(pk=tickets[1].pk).update(zones="1")
        delivery = services_fulfilment.entitlement_delivery_send(delivery_id=delivery.pk)
        _entitlements, key, body = services_fulfilment.month_document(month=JUNE)
    assert delivery.state == DeliveryState.SENT and delivery.idempotency_key == key != queued_key
    assert delivery.last_error.startswith(f"The set changed since it was queued (key {queued_key[:12]})")
    assert hook.keys == [key] and hook.requests[0].body == body


def test_a_delivery_already_sent_is_not_sent_twice_by_a_second_run_of_the_task(hooked):
    hook, publish = hooked
    delivery = publish()
    tasks.deliver_entitlements.apply(args=[delivery.pk])
    assert len(hook.requests) == 1


def test_the_hourly_task_rolls_over_then_publishes_the_current_month(world, django_capture_on_commit_callbacks):
    with tenant_context(world.pta_a), receiver() as hook:
        ticket = services.ticket_create(
            employee=EmployeeFactory(company=world.company_a1),
            ticket_type=TicketTypeFactory(),
            starts=JUNE,
            today=date(2026, 5, 1),
        )
        _use_webhook(hook.url)
        with mock.patch("tickets.tasks.today", return_value=date(2026, 6, 1)):
            with django_capture_on_commit_callbacks(execute=True):
                delivery_id = tasks.publish_entitlements()
            with django_capture_on_commit_callbacks(execute=True):
                assert tasks.publish_entitlements() == delivery_id
        delivery = EntitlementDelivery.objects.get(pk=delivery_id)
    assert (delivery.month, delivery.count, delivery.state) == (JUNE, 1, DeliveryState.SENT)
    assert [e["ticket_id"] for e in json.loads(hook.requests[0].body)["entitlements"]] == [ticket.pk]
    assert len(hook.requests) == 1


# --- A real worker ------------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_delivers_to_the_receiver_with_retries(committed_world):
    w = committed_world
    with tenant_context(w.pta_a):
        previous = FulfilmentSettings.objects.filter(pk=1).first()
        company = CompanyFactory()
        tickets = _tickets(company)
    try:
        with receiver(answers=(503,)) as hook, celery_worker("fulfilment"), tenant_context(w.pta_a):
            _use_webhook(hook.url)
            delivery = services_fulfilment.entitlements_publish(month=JUNE)  # commits: the outbox hands it over

            def sent():
                delivery.refresh_from_db()
                return delivery.state == DeliveryState.SENT

            wait_for(sent, timeout=120, what="the worker to deliver the entitlements")
        assert (delivery.attempts, delivery.last_status) == (2, 200)
        assert len(hook.requests) == 2 and all(request.verified for request in hook.requests)
        assert hook.keys == [delivery.idempotency_key] * 2
        document = json.loads(hook.requests[-1].body)
        assert (document["pta"], document["idempotency_key"]) == (w.pta_a.slug, delivery.idempotency_key)
        ticket_ids = {e["ticket_id"] for e in document["entitlements"]}
        assert {ticket.pk for ticket in tickets} <= ticket_ids
    finally:
        with tenant_context(w.pta_a):
            EntitlementDelivery.objects.filter(month=JUNE).delete()
            OutboxMessage.objects.filter(task_name=services_fulfilment.DELIVER_TASK).delete()
            if previous is None:
                FulfilmentSettings.objects.filter(pk=1).delete()
            else:
                previous.save()
            company.delete()  # cascades to employees and tickets
            tickets[0].ticket_type.delete()
            Ticket.pgh_event_model.objects.filter(company_id=company.pk).delete()
            EmployeeFactory._meta.model.pgh_event_model.objects.filter(company_id=company.pk).delete()
            type(company).pgh_event_model.objects.filter(pgh_obj_id=company.pk).delete()
