"""Every view: happy path, anonymous, wrong role, other tenant, wrong method."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.models import Membership
from tests.base import HOST_A, HOST_B, NATIONAL_HOST, client_for

STAFF_PAGES = ["/i-dag/", "/bedrifter/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_for_advisers(world, path):
    assert client_for(world.adviser_a).get(path).status_code == 200


@pytest.mark.parametrize("path", [*STAFF_PAGES, "/min-side/", "/brukere/"])
def test_anonymous_is_sent_to_login(world, path):
    response = client_for(None, HOST_A).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", [*STAFF_PAGES, "/brukere/"])
def test_contact_person_gets_403_on_staff_pages(world, path):
    assert client_for(world.contact_a1).get(path).status_code == 403


def test_adviser_gets_403_on_min_side_and_users(world):
    client = client_for(world.adviser_a)
    assert client.get("/min-side/").status_code == 403
    assert client.get("/brukere/").status_code == 403


def test_wrong_http_method_gets_405(world):
    assert client_for(world.adviser_a).post("/i-dag/").status_code == 405
    assert client_for(world.admin_a).put("/brukere/1/fjern/").status_code == 405


def test_company_list_shows_only_this_ptas_companies(world):
    content = client_for(world.adviser_b).get("/bedrifter/").content.decode()
    assert "Gamma Helse AS" in content
    assert "Alfa Energi AS" not in content


def test_company_list_search_and_status_filter(world):
    client = client_for(world.adviser_a)
    assert [c.name for c in client.get("/bedrifter/?q=alfa").context["page"]] == ["Alfa Energi AS"]
    assert [c.name for c in client.get("/bedrifter/?q=983544").context["page"]] == ["Beta Bygg AS"]
    assert list(client.get("/bedrifter/?status=ended").context["page"]) == []


def test_company_list_query_count_is_constant(world):
    client = client_for(world.adviser_a)
    client.get("/bedrifter/")  # warm up session and caches
    with CaptureQueriesContext(connection) as first:
        client.get("/bedrifter/")
    from companies.models import Company
    from employees.models import Employee

    connection.set_tenant(world.pta_a)
    extra = Company.objects.create(org_number="986105174", name="Delta Data AS")
    Employee.objects.create(company=extra, first_name="Ny", last_name="Ansatt")
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as second:
        response = client.get("/bedrifter/")
    assert len(response.context["page"]) == 3
    assert len(second) == len(first)


def test_contact_person_sees_only_own_company_and_cannot_switch_to_another(world):
    client = client_for(world.contact_a1)
    response = client.get("/min-side/")
    assert response.context["company"] == world.company_a1
    assert b"Beta Bygg AS" not in response.content
    # Tampering with the company switcher: another company of the same PTA.
    assert client.get(f"/min-side/?company={world.company_a2.pk}").status_code == 404


def test_contact_person_of_other_pta_cannot_use_min_side_here(world):
    client = client_for(world.contact_b1)
    session = client.session
    session["tenant_schema"] = "ptaa"
    session.save()
    assert client.get("/min-side/", HTTP_HOST=HOST_A).status_code == 403


def test_pta_admin_cannot_remove_membership_of_another_pta(world):
    other = Membership.objects.get(user=world.adviser_b.user)
    response = client_for(world.admin_a).post(f"/brukere/{other.pk}/fjern/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_national_pages_need_the_coordinator_role(world):
    coordinator = client_for(world.coordinator, NATIONAL_HOST)
    assert coordinator.get("/regioner/ny/").status_code == 200
    assert coordinator.get(f"/regioner/{world.pta_a.pk}/").status_code == 200
    # A PTA user signed in on the national site has no membership there.
    adviser = client_for(world.adviser_a)
    session = adviser.session
    session["tenant_schema"] = "public"
    session.save()
    assert adviser.get("/nasjonalt/", HTTP_HOST=NATIONAL_HOST).status_code == 403


def test_national_site_cannot_open_the_public_tenant_as_a_region(world):
    coordinator = client_for(world.coordinator, NATIONAL_HOST)
    assert coordinator.get(f"/regioner/{world.national.pk}/").status_code == 404


def test_coordinator_creates_pta_from_the_national_site(world):
    coordinator = client_for(world.coordinator, NATIONAL_HOST)
    response = coordinator.post(
        "/regioner/ny/",
        {
            "name": "Brakar",
            "slug": "brakar",
            "domain": "brakar.localhost",
            "org_number": "923 609 016",
            "brand_colour": "#1f4e79",
            "bank_account": "8601 11 17947",
            "vat_registered": "on",
        },
    )
    assert response.status_code == 302
    from tenants.models import Pta

    pta = Pta.objects.get(slug="brakar")
    assert pta.org_number == "923609016" and pta.bank_account == "86011117947"


def test_coordinator_form_shows_errors_for_duplicate_domain(world):
    coordinator = client_for(world.coordinator, NATIONAL_HOST)
    response = coordinator.post(
        "/regioner/ny/", {"name": "X", "slug": "xx", "domain": HOST_B, "brand_colour": "#1f4e79"}
    )
    assert response.status_code == 200
    assert "domain" in response.context["form"].errors


def test_coordinator_suspends_a_region(world):
    coordinator = client_for(world.coordinator, NATIONAL_HOST)
    coordinator.post(f"/regioner/{world.pta_b.pk}/aktiv/", {"active": "0", "confirm": "yes"})
    world.pta_b.refresh_from_db()
    assert world.pta_b.is_active is False
    coordinator.post(f"/regioner/{world.pta_b.pk}/aktiv/", {"active": "1"})


def test_company_search_with_htmx_returns_only_the_results_partial(world):
    response = client_for(world.adviser_a).get("/bedrifter/?q=beta", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="company-results"' in content
    assert "Beta Bygg AS" in content and "Alfa Energi AS" not in content
    assert "<html" not in content
