"""An adviser copies a national company's agreement terms from another region: the base-package
products by national code with the employer's subsidies, read from the public footprint row only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import Agreement
from tenants.models import NationalProduct, ProductUnit, RegionCompany
from tests.base import client_for
from tests.factories import ProductFactory
from tickets.models import AgreementProduct

pytestmark = pytest.mark.django_db


def _national(code: str) -> NationalProduct:
    return NationalProduct.objects.get_or_create(code=code, defaults={"name": f"Grunnpakke {code}"})[0]


def _setup(world):
    bike, talk, missing = _national("test_bike"), _national("test_talk"), _national("test_missing")
    with tenant_context(world.pta_a):
        ProductFactory(national_product=bike, name="Sykkelsjekk A")
        ProductFactory(national_product=talk, name="Foredrag A", unit=ProductUnit.PER_EVENT)
        Agreement.objects.get_or_create(company=world.company_a1)
    RegionCompany.objects.create(
        tenant=world.pta_b,
        org_number=world.company_a1.org_number,
        name="Alfa Energi Vest AS",
        status="member",
        refreshed_at=timezone.now(),
        terms=[
            {"code": bike.code, "name": "Sykkelsjekk B", "subsidy_percent": "50.00", "subsidy_amount": None},
            {"code": talk.code, "name": "Foredrag B", "subsidy_percent": None, "subsidy_amount": None},
            {"code": missing.code, "name": "Noe A ikke har", "subsidy_percent": None, "subsidy_amount": None},
        ],
    )
    return f"/bedrifter/{world.company_a1.pk}/avtale/produkter/kopier/"


def test_an_adviser_copies_another_regions_terms_and_is_told_what_was_skipped(world):
    url = _setup(world)
    adviser = client_for(world.adviser_a)
    page = adviser.get(f"/bedrifter/{world.company_a1.pk}/avtale/produkter/").content.decode()
    assert url in page
    assert "Region B: Alfa Energi Vest AS" in adviser.get(url).content.decode()
    response = adviser.post(url, {"region": world.pta_b.pk}, follow=True)
    html = response.content.decode()
    assert "Sykkelsjekk A" in html and "Noe A ikke har" in html
    with tenant_context(world.pta_a):
        rows = {r.product.name: r for r in AgreementProduct.objects.filter(agreement__company=world.company_a1)}
    assert rows["Sykkelsjekk A"].subsidy_percent == Decimal("50.00")
    assert "Foredrag A" in rows
    # A second copy changes nothing and adds nothing.
    adviser.post(url, {"region": world.pta_b.pk})
    with tenant_context(world.pta_a):
        assert AgreementProduct.objects.filter(agreement__company=world.company_a1).count() == 2


def test_only_the_ptas_staff_copy_and_only_from_a_region_of_the_same_company(world):
    url = _setup(world)
    assert client_for(world.contact_a1).post(url, {"region": world.pta_b.pk}).status_code == 403
    assert client_for(world.adviser_a).post(url, {"region": world.pta_a.pk}).status_code == 404  # its own region
    assert client_for(world.adviser_b).post(url, {"region": world.pta_b.pk}).status_code == 404  # another PTA
    with tenant_context(world.pta_a):
        assert not AgreementProduct.objects.filter(agreement__company=world.company_a1).exists()
