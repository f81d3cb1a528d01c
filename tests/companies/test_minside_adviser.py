"""Min side names the company's responsible adviser, with e-mail and phone
(companies.views.adviser_card), or the PTA's contact e-mail without one; and
never anything of a company that is not the contact person's."""

from __future__ import annotations

from datetime import date

from django_tenants.utils import tenant_context

from companies.models import Agreement, Company
from tenants.models import Membership, Pta
from tests.base import HOST_A, client_for
from tests.factories import staff_user


def test_min_side_shows_the_advisers_name_email_and_phone(world):
    adviser = staff_user(world.pta_a, first_name="Rune", last_name="Rådgiver", phone="+4791234567")
    with tenant_context(world.pta_a):
        Company.objects.filter(pk=world.company_a1.pk).update(adviser=adviser)
    content = client_for(world.contact_a1).get("/min-side/").content.decode()
    assert "Rune Rådgiver" in content
    assert f'href="mailto:{adviser.email}"' in content
    assert 'href="tel:+4791234567"' in content and "+47 91 23 45 67" in content


def test_adviser_without_phone_is_shown_without_one(world):
    content = client_for(world.contact_a1).get(f"/bedrifter/{world.company_a1.pk}/kort/radgiver/").content.decode()
    assert world.adviser_a.email in content
    assert "tel:" not in content


def test_company_without_adviser_is_told_to_write_to_the_ptas_contact_email(world):
    Pta.objects.filter(pk=world.pta_a.pk).update(contact_email="bedrift@region-a.no")
    with tenant_context(world.pta_a):
        Company.objects.filter(pk=world.company_a1.pk).update(adviser=None)
    content = client_for(world.contact_a1).get("/min-side/").content.decode()
    assert 'href="mailto:bedrift@region-a.no"' in content


def test_contact_person_of_another_company_sees_neither_its_adviser_nor_its_figures(world):
    adviser = staff_user(world.pta_a, first_name="Hemmelig", last_name="Rådgiver", phone="+4790000001")
    with tenant_context(world.pta_a):
        Company.objects.filter(pk=world.company_a1.pk).update(adviser=adviser, employee_count=4242)
    client = client_for(world.contact_a2)
    assert client.get(f"/bedrifter/{world.company_a1.pk}/kort/radgiver/").status_code == 404
    content = client.get("/min-side/").content.decode()
    assert "Hemmelig" not in content and "+47 90 00 00 01" not in content and "4242" not in content


def test_min_side_shows_the_companys_key_figures(world):
    with tenant_context(world.pta_a):
        Agreement.objects.create(company=world.company_a1, start_date=date(2025, 1, 1), end_date=date(2099, 12, 31))
    response = client_for(world.contact_a1).get("/min-side/")
    content = response.content.decode()
    assert response.context["counts"]["active"] == 12  # the employees card
    assert "Medlem" in content and "Aktiv" in content and "31.12.2099" in content
    assert 'id="card-employees"' in content and 'id="card-adviser"' in content and 'id="card-next-steps"' in content


def test_anonymous_visitor_is_sent_to_sign_in_from_the_adviser_card(world):
    response = client_for(None, HOST_A).get(f"/bedrifter/{world.company_a1.pk}/kort/radgiver/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_adviser_who_left_the_pta_is_not_shown(world):
    adviser = staff_user(world.pta_a, first_name="Gammel", last_name="Rådgiver")
    with tenant_context(world.pta_a):
        Company.objects.filter(pk=world.company_a1.pk).update(adviser=adviser)
    Membership.objects.filter(user=adviser).delete()
    Pta.objects.filter(pk=world.pta_a.pk).update(contact_email="bedrift@region-a.no")
    content = client_for(world.contact_a1).get("/min-side/").content.decode()
    assert "Gammel" not in content and 'href="mailto:bedrift@region-a.no"' in content
