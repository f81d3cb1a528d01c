"""A user's own name and phone number (tenants.views.contact_details): the
phone number is cleaned like employees' mobile numbers and stored in E.164."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tenants import services
from tenants.models import User
from tenants.signals import SESSION_TENANT_KEY
from tests.base import HOST_A, client_for

PAGE = "/konto/kontaktinfo/"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("912 34 567", "+4791234567"), ("0047 22 33 44 55", "+4722334455"), ("+46 70 123 45 67", "+46701234567")],
)
def test_adviser_saves_a_phone_number_stored_in_e164(world, typed, stored):
    client = client_for(world.adviser_a)
    response = client.post(PAGE, {"first_name": "Rune", "last_name": "Rådgiver", "phone": typed})
    assert response.status_code == 302 and response["Location"] == PAGE
    user = User.objects.get(pk=world.adviser_a.user.pk)
    assert (user.first_name, user.last_name, user.phone) == ("Rune", "Rådgiver", stored)


def test_a_phone_number_that_is_none_is_refused_and_nothing_is_written(world):
    before = User.objects.get(pk=world.adviser_a.user.pk)
    response = client_for(world.adviser_a).post(PAGE, {"first_name": "Ny", "last_name": "Navn", "phone": "12345"})
    assert response.status_code == 200
    assert "12345" in response.context["form"].errors["phone"][0]
    after = User.objects.get(pk=world.adviser_a.user.pk)
    assert (after.first_name, after.phone) == (before.first_name, before.phone)


def test_the_service_refuses_a_number_not_in_e164(world):
    user = User.objects.get(pk=world.adviser_a.user.pk)
    with pytest.raises(ValidationError) as caught:
        services.user_set_contact_details(user=user, first_name="A", last_name="B", phone="912 34 567")
    assert "phone" in caught.value.message_dict
    assert User.objects.get(pk=user.pk).phone == ""


def test_the_phone_number_may_be_left_empty(world):
    response = client_for(world.contact_a1).post(PAGE, {"first_name": "Kari", "last_name": "Kontakt", "phone": ""})
    assert response.status_code == 302
    assert User.objects.get(pk=world.contact_a1.user.pk).phone == ""


def test_the_account_pages_link_to_the_contact_details(world):
    content = client_for(world.adviser_a).get("/accounts/password/change/").content.decode()
    assert f'href="{PAGE}"' in content


def test_anonymous_visitor_is_sent_to_sign_in(world):
    response = client_for(None, HOST_A).get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_someone_without_a_membership_of_the_pta_gets_403(world):
    client = client_for(world.adviser_b)
    session = client.session
    session[SESSION_TENANT_KEY] = world.pta_a.schema_name
    session.save()
    assert client.get(PAGE, HTTP_HOST=HOST_A).status_code == 403


def test_wrong_method_gets_405(world):
    assert client_for(world.adviser_a).put(PAGE).status_code == 405
