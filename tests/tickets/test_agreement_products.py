"""A company's agreement products and the employer's subsidy: the page, the card on the overview,
and the refusals (a subsidy above the company price, both kinds at once, a product twice)."""

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
    PriceFactory,
    ProductFactory,
    TicketPriceFactory,
    TicketTypeFactory,
    corporate_ticket_product,
)
from tickets import services
from tickets.models import AgreementProduct

TODAY = date(2026, 6, 1)


@pytest.fixture
def agreement(world):
    with tenant_context(world.pta_a):
        return AgreementFactory(company=world.company_a1, start_date=date(2026, 1, 1))


def page(world) -> str:
    return f"/bedrifter/{world.company_a1.pk}/avtale/produkter/"


def test_an_adviser_adds_the_corporate_ticket_with_a_percentage_subsidy(world, agreement):
    with tenant_context(world.pta_a):
        ticket = corporate_ticket_product()
    response = client_for(world.adviser_a).post(page(world), {"product": ticket.pk, "subsidy_percent": "50"})
    assert response.status_code == 302 and response["Location"] == page(world)
    with tenant_context(world.pta_a):
        row = AgreementProduct.objects.get(agreement=agreement)
        assert (row.product_id, row.subsidy_percent, row.subsidy_amount) == (ticket.pk, Decimal("50.00"), None)


def test_the_page_and_the_overview_card_show_the_products_and_subsidy(world, agreement):
    with tenant_context(world.pta_a):
        AgreementProductFactory(agreement=agreement, product=corporate_ticket_product(), subsidy_amount=Decimal("300"))
    client = client_for(world.adviser_a)
    listing = client.get(page(world)).content.decode()
    assert "Bedriftsbillett" in listing and "300,00" in listing
    overview = client.get(f"/bedrifter/{world.company_a1.pk}/").content.decode()
    assert 'id="card-agreement-products"' in overview and "Bedriftsbillett" in overview


def test_a_company_without_an_agreement_is_asked_to_register_one_first(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
    client = client_for(world.adviser_a)
    response = client.post(page(world), {"product": product.pk})
    assert response.status_code == 200 and response.context["agreement"] is None
    assert f"/bedrifter/{world.company_a1.pk}/avtale/" in response.content.decode()
    with tenant_context(world.pta_a):
        assert not AgreementProduct.objects.exists()


def test_a_fixed_subsidy_above_the_company_price_is_refused_with_both_amounts(world, agreement):
    with tenant_context(world.pta_a):
        ticket = corporate_ticket_product()
        TicketPriceFactory(ticket_type=TicketTypeFactory(name="Én sone"), valid_from=date(2026, 1, 1))  # C = 810.00
        with pytest.raises(ValidationError) as refused:
            services.agreement_product_save(
                agreement=agreement, product=ticket, subsidy_percent=None, subsidy_amount=Decimal("900"), today=TODAY
            )
        message = refused.value.message_dict["subsidy_amount"][0]
        assert "900,00" in message and "810,00" in message and "Én sone" in message
        assert not AgreementProduct.objects.filter(agreement=agreement).exists()
        # At most the company price is fine.
        services.agreement_product_save(
            agreement=agreement, product=ticket, subsidy_percent=None, subsidy_amount=Decimal("810"), today=TODAY
        )


def test_the_form_shows_a_subsidy_above_the_price_of_another_monthly_product(world, agreement):
    with tenant_context(world.pta_a):
        product = ProductFactory(name="Sykkelabonnement")
        PriceFactory(product=product, valid_from=date(2026, 1, 1), amount=Decimal("199"))
    response = client_for(world.adviser_a).post(page(world), {"product": product.pk, "subsidy_amount": "250"})
    assert response.status_code == 200
    assert "199,00" in response.context["form"].errors["subsidy_amount"][0]
    with tenant_context(world.pta_a):
        assert not AgreementProduct.objects.filter(agreement=agreement).exists()


@pytest.mark.parametrize(
    ("percent", "amount", "field"),
    [("120", None, "subsidy_percent"), ("10", "100", "subsidy_amount")],
)
def test_a_subsidy_out_of_range_or_of_both_kinds_is_refused(world, agreement, percent, amount, field):
    with tenant_context(world.pta_a):
        with pytest.raises(ValidationError) as refused:
            services.agreement_product_save(
                agreement=agreement,
                product=corporate_ticket_product(),
                subsidy_percent=Decimal(percent),
                subsidy_amount=Decimal(amount) if amount else None,
                today=TODAY,
            )
        assert field in refused.value.message_dict
        assert not AgreementProduct.objects.filter(agreement=agreement).exists()


def test_a_product_is_in_an_agreement_once_and_a_subsidy_is_for_monthly_products(world, agreement):
    with tenant_context(world.pta_a):
        event = ProductFactory(name="Helseprat lokal", unit="event")
        services.agreement_product_save(agreement=agreement, product=event, subsidy_percent=None, subsidy_amount=None)
        with pytest.raises(ValidationError) as twice:
            services.agreement_product_save(
                agreement=agreement, product=event, subsidy_percent=None, subsidy_amount=None
            )
        assert "product" in twice.value.message_dict
        row = AgreementProduct.objects.get(agreement=agreement)
        with pytest.raises(ValidationError) as per_event:
            services.agreement_product_save(
                agreement=agreement,
                product=event,
                subsidy_percent=Decimal(10),
                subsidy_amount=None,
                agreement_product=row,
            )
        assert "subsidy_percent" in per_event.value.message_dict
        row.refresh_from_db()
        assert row.subsidy_percent is None


def test_an_adviser_changes_the_subsidy_and_takes_a_product_out(world, agreement):
    with tenant_context(world.pta_a):
        ticket = corporate_ticket_product()
        row = AgreementProductFactory(agreement=agreement, product=ticket, subsidy_percent=Decimal(25))
    client = client_for(world.adviser_a)
    edit = f"{page(world)}{row.pk}/"
    assert client.post(edit, {"product": ticket.pk, "subsidy_percent": "", "subsidy_amount": "150"}).status_code == 302
    with tenant_context(world.pta_a):
        row.refresh_from_db()
        assert (row.subsidy_percent, row.subsidy_amount) == (None, Decimal("150.00"))
    assert client.get(f"{edit}fjern/").status_code == 200  # the confirmation page; nothing removed yet
    with tenant_context(world.pta_a):
        assert AgreementProduct.objects.filter(pk=row.pk).exists()
    assert client.post(f"{edit}fjern/", {"confirm": "yes"})["Location"] == page(world)
    with tenant_context(world.pta_a):
        assert not AgreementProduct.objects.filter(pk=row.pk).exists()
