"""The month roll-over's ways in: manage.py ticket_rollover (--pta, --month, --dry-run) and the hourly
beat task fanned out per PTA, which rolls over into the current month in Oslo."""

from __future__ import annotations

import io
from datetime import date
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from tests.factories import EmployeeFactory, TicketTypeFactory
from tickets import services, tasks
from tickets.models import Ticket, TicketState


def _pending(world, company=None) -> Ticket:
    with tenant_context(world.pta_a):
        return services.ticket_create(
            employee=EmployeeFactory(company=company or world.company_a1),
            ticket_type=TicketTypeFactory(),
            starts=date(2026, 6, 1),
            today=date(2026, 5, 2),
        )


def _rollover(*args: str) -> str:
    out = io.StringIO()
    call_command("ticket_rollover", *args, stdout=out)
    return out.getvalue().strip()


def _state(world, ticket) -> str:
    with tenant_context(world.pta_a):
        return Ticket.objects.get(pk=ticket.pk).state


def test_the_command_prints_the_counts_and_a_second_run_prints_zeros(world):
    ticket = _pending(world)
    assert _rollover("--pta", "ptaa", "--month", "2026-06") == "activated=1 paused=0 ended=0"
    assert _state(world, ticket) == TicketState.ACTIVE
    assert _rollover("--pta", "ptaa", "--month", "2026-06") == "activated=0 paused=0 ended=0"


def test_a_dry_run_counts_and_writes_nothing(world):
    ticket = _pending(world)
    assert _rollover("--pta", "ptaa", "--month", "2026-06", "--dry-run") == "activated=1 paused=0 ended=0"
    assert _state(world, ticket) == TicketState.PENDING


def test_the_command_touches_only_its_own_pta(world):
    ticket = _pending(world)
    assert _rollover("--pta", "ptab", "--month", "2026-06") == "activated=0 paused=0 ended=0"
    assert _state(world, ticket) == TicketState.PENDING


@pytest.mark.parametrize("args", [("--pta", "nope", "--month", "2026-06"), ("--pta", "ptaa", "--month", "juni")])
def test_the_command_refuses_an_unknown_pta_or_a_wrong_month(world, args):
    with pytest.raises(CommandError):
        _rollover(*args)


def test_beat_rolls_over_every_hour_in_every_pta():
    entry = settings.CELERY_BEAT_SCHEDULE["rollover-tickets"]
    assert entry["task"] == "tenants.tasks.dispatch_to_tenants"
    assert entry["args"] == ("tickets.tasks.rollover_tickets",)
    assert entry["schedule"] <= 60 * 60


def test_the_task_rolls_over_into_the_current_month_in_oslo(world):
    ticket = _pending(world)
    with tenant_context(world.pta_a), mock.patch("tickets.tasks.today", return_value=date(2026, 6, 1)):
        assert tasks.rollover_tickets() == {"activated": 1, "paused": 0, "ended": 0}
        assert tasks.rollover_tickets() == {"activated": 0, "paused": 0, "ended": 0}
    assert _state(world, ticket) == TicketState.ACTIVE
