"""A corporate ticket's life: created pending for a coming month, activated at
the month roll-over, paused for months of leave, ended after the month of
leaving or its last month; cancelled before it starts. The roll-over is
set-based (its query count does not grow with the tickets), idempotent, and
recorded in the history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from employees.models import EmployeeStatus
from tests.factories import EmployeeFactory, TicketTypeFactory
from tickets import rules, services
from tickets.models import Ticket, TicketState

TODAY = date(2026, 5, 14)
JUNE, JULY, AUGUST, SEPTEMBER = date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)


@pytest.fixture
def in_a(world):
    with tenant_context(world.pta_a):
        yield world


def _ticket(company, *, starts=JUNE, **employee):
    person = EmployeeFactory(company=company, **employee)
    return services.ticket_create(employee=person, ticket_type=TicketTypeFactory(), starts=starts, today=TODAY)


def _state(ticket) -> str:
    ticket.refresh_from_db()
    return ticket.state


def test_a_new_ticket_is_pending_from_the_first_of_a_coming_month(in_a):
    ticket = _ticket(in_a.company_a1, starts=date(2026, 6, 17))
    assert (ticket.state, ticket.starts, ticket.company_id) == (TicketState.PENDING, JUNE, in_a.company_a1.pk)
    assert ticket.zones == ticket.ticket_type.zones


def test_a_ticket_cannot_start_this_month(in_a):
    person = EmployeeFactory(company=in_a.company_a1)
    with pytest.raises(ValidationError) as caught:
        services.ticket_create(employee=person, ticket_type=TicketTypeFactory(), starts=TODAY, today=TODAY)
    assert "starts" in caught.value.message_dict
    assert not Ticket.objects.exists()


def test_one_live_ticket_per_employee_and_the_database_says_so(in_a):
    ticket = _ticket(in_a.company_a1)
    with pytest.raises(ValidationError):
        services.ticket_create(employee=ticket.employee, ticket_type=ticket.ticket_type, starts=JULY, today=TODAY)
    clash = Ticket(employee=ticket.employee, company=in_a.company_a1, ticket_type=ticket.ticket_type, starts=JULY)
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()
    services.ticket_cancel(ticket=ticket)
    # A cancelled (or ended) ticket no longer counts: the employee may have a new one.
    services.ticket_create(employee=ticket.employee, ticket_type=ticket.ticket_type, starts=JULY, today=TODAY)


def test_the_database_keeps_the_company_the_employees(in_a):
    person = EmployeeFactory(company=in_a.company_a1)
    wrong = Ticket(employee=person, company=in_a.company_a2, ticket_type=TicketTypeFactory(), starts=JUNE)
    with pytest.raises(IntegrityError), transaction.atomic():
        wrong.save()


def test_only_a_pending_ticket_can_be_cancelled(in_a):
    ticket = _ticket(in_a.company_a1)
    services.ticket_rollover(month=JUNE)
    with pytest.raises(ValidationError):
        services.ticket_cancel(ticket=ticket)
    assert _state(ticket) == TicketState.ACTIVE


def test_an_ended_ticket_runs_to_the_end_of_the_month(in_a):
    ticket = _ticket(in_a.company_a1)
    services.ticket_rollover(month=JUNE)
    services.ticket_end(ticket=ticket, today=date(2026, 6, 20))
    assert (ticket.state, ticket.ends) == (TicketState.ACTIVE, JUNE)
    assert services.ticket_rollover(month=JULY) == services.RolloverResult(activated=0, paused=0, ended=1)
    assert _state(ticket) == TicketState.ENDED


def test_joiner_leaver_and_leave_across_month_boundaries(in_a):
    company = in_a.company_a1
    joiner = _ticket(company, starts=JULY)
    leaver = _ticket(company)
    on_leave = _ticket(company)
    # June: all but the joiner start.
    assert services.ticket_rollover(month=JUNE) == services.RolloverResult(activated=2, paused=0, ended=0)
    assert [_state(t) for t in (joiner, leaver, on_leave)] == ["pending", "active", "active"]
    # Leaves on 15 July (July is the last month); on leave from 10 July to 31 August (August is whole).
    leaver.employee.status, leaver.employee.end_date = EmployeeStatus.LEFT, date(2026, 7, 15)
    leaver.employee.save()
    on_leave.employee.leave_from, on_leave.employee.leave_until = date(2026, 7, 10), date(2026, 8, 31)
    on_leave.employee.save()
    assert services.ticket_rollover(month=JULY) == services.RolloverResult(activated=1, paused=0, ended=0)
    assert [_state(t) for t in (joiner, leaver, on_leave)] == ["active", "active", "active"]
    assert services.ticket_rollover(month=AUGUST) == services.RolloverResult(activated=0, paused=1, ended=1)
    assert [_state(t) for t in (joiner, leaver, on_leave)] == ["active", "ended", "paused"]
    assert leaver.ends == JULY
    assert services.ticket_rollover(month=SEPTEMBER) == services.RolloverResult(activated=1, paused=0, ended=0)
    assert [_state(t) for t in (joiner, leaver, on_leave)] == ["active", "ended", "active"]


def test_a_pending_ticket_of_someone_who_left_is_cancelled(in_a):
    ticket = _ticket(in_a.company_a1, starts=JULY)
    ticket.employee.status, ticket.employee.end_date = EmployeeStatus.LEFT, date(2026, 6, 30)
    ticket.employee.save()
    assert services.ticket_rollover(month=JULY).ended == 1
    assert _state(ticket) == TicketState.CANCELLED


def test_a_ticket_starting_on_leave_is_paused_then_active(in_a):
    ticket = _ticket(in_a.company_a1, leave_from=date(2026, 5, 1), leave_until=date(2026, 6, 30))
    assert services.ticket_rollover(month=JUNE) == services.RolloverResult(activated=0, paused=1, ended=0)
    assert _state(ticket) == TicketState.PAUSED
    assert services.ticket_rollover(month=JULY) == services.RolloverResult(activated=1, paused=0, ended=0)
    assert _state(ticket) == TicketState.ACTIVE


def test_the_rollover_run_twice_changes_nothing_the_second_time(in_a):
    for n in range(3):
        _ticket(in_a.company_a1, leave_from=JUNE if n == 0 else None)
    first = services.ticket_rollover(month=JUNE)
    assert first == services.RolloverResult(activated=2, paused=1, ended=0)
    before = list(Ticket.objects.order_by("pk").values_list("state", "ends", "updated_at"))
    assert services.ticket_rollover(month=JUNE) == services.RolloverResult(activated=0, paused=0, ended=0)
    assert list(Ticket.objects.order_by("pk").values_list("state", "ends", "updated_at")) == before


def _rollover_queries(company, count: int) -> int:
    for n in range(count):
        _ticket(company, leave_from=JUNE if n % 3 == 0 else None)
    with CaptureQueriesContext(connection) as queries:
        services.ticket_rollover(month=JUNE)
    Ticket.objects.update(state=TicketState.ENDED)
    return len(queries)


def test_the_rollover_query_count_does_not_grow_with_the_tickets(in_a):
    assert _rollover_queries(in_a.company_a1, 3) == _rollover_queries(in_a.company_a2, 30)


def test_the_rollovers_set_based_updates_are_in_the_history(in_a):
    ticket = _ticket(in_a.company_a1)
    services.ticket_rollover(month=JUNE)
    events = list(ticket.events.order_by("pgh_id").values_list("pgh_label", "state"))
    assert events == [("insert", "pending"), ("update", "active")]
    context = ticket.events.order_by("pgh_id").last().pgh_context
    assert context.metadata["rollover"] == "2026-06-01"


def test_leave_months_are_the_months_the_leave_covers_whole():
    leave = {"leave_from": date(2026, 7, 10), "leave_until": date(2026, 8, 31)}
    assert [rules.is_leave_month(m, **leave) for m in (JULY, AUGUST, SEPTEMBER)] == [False, True, False]
    assert rules.is_leave_month(SEPTEMBER, leave_from=JULY, leave_until=None)
    assert not rules.is_leave_month(JULY, leave_from=None, leave_until=None)
