"""The region switcher's hand-over between two PTA hosts (tenants.handover)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import ContactPerson
from tenants.handover import SALT, HandoverRefused, handover_create, handover_redeem
from tenants.models import Handover, Membership, Pta, Role
from tests.base import HOST_A, HOST_B, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_in_b(world):
    """contact_a1 is also the contact person of company B1 in PTA B."""
    user = world.contact_a1.user
    membership = Membership.objects.create(user=user, tenant=world.pta_b, role=Role.CONTACT)
    with tenant_context(world.pta_b):
        link = ContactPerson.objects.create(user=user, company=world.company_b1)
    yield user
    with tenant_context(world.pta_b):
        link.delete()
    membership.delete()
    Handover.objects.filter(user=user).delete()


def _switch(world):
    client = client_for(world.contact_a1)
    response = client.post(f"/min-side/region/{world.pta_b.pk}/")
    assert response.status_code == 302
    prefix = f"http://{HOST_B}/overgang/"
    assert response["Location"].startswith(prefix)
    return response["Location"][len(f"http://{HOST_B}") :]


def test_region_switcher_is_shown_and_hands_over(world, contact_in_b):
    page = client_for(world.contact_a1).get("/min-side/")
    assert page.status_code == 200
    assert f"/min-side/region/{world.pta_b.pk}/".encode() in page.content
    assert world.company_a1.name.encode() in page.content
    assert world.company_b1.name.encode() not in page.content

    path = _switch(world)
    target = client_for(None, host=HOST_B)
    assert target.get(path).status_code == 200  # opening does not use it
    assert Handover.objects.get(user=contact_in_b).used_at is None
    response = target.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/min-side/"
    minside = target.get("/min-side/")
    assert minside.status_code == 200
    assert world.company_b1.name.encode() in minside.content
    assert world.company_a1.name.encode() not in minside.content

    # Used once.
    again = client_for(None, host=HOST_B).post(path)
    assert again.status_code == 403


def test_forged_token_refused(world, contact_in_b):
    path = _switch(world)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert client_for(None, host=HOST_B).post(tampered).status_code == 403
    forged = signing.dumps({"k": "x", "u": contact_in_b.pk, "t": world.pta_b.pk}, salt="other")
    assert client_for(None, host=HOST_B).post(f"/overgang/{forged}/").status_code == 403


def test_expired_refused(world, contact_in_b):
    path = _switch(world)
    Handover.objects.filter(user=contact_in_b).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client_for(None, host=HOST_B).post(path).status_code == 403


def test_wrong_host_refused(world, contact_in_b):
    path = _switch(world)
    assert client_for(None, host=HOST_A).post(path).status_code == 403
    assert Handover.objects.get(user=contact_in_b).used_at is None


def test_other_signed_in_user_refused_and_stays(world, contact_in_b):
    path = _switch(world)
    other = client_for(world.contact_b1)
    assert other.post(path).status_code == 403
    assert int(other.session["_auth_user_id"]) == world.contact_b1.user.pk


def test_no_contact_membership_in_target_cannot_create(world):
    client = client_for(world.contact_a1)
    response = client.post(f"/min-side/region/{world.pta_b.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/min-side/"
    assert client.post(f"/min-side/region/{world.national.pk}/").status_code == 404
    with pytest.raises(HandoverRefused):
        handover_create(user=world.contact_a1.user, source=world.pta_a, target=world.pta_b)
    with pytest.raises(HandoverRefused):
        handover_create(user=world.contact_a1.user, source=world.pta_a, target=world.national)
    assert not Handover.objects.filter(user=world.contact_a1.user).exists()


def test_suspended_target_refused(world, contact_in_b):
    path = _switch(world)
    Pta.objects.filter(pk=world.pta_b.pk).update(is_active=False)
    world.pta_b.is_active = False
    try:
        assert client_for(None, host=HOST_B).post(path).status_code == 503
        with pytest.raises(HandoverRefused):
            handover_create(user=contact_in_b, source=world.pta_a, target=world.pta_b)
    finally:
        Pta.objects.filter(pk=world.pta_b.pk).update(is_active=True)
        world.pta_b.is_active = True


def test_membership_removed_before_use_refused(world, contact_in_b):
    token = handover_create(user=contact_in_b, source=world.pta_a, target=world.pta_b)
    assert signing.loads(token, salt=SALT)["t"] == world.pta_b.pk
    Membership.objects.filter(user=contact_in_b, tenant=world.pta_b).update(role=Role.ADVISER)
    with pytest.raises(HandoverRefused):
        handover_redeem(token=token, tenant=world.pta_b, current_user=None)
