"""The month's run: what it bills (tickets by type and zones at the company price less VAT, the
membership fee per employee, add-ons), one invoice per company or per location, drafts made once
(a second run and a resumed run make nothing twice), and the invoice_run command."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from companies.models import InvoiceGrouping
from invoicing import services
from invoicing.models import BillableItem, Invoice, InvoiceRun, InvoiceState
from tenants.models import ProductUnit, VatRate
from tests.factories import (
    AgreementProductFactory,
    EmployeeFactory,
    LocationFactory,
    PriceFactory,
    ProductFactory,
    TicketPriceFactory,
    TicketTypeFactory,
    corporate_ticket_product,
    invoiced_company,
)
from tickets.models import Ticket, TicketState

NOVEMBER = date(2026, 11, 1)

pytestmark = pytest.mark.django_db


def _ticket(company, ticket_type, *, zones="", state=TicketState.ACTIVE, starts=date(2026, 6, 1), ends=None, **person):
    employee = EmployeeFactory(company=company, **person)
    return Ticket.objects.create(
        employee=employee, company=company, ticket_type=ticket_type, zones=zones, state=state, starts=starts, ends=ends
    )


@pytest.fixture
def billed(world):
    """A company with three tickets travelling in November (two of one type and zones), one
    ticket ended in October, one starting in December, one paused by a whole month of leave; a
    membership fee of NOK 10 per employee; and an add-on dated in November."""
    with tenant_context(world.pta_a):
        company = invoiced_company(name="Fakturert AS")
        ticket_type = TicketTypeFactory(name="Tre soner")
        TicketPriceFactory(ticket_type=ticket_type)  # C = 810.00 incl. 12 % VAT
        AgreementProductFactory(agreement=company.agreement, product=corporate_ticket_product())
        fee = ProductFactory(name="Medlemsavgift", unit=ProductUnit.PER_EMPLOYEE_MONTH, vat_rate=VatRate.GENERAL)
        PriceFactory(product=fee, amount=Decimal("10.00"))
        AgreementProductFactory(agreement=company.agreement, product=fee)
        _ticket(company, ticket_type, zones="1-3")
        _ticket(company, ticket_type, zones="1-3")
        _ticket(company, ticket_type, zones="1-4")
        _ticket(company, ticket_type, state=TicketState.ENDED, ends=date(2026, 10, 1))
        _ticket(company, ticket_type, state=TicketState.PENDING, starts=date(2026, 12, 1))
        _ticket(company, ticket_type, state=TicketState.PAUSED, leave_from=date(2026, 11, 1))
        bike = ProductFactory(name="Sykkelsjekk", unit=ProductUnit.PER_EVENT, vat_rate=VatRate.GENERAL)
        PriceFactory(product=bike, amount=Decimal("1500.00"))
        BillableItem.objects.create(company=company, product=bike, day=date(2026, 11, 12), quantity=2)
        BillableItem.objects.create(company=company, product=bike, day=date(2026, 12, 2))  # next month's
        yield company


def _lines(invoice):
    return [
        (line.description, line.quantity, line.unit_price, line.net_amount, line.vat_rate)
        for line in invoice.lines.all()
    ]


def test_the_run_bills_tickets_fees_and_add_ons_of_the_month(world, billed):
    with tenant_context(world.pta_a):
        result = services.invoice_run(month=NOVEMBER)
        invoice = next(i for i in result.created if i.company_id == billed.pk)
        employees = billed.employees.count()
        assert _lines(invoice) == [
            (
                "Bedriftsbillett Tre soner, soner 1-3",
                Decimal(2),
                Decimal("723.2143"),
                Decimal("1446.43"),
                Decimal("12.00"),
            ),
            (
                "Bedriftsbillett Tre soner, soner 1-4",
                Decimal(1),
                Decimal("723.2143"),
                Decimal("723.21"),
                Decimal("12.00"),
            ),
            ("Medlemsavgift", Decimal(employees), Decimal("10.0000"), Decimal(employees * 10), Decimal("25.00")),
            ("Sykkelsjekk", Decimal(2), Decimal("1500.0000"), Decimal("3000.00"), Decimal("25.00")),
        ]
        # VAT per rate on the sum of its lines: 12 % of 2,169.64 and 25 % of the rest.
        net_25 = Decimal(employees * 10) + Decimal("3000.00")
        assert invoice.net_total == Decimal("2169.64") + net_25
        assert invoice.vat_total == Decimal("260.36") + (net_25 / 4).quantize(Decimal("0.01"))
        assert invoice.gross_total == invoice.net_total + invoice.vat_total
        assert invoice.state == InvoiceState.DRAFT and invoice.number is None
        assert (invoice.period_start, invoice.period_end) == (NOVEMBER, date(2026, 11, 30))
        assert BillableItem.objects.filter(invoice_line__invoice=invoice).count() == 1


def test_running_the_month_again_drafts_nothing_twice(world, billed):
    with tenant_context(world.pta_a):
        first = services.invoice_run(month=NOVEMBER)
        again = services.invoice_run(month=NOVEMBER)
        assert again.created == []
        assert {i.pk for i in again.existing} == {i.pk for i in first.created}
        assert InvoiceRun.objects.filter(month=NOVEMBER).count() == 1
        assert Invoice.objects.filter(company=billed).count() == 1


def test_a_run_that_stopped_half_way_resumes_with_the_groups_it_had_not_made(world, billed):
    with tenant_context(world.pta_a):
        other = invoiced_company(name="Andre AS")
        tt = TicketTypeFactory()
        TicketPriceFactory(ticket_type=tt)
        _ticket(other, tt)
        # The first pass made only the first company's invoice, then died.
        partial = services.invoice_run(month=NOVEMBER, company_ids=[billed.pk])
        assert partial.run.completed_at is None
        resumed = services.invoice_run(month=NOVEMBER)
        assert [i.company_id for i in resumed.created] == [other.pk]
        assert resumed.run.completed_at is not None
        assert Invoice.objects.filter(run=resumed.run).count() == 2


def test_one_invoice_per_location_where_the_agreement_says_so(world):
    with tenant_context(world.pta_a):
        company = invoiced_company()
        company.agreement.invoice_grouping = InvoiceGrouping.LOCATION
        company.agreement.save()
        north, south = LocationFactory(company=company, name="Nord"), LocationFactory(company=company, name="Sør")
        tt = TicketTypeFactory()
        TicketPriceFactory(ticket_type=tt)
        _ticket(company, tt, location=north)
        _ticket(company, tt, location=north)
        _ticket(company, tt, location=south)
        _ticket(company, tt)
        result = services.invoice_run(month=NOVEMBER)
        mine = sorted((i.group_key, i.lines.get().quantity) for i in result.created if i.company_id == company.pk)
        assert mine == [
            (f"location:{north.pk}", Decimal(2)),
            (f"location:{south.pk}", Decimal(1)),
            ("none", Decimal(1)),
        ]


def test_a_ticket_type_without_a_price_for_the_month_is_named_and_nothing_is_drafted(world):
    with tenant_context(world.pta_a):
        company = invoiced_company()
        tt = TicketTypeFactory(name="Uten pris")
        TicketPriceFactory(ticket_type=tt, valid_from=date(2027, 1, 1))
        _ticket(company, tt)
        with pytest.raises(ValidationError, match="Uten pris"):
            services.invoice_run(month=NOVEMBER)
        assert not Invoice.objects.exists()


def test_the_command_prints_a_line_per_invoice_and_issues_with_issue(world, billed):
    out = StringIO()
    call_command("invoice_run", "--pta", "ptaa", "--month", "2026-11", stdout=out)
    with tenant_context(world.pta_a):
        draft = Invoice.objects.get(company=billed)
    assert f"draft-{draft.pk} {billed.org_number} {draft.gross_total}" in out.getvalue().splitlines()
    out = StringIO()
    call_command("invoice_run", "--pta", "ptaa", "--month", "2026-11", "--issue", stdout=out)
    with tenant_context(world.pta_a):
        issued = Invoice.objects.get(company=billed)
    assert issued.state == InvoiceState.ISSUED
    assert f"{issued.number} {billed.org_number} {issued.gross_total}" in out.getvalue().splitlines()
    assert not [line for line in out.getvalue().splitlines() if line.startswith("draft-")]


def test_the_command_names_the_drafts_it_cannot_issue(world, billed):
    with tenant_context(world.pta_a):
        billed.agreement.invoice_email = ""
        billed.agreement.save()
    err = StringIO()
    with pytest.raises(CommandError, match="could not be issued"):
        call_command("invoice_run", "--pta", "ptaa", "--month", "2026-11", "--issue", stdout=StringIO(), stderr=err)
    assert "har ingen e-postadresse for faktura eller EHF-adresse" in err.getvalue()
    with tenant_context(world.pta_a):
        assert Invoice.objects.get(company=billed).state == InvoiceState.DRAFT


def test_the_command_refuses_a_bad_month(world):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("invoice_run", "--pta", "ptaa", "--month", "november")


def test_the_beat_task_drafts_the_month_just_ended_once(world, billed, monkeypatch):
    from invoicing import tasks

    monkeypatch.setattr(tasks, "today", lambda: date(2026, 12, 1))
    with tenant_context(world.pta_a):
        assert tasks.run_previous_month() >= 1
        assert tasks.run_previous_month() is None
        assert InvoiceRun.objects.get(month=NOVEMBER).completed_at is not None


def test_one_invoice_for_the_company_has_one_line_per_ticket_type_and_zones_across_its_locations(world):
    with tenant_context(world.pta_a):
        company = invoiced_company()
        north, south = LocationFactory(company=company), LocationFactory(company=company)
        tt = TicketTypeFactory(name="Alle")
        TicketPriceFactory(ticket_type=tt)
        fee = ProductFactory(name="Avgift", unit=ProductUnit.PER_EMPLOYEE_MONTH)
        PriceFactory(product=fee, amount=Decimal("10.00"))
        AgreementProductFactory(agreement=company.agreement, product=fee)
        for location in (north, south, None):
            _ticket(company, tt, zones="Alle soner", location=location)
        (invoice,) = [i for i in services.invoice_run(month=NOVEMBER).created if i.company_id == company.pk]
        assert [(line.description, line.quantity) for line in invoice.lines.all()] == [
            ("Bedriftsbillett Alle, Alle soner", Decimal(3)),
            ("Avgift", Decimal(3)),
        ]
