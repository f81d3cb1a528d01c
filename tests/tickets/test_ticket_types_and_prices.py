"""Ticket types and their prices: P = annual / 12 unless overridden, C <= P, and a month's figures
from the database through selectors.ticket_month_for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from tests.base import client_for
from tests.factories import (
    AgreementFactory,
    AgreementProductFactory,
    CompanyFactory,
    TicketPriceFactory,
    TicketTypeFactory,
    corporate_ticket_product,
)
from tickets import selectors, services
from tickets.models import TicketPrice, TicketType

JAN = date(2026, 1, 1)


def test_an_admin_creates_a_ticket_type_with_zones_or_a_zone_count(world):
    client = client_for(world.admin_a)
    created = client.post("/billettyper/ny/", {"name": "To soner", "zones": "", "zone_count": "2", "is_active": "on"})
    assert created.status_code == 302
    refused = client.post("/billettyper/ny/", {"name": "Uten soner", "zones": "", "zone_count": ""})
    assert refused.status_code == 200 and refused.context["form"].errors
    with tenant_context(world.pta_a):
        assert TicketType.objects.get(name="To soner").zone_count == 2
        assert not TicketType.objects.filter(name="Uten soner").exists()


def test_the_ordinary_price_is_the_annual_price_divided_by_12_unless_the_pta_sets_its_own(world):
    with tenant_context(world.pta_a):
        default = services.ticket_price_add(
            ticket_type=TicketTypeFactory(), valid_from=JAN, valid_to=None, annual_price=Decimal("10800"), today=JAN
        )
        own = services.ticket_price_add(
            ticket_type=TicketTypeFactory(),
            valid_from=JAN,
            valid_to=None,
            annual_price=Decimal("10800"),
            monthly_price=Decimal("950"),
            company_price=Decimal("855"),
            today=JAN,
        )
        assert (default.ordinary, default.company) == (Decimal("900"), Decimal("900"))
        assert (own.ordinary, own.company) == (Decimal("950"), Decimal("855"))


def test_a_company_price_above_the_ordinary_price_is_refused_with_both_amounts(world):
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory()
        with pytest.raises(ValidationError) as refused:
            services.ticket_price_add(
                ticket_type=ticket_type,
                valid_from=JAN,
                valid_to=None,
                annual_price=Decimal("10800"),
                company_price=Decimal("950"),
                today=JAN,
            )
        message = refused.value.message_dict["company_price"][0]
        assert "950,00" in message and "900,00" in message
        assert not TicketPrice.objects.filter(ticket_type=ticket_type).exists()


def test_the_ticket_price_form_refuses_a_company_price_above_the_ordinary(world):
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory()
    response = client_for(world.admin_a).post(
        f"/billettyper/{ticket_type.pk}/priser/",
        {"valid_from": "2027-01-01", "annual_price": "9000", "monthly_price": "", "company_price": "800"},
    )
    assert response.status_code == 200
    assert "750,00" in response.context["form"].errors["company_price"][0]
    with tenant_context(world.pta_a):
        assert not TicketPrice.objects.filter(ticket_type=ticket_type).exists()


def test_a_company_price_below_an_agreements_fixed_subsidy_is_refused(world):
    with tenant_context(world.pta_a):
        AgreementProductFactory(
            agreement=AgreementFactory(company=CompanyFactory(name="Subsidiert AS")),
            product=corporate_ticket_product(),
            subsidy_amount=Decimal("700"),
        )
        with pytest.raises(ValidationError) as refused:
            services.ticket_price_add(
                ticket_type=TicketTypeFactory(),
                valid_from=JAN,
                valid_to=None,
                annual_price=Decimal("9000"),
                company_price=Decimal("600"),
                today=JAN,
            )
        assert "Subsidiert AS" in refused.value.message_dict["company_price"][0]


def test_ticket_month_for_reads_prices_agreement_and_zone_from_the_database(world):
    # Stavanger is zone I. P 900.00, C 810.00, S 50 %: D 405.00, B 495.00, A 69.795 (the worked example).
    with tenant_context(world.pta_a):
        company = CompanyFactory(municipality="Stavanger")
        ticket_type = TicketTypeFactory()
        TicketPriceFactory(ticket_type=ticket_type, valid_from=JAN)
        AgreementProductFactory(
            agreement=AgreementFactory(company=company), product=corporate_ticket_product(), subsidy_percent=Decimal(50)
        )
        figures = selectors.ticket_month_for(company=company, ticket_type=ticket_type, month=date(2026, 5, 17))
        assert figures.month == date(2026, 5, 1) and figures.zone == "1"
        assert (figures.payroll_deduction, figures.taxable_benefit) == (Decimal("405.00"), Decimal("495.00"))
        assert figures.rounded()["employer_contribution"] == Decimal("69.80")


def test_a_price_change_does_not_alter_the_figures_of_an_earlier_month(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(municipality="Bergen", employer_zone="2", finance_sector=True)
        ticket_type = TicketTypeFactory()
        services.ticket_price_add(
            ticket_type=ticket_type, valid_from=JAN, valid_to=None, annual_price=Decimal("10800"), today=JAN
        )
        march_before = selectors.ticket_month_for(company=company, ticket_type=ticket_type, month=date(2026, 3, 1))
        services.ticket_price_add(
            ticket_type=ticket_type,
            valid_from=date(2026, 4, 1),
            valid_to=None,
            annual_price=Decimal("12000"),
            today=date(2026, 3, 20),
        )
        march_after = selectors.ticket_month_for(company=company, ticket_type=ticket_type, month=date(2026, 3, 1))
        april = selectors.ticket_month_for(company=company, ticket_type=ticket_type, month=date(2026, 4, 1))
        assert march_after == march_before
        # No agreement: S = 0, D = C = P; B = 0 (no discount either). The zone set on the company wins.
        assert (march_after.ordinary, april.ordinary) == (Decimal("900"), Decimal("1000"))
        assert april.zone == "2" and april.financial_tax_rate == Decimal("5")


def test_ticket_month_for_names_what_is_missing(world):
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory(name="Uprisa")
        company = CompanyFactory(municipality="Ukjentby")
        with pytest.raises(ValidationError) as no_price:
            selectors.ticket_month_for(company=company, ticket_type=ticket_type, month=JAN)
        assert "Uprisa" in no_price.value.message_dict["ticket_type"][0]
        TicketPriceFactory(ticket_type=ticket_type, valid_from=JAN)
        with pytest.raises(ValidationError) as no_zone:
            selectors.ticket_month_for(company=company, ticket_type=ticket_type, month=JAN)
        assert "Ukjentby" in no_zone.value.message_dict["employer_zone"][0]
