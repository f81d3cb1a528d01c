"""Destructive actions ask first: a GET (or a POST without the confirmation)
shows what will happen and removes nothing; the confirmation page's POST does it.
No JavaScript: the page is a plain form posting back with confirm=yes."""

from __future__ import annotations

import pytest
from django.db.models import Max
from django.test import Client
from django_tenants.utils import tenant_context

from companies.models import Company, ContactPerson, Department, Location
from tenants.models import Membership, Role
from tests.base import HOST_A, client_for
from tests.factories import CompanyFactory, DepartmentFactory, LocationFactory

CONFIRM = {"confirm": "yes"}


@pytest.fixture
def location(world):
    with tenant_context(world.pta_a):
        return LocationFactory(company=world.company_a1, name="Hovedkontoret")


@pytest.fixture
def department(world):
    with tenant_context(world.pta_a):
        return DepartmentFactory(company=world.company_a1, name="Økonomi")


def _contact(world) -> ContactPerson:
    with tenant_context(world.pta_a):
        return ContactPerson.objects.get(user=world.contact_a1.user, company=world.company_a1)


def _exists(world, model, pk) -> bool:
    with tenant_context(world.pta_a):
        return model.objects.filter(pk=pk).exists()


def _confirmation_form(response) -> str:
    content = response.content.decode()
    assert response.status_code == 200
    assert '<input type="hidden" name="confirm" value="yes">' in content
    return content


# --- Locations and departments -------------------------------------------------------


def test_removing_a_location_asks_first_and_names_what_happens(world, location):
    url = f"/bedrifter/{world.company_a1.pk}/lokasjoner/{location.pk}/fjern/"
    content = _confirmation_form(client_for(world.adviser_a).get(url))
    assert "Hovedkontoret" in content
    assert "uten lokasjon" in content  # employees stay, with no location
    assert f'href="/bedrifter/{world.company_a1.pk}/"' in content  # cancel: back to the overview
    assert _exists(world, Location, location.pk)


def test_a_post_without_the_confirmation_removes_no_location(world, location):
    url = f"/bedrifter/{world.company_a1.pk}/lokasjoner/{location.pk}/fjern/"
    _confirmation_form(client_for(world.adviser_a).post(url))
    assert _exists(world, Location, location.pk)


def test_a_confirmed_post_removes_the_location(world, location):
    url = f"/bedrifter/{world.company_a1.pk}/lokasjoner/{location.pk}/fjern/"
    response = client_for(world.adviser_a).post(url, CONFIRM)
    assert response["Location"] == f"/bedrifter/{world.company_a1.pk}/"
    assert not _exists(world, Location, location.pk)


def test_removing_a_department_asks_first_and_a_confirmed_post_removes_it(world, department):
    url = f"/bedrifter/{world.company_a1.pk}/avdelinger/{department.pk}/fjern/"
    client = client_for(world.adviser_a)
    assert "Økonomi" in _confirmation_form(client.get(url))
    _confirmation_form(client.post(url))
    assert _exists(world, Department, department.pk)
    assert client.post(url, CONFIRM).status_code == 302
    assert not _exists(world, Department, department.pk)


def test_the_overview_links_to_the_confirmation_pages(world, location, department):
    content = client_for(world.adviser_a).get(f"/bedrifter/{world.company_a1.pk}/").content.decode()
    assert f'href="/bedrifter/{world.company_a1.pk}/lokasjoner/{location.pk}/fjern/"' in content
    assert f'href="/bedrifter/{world.company_a1.pk}/avdelinger/{department.pk}/fjern/"' in content


# --- A contact person's access -------------------------------------------------------


def test_removing_a_contact_persons_access_asks_first_naming_person_and_company(world):
    contact = _contact(world)
    url = f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{contact.pk}/fjern/"
    content = _confirmation_form(client_for(world.adviser_a).get(url))
    assert str(world.contact_a1.user) in content and "Alfa Energi AS" in content
    # Their only company here: their access to the PTA goes too, and the page says so.
    assert "eneste bedrift hos Region A" in content
    response = client_for(world.adviser_a).post(url)
    _confirmation_form(response)
    assert _exists(world, ContactPerson, contact.pk)
    assert Membership.objects.filter(user=world.contact_a1.user, tenant=world.pta_a).exists()


def test_a_confirmed_post_removes_the_contact_persons_access(world):
    contact = _contact(world)
    url = f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{contact.pk}/fjern/"
    response = client_for(world.adviser_a).post(url, CONFIRM)
    assert response["Location"] == f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/"
    assert not _exists(world, ContactPerson, contact.pk)
    assert not Membership.objects.filter(user=world.contact_a1.user, tenant=world.pta_a).exists()


def test_confirmation_pages_are_refused_as_the_actions_are(world, location):
    contact = _contact(world)
    pages = [
        f"/bedrifter/{world.company_a1.pk}/lokasjoner/{location.pk}/fjern/",
        f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{contact.pk}/fjern/",
    ]
    for url in pages:
        assert Client(HTTP_HOST=HOST_A).get(url)["Location"].startswith("/accounts/login/")
        assert client_for(world.contact_a1).get(url).status_code == 403  # staff only
        # Another company's location or contact through this company's URL: 404.
        other = url.replace(f"/bedrifter/{world.company_a1.pk}/", f"/bedrifter/{world.company_a2.pk}/")
        assert client_for(world.adviser_a).get(other).status_code == 404
    assert _exists(world, Location, location.pk) and _exists(world, ContactPerson, contact.pk)


def test_another_ptas_adviser_gets_404_for_the_confirmation_page(world):
    # A company of PTA A with an id PTA B's schema does not have (ids may coincide between schemas).
    with tenant_context(world.pta_b):
        highest_b = Company.objects.aggregate(m=Max("pk"))["m"] or 0
    with tenant_context(world.pta_a):
        highest_a = Company.objects.aggregate(m=Max("pk"))["m"] or 0
        company = CompanyFactory(pk=max(highest_a, highest_b) + 1000)
        location = LocationFactory(company=company)
    url = f"/bedrifter/{company.pk}/lokasjoner/{location.pk}/fjern/"
    assert client_for(world.adviser_b).get(url).status_code == 404
    assert client_for(world.adviser_b).post(url, CONFIRM).status_code == 404
    assert _exists(world, Location, location.pk)


# --- A user's access to the PTA (users page) -----------------------------------------


def test_removing_a_users_access_asks_first_and_a_confirmed_post_removes_it(world):
    membership = Membership.objects.get(user=world.contact_a2.user, tenant=world.pta_a)
    url = f"/brukere/{membership.pk}/fjern/"
    admin = client_for(world.admin_a)
    content = _confirmation_form(admin.get(url))
    assert world.contact_a2.user.name_with_email() in content
    _confirmation_form(admin.post(url))
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert admin.post(url, CONFIRM)["Location"] == "/brukere/"
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_users_confirmation_page_is_for_the_ptas_admin_only(world):
    membership = Membership.objects.get(user=world.contact_a2.user, tenant=world.pta_a)
    url = f"/brukere/{membership.pk}/fjern/"
    assert Client(HTTP_HOST=HOST_A).get(url)["Location"].startswith("/accounts/login/")
    assert client_for(world.adviser_a).get(url).status_code == 403
    assert client_for(world.adviser_b).get(url).status_code == 403  # not PTA B's admin either
    assert Membership.objects.filter(pk=membership.pk, role=Role.CONTACT).exists()
