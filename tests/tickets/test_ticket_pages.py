"""The corporate tickets' pages: the company tab (staff and the company's own contact persons), the
card on Min side, and the PTA's overview with its counts by state and monthly trend (staff)."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django_tenants.utils import tenant_context

from tests.base import client_for
from tests.factories import EmployeeFactory, TicketTypeFactory
from tickets import services


@pytest.fixture
def tickets(world):
    """Company A1: one active ticket (Nordmann), one pending (Hansen); company A2: one active."""
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory(name="Tre soner")
        made = []
        for company, last_name, starts in [
            (world.company_a1, "Nordmann", date(2026, 6, 1)),
            (world.company_a1, "Hansen", date(2026, 9, 1)),
            (world.company_a2, "Utenfor", date(2026, 6, 1)),
        ]:
            employee = EmployeeFactory(company=company, last_name=last_name)
            made.append(
                services.ticket_create(
                    employee=employee, ticket_type=ticket_type, starts=starts, today=date(2026, 5, 1)
                )
            )
        services.ticket_rollover(month=date(2026, 6, 1))
        return made


def test_an_adviser_sees_the_companys_tickets_on_its_tab(world, tickets):
    response = client_for(world.adviser_a).get(f"/bedrifter/{world.company_a1.pk}/billetter/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nordmann" in text and "Hansen" in text and "Utenfor" not in text
    assert response.context["counts"]["active"] == 1 and response.context["counts"]["pending"] == 1
    assert f'href="/bedrifter/{world.company_a1.pk}/billetter/" aria-current="page"' in text


def test_a_contact_person_sees_their_companys_tickets_and_the_card_on_min_side(world, tickets):
    client = client_for(world.contact_a1)
    assert "Nordmann" in client.get(f"/bedrifter/{world.company_a1.pk}/billetter/").content.decode()
    card = client.get(f"/bedrifter/{world.company_a1.pk}/kort/billetter/")
    assert card.status_code == 200 and card.context["counts"]["active"] == 1
    assert f"/bedrifter/{world.company_a1.pk}/kort/billetter/" in client.get("/min-side/").content.decode()


def test_a_contact_person_of_another_company_gets_404(world, tickets):
    client = client_for(world.contact_a2)
    assert client.get(f"/bedrifter/{world.company_a1.pk}/billetter/").status_code == 404
    assert client.get(f"/bedrifter/{world.company_a1.pk}/kort/billetter/").status_code == 404


def test_the_overview_counts_by_state_and_month(world, tickets):
    with mock.patch("tickets.views.today", return_value=date(2026, 7, 15)):
        response = client_for(world.adviser_a).get("/billetter/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts["active"], counts["pending"], counts["ended"]) == (2, 1, 0)
    months = response.context["months"]
    assert [(m.month, m.running) for m in months[-3:]] == [
        (date(2026, 5, 1), 0),
        (date(2026, 6, 1), 2),
        (date(2026, 7, 1), 2),
    ]
    assert len(months) == 12 and months[0].month == date(2025, 8, 1)
    assert "<svg" in response.content.decode()


def test_the_overview_is_for_staff_only_and_not_for_posts(world, tickets):
    assert client_for(world.contact_a1).get("/billetter/").status_code == 403
    assert client_for(world.adviser_a).post("/billetter/").status_code == 405


def test_the_company_history_says_which_ticket_a_row_is(world, tickets):
    text = client_for(world.adviser_a).get(f"/bedrifter/{world.company_a1.pk}/historikk/").content.decode()
    assert "Aktiv, 06.2026" in text  # Nordmann's ticket, activated by the roll-over
    assert "Venter, 09.2026" in text  # Hansen's, still pending
    assert f"#{tickets[0].pk}<" not in text
