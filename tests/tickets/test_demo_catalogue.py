"""The demo data (reporting/demo.py) seeds a priced catalogue and agreements whose figures compute."""

from __future__ import annotations

import random
from datetime import date

from django_tenants.utils import tenant_context

from reporting import demo
from tests.factories import AgreementFactory, CompanyFactory
from tickets import selectors
from tickets.models import AgreementProduct, Product, TicketType


def test_the_demo_catalogue_and_agreements_give_a_months_figures(world):
    rng = random.Random(2027)
    with tenant_context(world.pta_a):
        catalogue = demo._seed_catalogue(rng=rng)
        assert Product.objects.filter(national_product__isnull=False).count() == 9
        assert {"Bysykkel", "Bildeling"} <= set(Product.objects.values_list("name", flat=True))
        assert TicketType.objects.count() == len(demo.DEMO_TICKET_TYPES)
        for _ in range(5):
            company = CompanyFactory(municipality="Sandnes", finance_sector=True)
            demo._seed_agreement_products(rng=rng, agreement=AgreementFactory(company=company), catalogue=catalogue)
            assert AgreementProduct.objects.filter(agreement__company=company).count() == 3
            for ticket_type in TicketType.objects.all():
                figures = selectors.ticket_month_for(company=company, ticket_type=ticket_type, month=date(2026, 12, 1))
                assert figures.zone == "1" and figures.financial_tax_rate == 5
                assert 0 <= figures.subsidy <= figures.company_price <= figures.ordinary
