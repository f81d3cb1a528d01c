"""Price periods: one price per product and day, refused overlaps (by the database and with a clear
message on the form), and price changes that never alter a month before them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from tests.base import client_for
from tests.factories import PriceFactory, ProductFactory, TicketPriceFactory, TicketTypeFactory
from tickets import selectors, services
from tickets.models import Price, TicketPrice

JAN, MAR, JUN, DEC = date(2026, 1, 1), date(2026, 3, 1), date(2026, 6, 30), date(2026, 12, 31)


def test_the_database_refuses_two_overlapping_periods_of_one_product(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
        PriceFactory(product=product, valid_from=JAN, valid_to=None)
        with pytest.raises(IntegrityError), transaction.atomic():
            Price.objects.create(product=product, valid_from=MAR, valid_to=JUN, amount=Decimal("1"))
        with pytest.raises(IntegrityError), transaction.atomic():
            # Both days included: a period starting on the last day of another overlaps it.
            closed = ProductFactory()
            PriceFactory(product=closed, valid_from=JAN, valid_to=date(2026, 2, 28))
            Price.objects.create(product=closed, valid_from=date(2026, 2, 28), valid_to=None, amount=Decimal("1"))
        # Another product's periods, and periods that only touch, are fine.
        PriceFactory(valid_from=JAN, valid_to=None)
        PriceFactory(product=ProductFactory(), valid_from=JAN, valid_to=date(2026, 2, 28))


def test_the_database_refuses_overlapping_ticket_prices_and_a_company_price_above_the_ordinary(world):
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory()
        TicketPriceFactory(ticket_type=ticket_type, valid_from=JAN)
        with pytest.raises(IntegrityError), transaction.atomic():
            TicketPrice.objects.create(ticket_type=ticket_type, valid_from=MAR, annual_price=Decimal("9000"))
        with pytest.raises(IntegrityError), transaction.atomic():
            # 10 800 / 12 = 900.00 < 900.01
            TicketPriceFactory(annual_price=Decimal("10800"), company_price=Decimal("900.01"))


def test_price_on_picks_the_period_that_covers_the_day(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
        PriceFactory(product=product, valid_from=JAN, valid_to=date(2026, 2, 28), amount=Decimal("100"))
        PriceFactory(product=product, valid_from=MAR, valid_to=None, amount=Decimal("120"))
        assert selectors.price_on(product=product, day=date(2025, 12, 31)) is None
        assert selectors.price_on(product=product, day=JAN).amount == Decimal("100")
        assert selectors.price_on(product=product, day=date(2026, 2, 28)).amount == Decimal("100")
        assert selectors.price_on(product=product, day=MAR).amount == Decimal("120")
        assert selectors.price_on(product=product, day=date(2030, 1, 1)).amount == Decimal("120")


def test_a_later_price_change_closes_the_open_period_and_leaves_earlier_months_alone(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
        services.price_add(product=product, valid_from=JAN, valid_to=None, amount=Decimal("100"), today=JAN)
        january_before = selectors.price_on(product=product, day=date(2026, 1, 15))

        services.price_add(
            product=product, valid_from=MAR, valid_to=None, amount=Decimal("120"), today=date(2026, 2, 10)
        )

        first, second = Price.objects.filter(product=product).order_by("valid_from")
        assert (first.valid_from, first.valid_to, first.amount) == (JAN, date(2026, 2, 28), Decimal("100"))
        assert (second.valid_from, second.valid_to, second.amount) == (MAR, None, Decimal("120"))
        january_after = selectors.price_on(product=product, day=date(2026, 1, 15))
        assert january_after.pk == january_before.pk and january_after.amount == Decimal("100")
        assert selectors.price_on(product=product, day=date(2026, 2, 28)).amount == Decimal("100")


def test_a_price_change_before_this_month_is_refused_and_nothing_is_stored(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
        services.price_add(product=product, valid_from=JAN, valid_to=None, amount=Decimal("100"), today=JAN)
        with pytest.raises(ValidationError) as refused:
            services.price_add(
                product=product, valid_from=MAR, valid_to=None, amount=Decimal("90"), today=date(2026, 4, 2)
            )
        assert "valid_from" in refused.value.message_dict
        assert "01.03.2026" in refused.value.message_dict["valid_from"][0]
        only = Price.objects.get(product=product)
        assert only.valid_to is None and only.amount == Decimal("100")


def test_an_overlapping_period_is_refused_with_the_period_it_meets(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
        services.price_add(product=product, valid_from=JAN, valid_to=JUN, amount=Decimal("100"), today=JAN)
        with pytest.raises(ValidationError) as refused:
            services.price_add(product=product, valid_from=MAR, valid_to=DEC, amount=Decimal("110"), today=JAN)
        message = refused.value.message_dict["valid_from"][0]
        assert "01.03.2026" in message and "31.12.2026" in message  # the new period
        assert "01.01.2026" in message and "30.06.2026" in message  # the one it meets
        assert Price.objects.filter(product=product).count() == 1


def test_the_price_form_shows_the_overlap_on_the_field_and_stores_nothing(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
        PriceFactory(product=product, valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31))
    response = client_for(world.admin_a).post(
        f"/produkter/{product.pk}/priser/", {"valid_from": "2027-06-01", "valid_to": "2027-06-30", "amount": "300"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["valid_from"]
    assert "01.06.2027" in errors[0] and "01.01.2027" in errors[0] and "31.12.2027" in errors[0]
    with tenant_context(world.pta_a):
        assert Price.objects.filter(product=product).count() == 1


def test_an_admin_adds_a_price_through_the_form(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
    response = client_for(world.admin_a).post(
        f"/produkter/{product.pk}/priser/", {"valid_from": "2027-01-01", "valid_to": "", "amount": "249.50"}
    )
    assert response.status_code == 302 and response["Location"] == f"/produkter/{product.pk}/"
    with tenant_context(world.pta_a):
        price = Price.objects.get(product=product)
        assert (price.valid_from, price.valid_to, price.amount) == (date(2027, 1, 1), None, Decimal("249.50"))


def test_a_period_that_ends_before_it_starts_is_refused_by_the_form(world):
    with tenant_context(world.pta_a):
        product = ProductFactory()
    response = client_for(world.admin_a).post(
        f"/produkter/{product.pk}/priser/", {"valid_from": "2027-03-01", "valid_to": "2027-02-01", "amount": "10"}
    )
    assert response.status_code == 200 and "valid_to" in response.context["form"].errors
    with tenant_context(world.pta_a):
        assert not Price.objects.filter(product=product).exists()
