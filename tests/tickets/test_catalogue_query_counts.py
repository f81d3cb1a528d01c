"""The catalogue's list pages read the same number of statements however many rows they show."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.base import client_for
from tests.factories import (
    AgreementFactory,
    AgreementProductFactory,
    PriceFactory,
    ProductFactory,
    TicketPriceFactory,
    TicketTypeFactory,
)


def _statements(client, path: str) -> int:
    client.get(path)  # warm up (sessions, translations)
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context)


def _add_products(world, n: int) -> None:
    with tenant_context(world.pta_a):
        for _ in range(n):
            product = ProductFactory()
            PriceFactory(product=product, valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30))
            PriceFactory(product=product, valid_from=date(2026, 7, 1), valid_to=None)


def _add_ticket_types(world, n: int) -> None:
    with tenant_context(world.pta_a):
        for _ in range(n):
            TicketPriceFactory(ticket_type=TicketTypeFactory(), valid_from=date(2026, 1, 1))


def _add_agreement_products(world, n: int) -> None:
    with tenant_context(world.pta_a):
        agreement = AgreementFactory._meta.model.objects.filter(company=world.company_a1).first()
        agreement = agreement or AgreementFactory(company=world.company_a1)
        for _ in range(n):
            AgreementProductFactory(agreement=agreement)


@pytest.mark.parametrize(
    ("persona", "path", "add"),
    [
        ("admin_a", "/produkter/", _add_products),
        ("adviser_a", "/billettyper/", _add_ticket_types),
        ("adviser_a", "agreement", _add_agreement_products),
    ],
)
def test_list_pages_do_not_query_per_row(world, persona, path, add):
    if path == "agreement":
        path = f"/bedrifter/{world.company_a1.pk}/avtale/produkter/"
    client = client_for(getattr(world, persona))
    add(world, 2)
    few = _statements(client, path)
    add(world, 5)
    assert _statements(client, path) == few
