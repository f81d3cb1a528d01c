"""The national base package: seeded once in the public schema, owned by the coordinator."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenants.models import NationalProduct
from tests.base import NATIONAL_HOST, client_for
from tests.test_access_matrix import signed_in
from tickets import selectors
from tickets.models import Product

NINE = {
    "corporate_ticket",
    "travel_survey",
    "climate_report",
    "activities",
    "ebike_leasing",
    "health_talk",
    "bike_check",
    "ebike_trial",
    "la_bilen_sta",
}


def test_the_nine_base_products_are_seeded_and_every_pta_reads_them(world):
    assert set(NationalProduct.objects.values_list("code", flat=True)) >= NINE
    assert NationalProduct.objects.get(code="corporate_ticket").vat_rate == 12
    with tenant_context(world.pta_b):
        assert {n.code for n in selectors.base_package_to_adopt()} >= NINE


def test_the_coordinator_adds_edits_and_retires_a_product(world):
    client = client_for(world.coordinator)
    assert client.get("/grunnpakke/").status_code == 200
    data = {
        "code": "mobility_talk",
        "name": "Mobilitetsprat",
        "description": "",
        "unit": "event",
        "vat_rate": "25.00",
        "position": "100",
        "is_active": "on",
    }
    assert client.post("/grunnpakke/ny/", data)["Location"] == "/grunnpakke/"
    product = NationalProduct.objects.get(code="mobility_talk")
    with tenant_context(world.pta_a):
        assert product in selectors.base_package_to_adopt()

    edit = {**data, "name": "Mobilitetssamtale", "code": "changed"}
    del edit["is_active"]  # unticked: retired
    assert client.post(f"/grunnpakke/{product.pk}/", edit).status_code == 302
    product.refresh_from_db()
    assert (product.name, product.code, product.is_active) == ("Mobilitetssamtale", "mobility_talk", False)
    with tenant_context(world.pta_a):
        assert product not in selectors.base_package_to_adopt()


def test_a_duplicate_name_is_refused_on_the_field(world):
    response = client_for(world.coordinator).post(
        "/grunnpakke/ny/",
        {"code": "again", "name": "Sykkelsjekk", "unit": "event", "vat_rate": "25.00", "position": "1"},
    )
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert not NationalProduct.objects.filter(code="again").exists()


def test_pta_staff_and_contacts_cannot_reach_the_national_catalogue(world):
    for persona in (world.admin_a, world.contact_a1):
        # Signed in on the national host, where they have no membership.
        assert signed_in(persona, NATIONAL_HOST, world).get("/grunnpakke/").status_code == 403
    assert client_for(None, NATIONAL_HOST).get("/grunnpakke/")["Location"].startswith("/accounts/login/")


def test_a_retired_product_stays_with_the_ptas_that_adopted_it(world):
    national = NationalProduct.objects.get(code="bike_check")
    with tenant_context(world.pta_a):
        Product.objects.create(
            national_product=national, name=national.name, unit=national.unit, vat_rate=national.vat_rate
        )
    NationalProduct.objects.filter(pk=national.pk).update(is_active=False)
    with tenant_context(world.pta_a):
        assert Product.objects.get(national_product=national).is_active
        assert national.pk not in {n.pk for n in selectors.base_package_to_adopt()}
