"""The corporate ticket forms on a company's tickets tab: a new ticket (an employee found by a search,
a ticket type, zones, the first month), and cancelling or ending one through its confirmation page.
Staff and the company's contact persons with the right can_approve_tickets; other contact persons of
the company see the tab without the buttons and get 403; another company's contact person gets 404."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import tenant_context

from companies.models import ContactPerson
from core.dates import today
from employees.models import EmployeeStatus
from tests.base import HOST_A, client_for
from tests.factories import EmployeeFactory, TicketTypeFactory
from tickets import rules, views
from tickets.models import Ticket, TicketState


def _next_month() -> date:
    return rules.next_month(today())


def _this_month() -> date:
    return rules.first_of_month(today())


@pytest.fixture
def a1(world):
    """Company A1's candidates: Aas (active), Berg (on leave); not Dahl (left) nor Carlsen (a live ticket)."""
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory(name="Tre soner", zones="1, 2, 3")
        retired = TicketTypeFactory(name="Gammel sone", is_active=False)
        aas = EmployeeFactory(company=world.company_a1, last_name="Aas", first_name="Kari", employee_number="A-1")
        berg = EmployeeFactory(company=world.company_a1, last_name="Berg", status=EmployeeStatus.ON_LEAVE)
        carlsen = EmployeeFactory(company=world.company_a1, last_name="Carlsen")
        dahl = EmployeeFactory(
            company=world.company_a1, last_name="Dahl", status=EmployeeStatus.LEFT, end_date=date(2026, 1, 31)
        )
        live = Ticket.objects.create(
            employee=carlsen, company=world.company_a1, ticket_type=ticket_type, starts=_next_month()
        )
    return {"type": ticket_type, "retired": retired, "aas": aas, "berg": berg, "dahl": dahl, "live": live}


def _url(world, tail: str = "ny/") -> str:
    return f"/bedrifter/{world.company_a1.pk}/billetter/{tail}"


def _post(client, world, employee, ticket_type, *, starts=None, zones=""):
    starts = starts or _next_month()
    return client.post(
        _url(world),
        {"employee": employee.pk, "ticket_type": ticket_type.pk, "zones": zones, "starts": f"{starts:%Y-%m}"},
    )


# --- New ticket -----------------------------------------------------------------------------------


def test_the_page_offers_active_and_on_leave_employees_without_a_ticket_and_the_types_offered(world, a1):
    response = client_for(world.adviser_a).get(_url(world))
    assert response.status_code == 200
    choices = [label for value, label in response.context["form"].fields["employee"].widget.choices if value]
    names = [label.split(",")[0] for label in choices]
    assert "Aas" in names and "Berg" in names and "Carlsen" not in names and "Dahl" not in names
    assert names == sorted(names)
    assert "Aas, Kari (A-1)" in choices
    types = [label for value, label in response.context["form"].fields["ticket_type"].widget.choices if value]
    assert "Tre soner" in types and "Gammel sone" not in types
    text = response.content.decode()
    assert 'type="month"' in text and f'min="{_next_month():%Y-%m}"' in text


def test_a_search_by_name_or_number_narrows_the_list_and_picks_a_single_match(world, a1):
    client = client_for(world.adviser_a)
    for search in ("A-1", "kari aas", "Aas"):
        form = client.get(_url(world), {"q": search}).context["form"]
        values = [value for value, _label in form.fields["employee"].widget.choices if value]
        assert values == [a1["aas"].pk], search
        assert form["employee"].value() == a1["aas"].pk
    response = client.get(_url(world), {"q": "Dahl"})
    assert "Ingen ansatte uten bedriftsbillett passer til søket." in response.content.decode()


def test_a_big_company_is_offered_the_first_few_and_told_to_search(world, a1, monkeypatch):
    monkeypatch.setattr(views, "TICKET_CANDIDATES_MAX", 2)
    response = client_for(world.adviser_a).get(_url(world))
    assert len([value for value, _label in response.context["form"].fields["employee"].widget.choices if value]) == 2
    assert response.context["more"] is True
    assert "søk på navn eller ansattnummer" in response.content.decode()


def test_an_adviser_gives_an_employee_a_ticket_with_the_types_zones(world, a1):
    client = client_for(world.adviser_a)
    response = _post(client, world, a1["aas"], a1["type"])
    assert response.status_code == 302 and response["Location"] == _url(world, "")
    with tenant_context(world.pta_a):
        ticket = Ticket.objects.get(employee=a1["aas"])
    assert (ticket.state, ticket.starts, ticket.zones) == (TicketState.PENDING, _next_month(), "1, 2, 3")
    page = client.get(_url(world, ""))
    assert any("Kari Aas har bedriftsbillett" in str(m) for m in page.context["messages"])


def test_a_contact_person_with_the_right_gives_a_ticket_with_own_zones_to_one_on_leave(world, a1):
    later = rules.next_month(_next_month())
    response = _post(client_for(world.contact_a1), world, a1["berg"], a1["type"], starts=later, zones=" 1, 2 ")
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        ticket = Ticket.objects.get(employee=a1["berg"])
    assert (ticket.starts, ticket.zones) == (later, "1, 2")


@pytest.mark.parametrize(
    ("who", "field", "message"),
    [
        ("dahl", "employee", "Den ansatte har sluttet."),
        ("this_month", "starts", "En billett starter tidligst neste måned."),
        ("retired", "ticket_type", "Billettypen tilbys ikke lenger."),
    ],
)
def test_bad_input_is_shown_on_its_field_and_stores_nothing(world, a1, who, field, message):
    employee = a1["dahl"] if who == "dahl" else a1["aas"]
    ticket_type = a1["retired"] if who == "retired" else a1["type"]
    starts = _this_month() if who == "this_month" else None
    response = _post(client_for(world.adviser_a), world, employee, ticket_type, starts=starts)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    with tenant_context(world.pta_a):
        assert not Ticket.objects.filter(employee=employee).exists()


def test_a_second_live_ticket_is_refused_with_why(world, a1):
    with tenant_context(world.pta_a):
        carlsen = a1["live"].employee
    response = _post(client_for(world.adviser_a), world, carlsen, a1["type"])
    assert response.status_code == 200
    assert "Den ansatte har allerede en bedriftsbillett." in str(response.context["form"].errors)
    with tenant_context(world.pta_a):
        assert Ticket.objects.filter(employee=carlsen).count() == 1


def test_an_employee_of_another_company_or_a_month_that_is_no_month_is_refused_by_the_form(world, a1):
    with tenant_context(world.pta_a):
        other = EmployeeFactory(company=world.company_a2)
    client = client_for(world.adviser_a)
    response = _post(client, world, other, a1["type"])
    assert response.status_code == 200 and "employee" in response.context["form"].errors
    response = client.post(_url(world), {"employee": a1["aas"].pk, "ticket_type": a1["type"].pk, "starts": "2026-13"})
    assert response.context["form"].errors["starts"] == ["Skriv en måned som ÅÅÅÅ-MM, for eksempel 2026-09."]
    with tenant_context(world.pta_a):
        assert not Ticket.objects.filter(employee__in=[other, a1["aas"]]).exists()


# --- Cancel and end -------------------------------------------------------------------------------


@pytest.fixture
def running(world, a1):
    """Aas has an active ticket since this month (the live one of Carlsen is pending)."""
    with tenant_context(world.pta_a):
        return Ticket.objects.create(
            employee=a1["aas"],
            company=world.company_a1,
            ticket_type=a1["type"],
            state=TicketState.ACTIVE,
            starts=_this_month(),
        )


def test_the_tab_offers_cancel_for_a_pending_ticket_and_end_for_a_running_one(world, a1, running):
    text = client_for(world.adviser_a).get(_url(world, "")).content.decode()
    assert f'href="{_url(world, "ny/")}"' in text
    live = a1["live"].pk
    assert f'href="{_url(world, f"{live}/avbestill/")}"' in text
    assert f'href="{_url(world, f"{running.pk}/avslutt/")}"' in text
    assert f"{a1['live'].pk}/avslutt/" not in text and f"{running.pk}/avbestill/" not in text


def test_cancelling_asks_first_then_cancels(world, a1):
    client = client_for(world.contact_a1)
    url = _url(world, f"{a1['live'].pk}/avbestill/")
    page = client.get(url)
    assert page.status_code == 200 and 'name="confirm" value="yes"' in page.content.decode()
    assert client.post(url).status_code == 200  # no confirmation: the page again, nothing done
    with tenant_context(world.pta_a):
        assert Ticket.objects.get(pk=a1["live"].pk).state == TicketState.PENDING
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == _url(world, "")
    assert [str(m) for m in response.context["messages"]] == [
        f"Bedriftsbilletten til {a1['live'].employee.first_name} Carlsen er avbestilt."
    ]
    with tenant_context(world.pta_a):
        assert Ticket.objects.get(pk=a1["live"].pk).state == TicketState.CANCELLED


def test_ending_sets_this_month_as_the_last(world, a1, running):
    response = client_for(world.adviser_a).post(_url(world, f"{running.pk}/avslutt/"), {"confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == _url(world, "")
    with tenant_context(world.pta_a):
        running.refresh_from_db()
    assert (running.state, running.ends) == (TicketState.ACTIVE, _this_month())
    assert "avsluttes etter" in str(list(response.context["messages"])[0])


def test_a_refused_change_becomes_an_error_message(world, a1, running):
    client = client_for(world.adviser_a)
    ended = client.post(_url(world, f"{a1['live'].pk}/avslutt/"), {"confirm": "yes"}, follow=True)
    assert [str(m) for m in ended.context["messages"]] == [
        "Bare en løpende billett kan avsluttes; en billett som ikke har startet, avbestilles."
    ]
    cancelled = client.post(_url(world, f"{running.pk}/avbestill/"), {"confirm": "yes"}, follow=True)
    assert [str(m) for m in cancelled.context["messages"]] == ["Bare en billett som ikke har startet, kan avbestilles."]
    with tenant_context(world.pta_a):
        assert Ticket.objects.get(pk=running.pk).state == TicketState.ACTIVE
        assert Ticket.objects.get(pk=a1["live"].pk).state == TicketState.PENDING


# --- Who ------------------------------------------------------------------------------------------


def test_a_contact_person_without_the_right_sees_the_tab_but_no_buttons_and_gets_403(world, a1, running):
    with tenant_context(world.pta_a):
        ContactPerson.objects.filter(user=world.contact_a1.user).update(can_approve_tickets=False)
    client = client_for(world.contact_a1)
    tab = client.get(_url(world, ""))
    assert tab.status_code == 200
    text = tab.content.decode()
    assert "Carlsen" in text and "/billetter/ny/" not in text and "avbestill/" not in text and "avslutt/" not in text
    assert client.get(_url(world)).status_code == 403
    assert _post(client, world, a1["berg"], a1["type"]).status_code == 403
    assert client.post(_url(world, f"{a1['live'].pk}/avbestill/"), {"confirm": "yes"}).status_code == 403
    assert client.post(_url(world, f"{running.pk}/avslutt/"), {"confirm": "yes"}).status_code == 403
    with tenant_context(world.pta_a):
        assert not Ticket.objects.filter(employee=a1["berg"]).exists()
        assert Ticket.objects.get(pk=a1["live"].pk).state == TicketState.PENDING


def test_another_companys_contact_person_and_anonymous_are_refused(world, a1, running):
    client = client_for(world.contact_a2)
    assert client.get(_url(world)).status_code == 404
    assert _post(client, world, a1["berg"], a1["type"]).status_code == 404
    assert client.post(_url(world, f"{a1['live'].pk}/avbestill/"), {"confirm": "yes"}).status_code == 404
    assert client.post(_url(world, f"{running.pk}/avslutt/"), {"confirm": "yes"}).status_code == 404
    anonymous = client_for(None, host=HOST_A).get(_url(world))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_ticket_of_another_company_is_404_through_this_company(world, a1):
    with tenant_context(world.pta_a):
        theirs = Ticket.objects.create(
            employee=EmployeeFactory(company=world.company_a2),
            company=world.company_a2,
            ticket_type=a1["type"],
            starts=_next_month(),
        )
    response = client_for(world.adviser_a).post(_url(world, f"{theirs.pk}/avbestill/"), {"confirm": "yes"})
    assert response.status_code == 404
    with tenant_context(world.pta_a):
        assert Ticket.objects.get(pk=theirs.pk).state == TicketState.PENDING
