"""Who reaches the catalogue pages: the denial paths (anonymous, contact person, adviser where only
admins may change, another PTA), the happy paths, and the method checks. The full grid is in
tests/test_access_matrix.py; these are the cases it cannot express (an admin of another PTA)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db.models import Max
from django_tenants.utils import tenant_context

from companies.models import Company
from tenants.models import Role
from tests.base import HOST_A, HOST_B, Persona, client_for
from tests.factories import CompanyFactory, ProductFactory, TicketTypeFactory, staff_user
from tickets.models import Product, TicketType

LISTS = ["/produkter/", "/billettyper/"]


@pytest.fixture
def admin_b(world) -> Persona:
    user = staff_user(world.pta_b, admin=True)
    TOTP.activate(user, generate_totp_secret())
    return Persona(user=user, host=HOST_B, role=Role.PTA_ADMIN)


def _only_in_a(world, factory):
    """A row of PTA A whose id PTA B's schema does not have."""
    with tenant_context(world.pta_b):
        highest_b = factory._meta.model.objects.aggregate(m=Max("pk"))["m"] or 0
    with tenant_context(world.pta_a):
        return factory(pk=highest_b + 1000)


@pytest.mark.parametrize("path", LISTS)
def test_anonymous_is_sent_to_login(world, path):
    response = client_for(None, HOST_A).get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", [*LISTS, "/produkter/ny/", "/billettyper/ny/"])
def test_a_contact_person_gets_403(world, path):
    assert client_for(world.contact_a1).get(path).status_code == 403


def test_an_adviser_sees_the_lists_but_cannot_change_the_catalogue(world):
    with tenant_context(world.pta_a):
        product = ProductFactory(name="Sparkesykkel")
        ticket_type = TicketTypeFactory()
    client = client_for(world.adviser_a)
    listing = client.get("/produkter/")
    assert listing.status_code == 200 and "Sparkesykkel" in listing.content.decode()
    assert client.get("/billettyper/").status_code == 200
    for path in ["/produkter/ny/", f"/produkter/{product.pk}/", f"/produkter/{product.pk}/priser/"]:
        assert client.get(path).status_code == 403, path
    assert client.get(f"/billettyper/{ticket_type.pk}/").status_code == 403
    assert client.post("/produkter/grunnpakke/").status_code == 403
    with tenant_context(world.pta_a):
        assert not Product.objects.filter(national_product__isnull=False).exists()


def test_an_admin_of_another_pta_gets_404_for_this_ptas_products_and_ticket_types(world, admin_b):
    product = _only_in_a(world, ProductFactory)
    ticket_type = _only_in_a(world, TicketTypeFactory)
    client = client_for(admin_b)
    assert client.get("/produkter/").status_code == 200  # their own PTA's list
    assert client.get(f"/produkter/{product.pk}/").status_code == 404
    assert client.get(f"/produkter/{product.pk}/priser/").status_code == 404
    assert client.get(f"/billettyper/{ticket_type.pk}/").status_code == 404
    assert client.post(f"/billettyper/{ticket_type.pk}/priser/", {"valid_from": "2027-01-01"}).status_code == 404
    with tenant_context(world.pta_a):
        assert not TicketType.objects.get(pk=ticket_type.pk).prices.exists()


def test_another_ptas_staff_get_404_for_a_company_of_this_pta(world):
    with tenant_context(world.pta_b):
        unknown_in_b = (Company.objects.aggregate(m=Max("pk"))["m"] or 0) + 10_000
    with tenant_context(world.pta_a):
        company = CompanyFactory(pk=unknown_in_b)
    client = client_for(world.adviser_b)
    assert client.get(f"/bedrifter/{company.pk}/avtale/produkter/").status_code == 404
    assert client.get(f"/bedrifter/{company.pk}/kort/avtaleprodukter/").status_code == 404


def test_a_contact_person_cannot_reach_their_own_companys_agreement_products(world):
    assert client_for(world.contact_a1).get(f"/bedrifter/{world.company_a1.pk}/avtale/produkter/").status_code == 403


def test_an_admin_adopts_the_base_package_once(world):
    client = client_for(world.admin_a)
    assert client.post("/produkter/grunnpakke/")["Location"] == "/produkter/"
    with tenant_context(world.pta_a):
        adopted = Product.objects.filter(national_product__isnull=False)
        assert adopted.count() == 9
        ticket = adopted.get(national_product__code="corporate_ticket")
        assert (ticket.name, ticket.unit, str(ticket.vat_rate)) == ("Bedriftsbillett", "ticket_month", "12.00")
    client.post("/produkter/grunnpakke/")
    with tenant_context(world.pta_a):
        assert Product.objects.filter(national_product__isnull=False).count() == 9
    with tenant_context(world.pta_b):
        assert not Product.objects.exists()


def test_an_admin_adds_a_local_add_on_and_a_second_of_the_same_name_is_refused(world):
    client = client_for(world.admin_a)
    data = {"name": "Bysykkel", "description": "", "unit": "employee_month", "vat_rate": "12.00", "is_active": "on"}
    assert client.post("/produkter/ny/", data).status_code == 302
    again = client.post("/produkter/ny/", {**data, "name": "bysykkel"})
    assert again.status_code == 200 and again.context["form"].errors
    with tenant_context(world.pta_a):
        assert Product.objects.filter(name__iexact="bysykkel").count() == 1


@pytest.mark.parametrize(
    ("persona", "method", "path"),
    [
        ("adviser_a", "post", "/produkter/"),
        ("admin_a", "get", "/produkter/grunnpakke/"),
        ("adviser_a", "put", "/billettyper/"),
    ],
)
def test_other_methods_are_405(world, persona, method, path):
    assert getattr(client_for(getattr(world, persona)), method)(path).status_code == 405
