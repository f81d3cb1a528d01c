"""People are shown by name (User.__str__: the full name, or the address of
someone who gave none), with the address where two people could be confused."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from tenants.models import Membership
from tests.base import client_for


@pytest.fixture
def kari(world):
    user = world.adviser_a.user
    user.first_name, user.last_name = "Kari", "Nordmann"
    user.save(update_fields=["first_name", "last_name"])
    return user


def test_the_header_names_the_signed_in_user(world, kari):
    content = client_for(world.adviser_a).get("/bedrifter/").content.decode()
    assert '<span class="user-name" title="radgiver@a.test.no">Kari Nordmann' in content


def test_the_company_overview_names_the_responsible_adviser_with_the_address(world, kari):
    content = client_for(world.adviser_a).get(f"/bedrifter/{world.company_a1.pk}/").content.decode()
    assert 'Kari Nordmann <span class="muted">radgiver@a.test.no</span>' in content


def test_the_adviser_filter_and_form_offer_advisers_by_name(world, kari):
    form = client_for(world.adviser_a).get("/bedrifter/ny/").context["form"]
    assert (kari.pk, "Kari Nordmann") in form.fields["adviser"].choices


def test_someone_without_a_name_is_shown_by_address(world):
    user = world.contact_a2.user
    user.first_name = ""
    user.save(update_fields=["first_name"])
    assert str(user) == user.email == user.name_with_email()


def test_removing_a_users_access_says_whose_by_name_and_address(world):
    membership = Membership.objects.get(user=world.contact_a2.user, tenant=world.pta_a)
    response = client_for(world.admin_a).post(f"/brukere/{membership.pk}/fjern/", {"confirm": "yes"})
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Kontakt2 (kontakt2@a.test.no)" in message
