"""Fulfilment: a month's entitlements (who, on which number, which ticket, from and to), the CSV and
JSON files and manage.py export_entitlements, the idempotency key, the backends' setting, and
publishing with the export backend (files only: nothing recorded)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from tests.factories import EmployeeFactory, TicketTypeFactory
from tickets import fulfilment, services, services_fulfilment, tasks
from tickets.models import EntitlementDelivery, FulfilmentSettings, Ticket

JUNE = date(2026, 6, 1)


def _ticket(company, ticket_type, *, starts=JUNE, **employee) -> Ticket:
    return services.ticket_create(
        employee=EmployeeFactory(company=company, **employee),
        ticket_type=ticket_type,
        starts=starts,
        today=date(2026, 5, 1),
    )


@pytest.fixture
def june(world):
    """PTA A in June 2026: two active tickets (one with its own mobile number, one of an employee
    without an employee number), one in its last month, one paused (leave all June), one pending
    (starts in August), one cancelled; PTA B: one active ticket."""
    with tenant_context(world.pta_a):
        three = TicketTypeFactory(name="Tre soner", zones="1, 2, 3")
        made = {
            "active": _ticket(world.company_a1, three, mobile="+4790000001", employee_number="A-1"),
            "own_mobile": _ticket(world.company_a1, three, mobile="+4790000002", employee_number="A-2"),
            "no_number": _ticket(world.company_a2, three, mobile="+4790000003", employee_number=""),
            "last_month": _ticket(world.company_a1, three, employee_number="A-4"),
            "paused": _ticket(world.company_a1, three, employee_number="A-5", leave_from=date(2026, 5, 20)),
            "pending": _ticket(world.company_a1, three, starts=date(2026, 8, 1)),
            "cancelled": _ticket(world.company_a1, three, starts=date(2026, 8, 1)),
        }
        Ticket.objects.filter(pk=made["own_mobile"].pk).update(mobile="+4791234567")
        services.ticket_cancel(ticket=made["cancelled"])
        services.ticket_rollover(month=JUNE)
        services.ticket_end(ticket=made["last_month"], today=date(2026, 6, 10))
    with tenant_context(world.pta_b):
        _ticket(world.company_b1, TicketTypeFactory(name="Tre soner"))
        services.ticket_rollover(month=JUNE)
    return made


def test_the_set_is_the_running_tickets_not_paused_pending_cancelled_or_another_ptas(world, june):
    with tenant_context(world.pta_a):
        entitlements = fulfilment.entitlements_for(month=date(2026, 6, 17))
    assert [e.ticket_id for e in entitlements] == sorted(
        june[name].pk for name in ("active", "own_mobile", "no_number", "last_month")
    )
    first = entitlements[0]
    assert first == fulfilment.Entitlement(
        employee_reference="A-1",
        mobile="+4790000001",
        product="Tre soner",
        zones="1, 2, 3",
        valid_from=JUNE,
        valid_to=date(2026, 6, 30),
        ticket_id=june["active"].pk,
    )
    by_ticket = {e.ticket_id: e for e in entitlements}
    assert by_ticket[june["own_mobile"].pk].mobile == "+4791234567"  # the ticket's own, not the employee's
    no_number = june["no_number"]
    assert by_ticket[no_number.pk].employee_reference == f"employee-{no_number.employee_id}"


def test_a_ticket_in_its_last_month_is_in_that_month_and_not_the_next(world, june):
    with tenant_context(world.pta_a):
        services.ticket_rollover(month=date(2026, 7, 1))
        assert Ticket.objects.get(pk=june["last_month"].pk).state == "ended"
        in_june = {e.ticket_id for e in fulfilment.entitlements_for(month=JUNE)}
        in_july = {e.ticket_id for e in fulfilment.entitlements_for(month=date(2026, 7, 1))}
    assert june["last_month"].pk in in_june and june["last_month"].pk not in in_july
    assert june["paused"].pk not in in_june


def _selects(world, month: date) -> int:
    """The statements that read the set (leaving out the tenant's SET search_path)."""
    with tenant_context(world.pta_a), CaptureQueriesContext(connection) as context:
        fulfilment.entitlements_for(month=month)
    return sum(1 for query in context.captured_queries if not query["sql"].startswith("SET "))


def test_the_set_is_one_query_however_many_tickets(world, june):
    assert _selects(world, JUNE) == 1
    with tenant_context(world.pta_a):
        for _ in range(5):
            _ticket(world.company_a1, TicketTypeFactory())
        services.ticket_rollover(month=JUNE)
        assert len(fulfilment.entitlements_for(month=JUNE)) == 9
    assert _selects(world, JUNE) == 1


def test_the_same_set_has_the_same_key_and_a_changed_set_a_new_one(world, june):
    with tenant_context(world.pta_a):
        entitlements = fulfilment.entitlements_for(month=JUNE)
        key = fulfilment.idempotency_key(schema="ptaa", month=JUNE, entitlements=entitlements)
        assert key == fulfilment.idempotency_key(schema="ptaa", month=JUNE, entitlements=entitlements[::-1])
        assert len(key) == 64 and int(key, 16) >= 0
        assert key != fulfilment.idempotency_key(schema="ptab", month=JUNE, entitlements=entitlements)
        assert key != fulfilment.idempotency_key(schema="ptaa", month=date(2026, 7, 1), entitlements=entitlements)
        assert key != fulfilment.idempotency_key(schema="ptaa", month=JUNE, entitlements=entitlements[1:])
        Ticket.objects.filter(pk=june["active"].pk).update(zones="1, 2")
        changed = fulfilment.entitlements_for(month=JUNE)
        assert key != fulfilment.idempotency_key(schema="ptaa", month=JUNE, entitlements=changed)


def test_the_csv_is_utf8_with_bom_semicolons_a_header_and_iso_dates(world, june):
    with tenant_context(world.pta_a):
        Ticket.objects.filter(pk=june["active"].pk).update(zones="=Sone 1")
        content = fulfilment.entitlements_csv(fulfilment.entitlements_for(month=JUNE))
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content[3:].decode("utf-8")), delimiter=";"))
    assert rows[0] == ["employee_reference", "mobile", "product", "zones", "valid_from", "valid_to", "ticket_id"]
    assert rows[1] == [
        "A-1",
        "+4790000001",
        "Tre soner",
        "'=Sone 1",
        "2026-06-01",
        "2026-06-30",
        str(june["active"].pk),
    ]
    assert len(rows) == 5


def test_the_json_has_the_pta_month_key_count_and_entitlements(world, june):
    with tenant_context(world.pta_a):
        entitlements, key, body = services_fulfilment.month_document(month=JUNE)
        assert (entitlements, key, body) == services_fulfilment.month_document(month=JUNE)  # the same bytes
    document = json.loads(body)
    assert document["pta"] == world.pta_a.slug and document["month"] == "2026-06"
    assert document["idempotency_key"] == key and document["count"] == 4 == len(document["entitlements"])
    assert document["entitlements"][0] == {
        "employee_reference": "A-1",
        "mobile": "+4790000001",
        "product": "Tre soner",
        "zones": "1, 2, 3",
        "valid_from": "2026-06-01",
        "valid_to": "2026-06-30",
        "ticket_id": june["active"].pk,
    }


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_entitlements", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_command_writes_the_file_and_prints_a_summary(world, june, tmp_path, fmt):
    path = tmp_path / f"rettigheter.{fmt}"
    line = _export("--pta", world.pta_a.slug, "--month", "2026-06", "--format", fmt, "--out", str(path))
    with tenant_context(world.pta_a):
        entitlements, key, body = services_fulfilment.month_document(month=JUNE)
        expected = fulfilment.entitlements_csv(entitlements) if fmt == "csv" else body
        assert not EntitlementDelivery.objects.exists()  # an export records nothing
    assert path.read_bytes() == expected
    assert line == f"entitlements=4 month=2026-06 key={key[:12]} out={path}"


@pytest.mark.parametrize(
    ("option", "value"), [("--month", "juni"), ("--month", "2026-13"), ("--format", "xml")], ids=str
)
def test_the_command_refuses_a_bad_month_or_format_naming_it(world, tmp_path, option, value):
    args = {"--pta": world.pta_a.slug, "--month": "2026-06", "--format": "csv", "--out": str(tmp_path / "x")}
    args[option] = value
    with pytest.raises(CommandError, match=f"'{value}'"):
        _export(*(item for pair in args.items() for item in pair))
    assert not (tmp_path / "x").exists()


def test_publishing_with_the_export_backend_records_and_queues_nothing(world, june):
    out = io.StringIO()
    call_command("publish_entitlements", "--pta", world.pta_a.slug, "--month", "2026-06", stdout=out)
    assert out.getvalue().startswith("files only")
    with tenant_context(world.pta_a):
        assert FulfilmentSettings.objects.get().backend == "export"
        assert services_fulfilment.entitlements_publish(month=JUNE) is None
        assert not EntitlementDelivery.objects.exists()
        assert not OutboxMessage.objects.filter(task_name=services_fulfilment.DELIVER_TASK).exists()


def test_the_backends_come_from_the_setting_and_an_unknown_one_is_named(world):
    with tenant_context(world.pta_a):
        config = services_fulfilment.fulfilment_settings()
        assert len(config.signing_key) == 64
        assert isinstance(fulfilment.backend_for("webhook", config=config), fulfilment.WebhookBackend)
        assert isinstance(fulfilment.backend_for("export", config=config), fulfilment.ExportOnlyBackend)
        with pytest.raises(ImproperlyConfigured, match="'entur'"):
            fulfilment.backend_for("entur", config=config)
        config.backend = "entur"
        config.save()
    with pytest.raises(CommandError, match="'entur'"):
        call_command("publish_entitlements", "--pta", world.pta_a.slug, "--month", "2026-06", stdout=io.StringIO())


def test_the_delivery_task_is_the_one_queued_and_retries_with_backoff():
    task = tasks.deliver_entitlements
    assert task.name == services_fulfilment.DELIVER_TASK
    assert task.autoretry_for == (fulfilment.TemporaryFailure,)
    assert (task.retry_backoff, task.retry_backoff_max, task.retry_jitter, task.max_retries) == (True, 3600, True, 8)


def test_beat_publishes_every_hour_in_every_pta():
    entry = settings.CELERY_BEAT_SCHEDULE["publish-entitlements"]
    assert entry["task"] == "tenants.tasks.dispatch_to_tenants"
    assert entry["args"] == ("tickets.tasks.publish_entitlements",)
    assert entry["schedule"] <= 60 * 60
    assert tasks.publish_entitlements.name == entry["args"][0]
