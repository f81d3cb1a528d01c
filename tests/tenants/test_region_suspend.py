"""Suspending a PTA asks first: the region page's button (a POST with active=0)
and a GET show the confirmation page; only its own POST suspends. Reactivating
needs no confirmation."""

from __future__ import annotations

from django.test import Client

from tenants.models import Pta
from tenants.signals import SESSION_TENANT_KEY
from tests.base import HOST_A, NATIONAL_HOST, client_for


def _url(world) -> str:
    return f"/regioner/{world.pta_b.pk}/aktiv/"


def _active(world) -> bool:
    return Pta.objects.get(pk=world.pta_b.pk).is_active


def test_suspending_a_pta_shows_what_happens_and_suspends_nothing_yet(world):
    coordinator = client_for(world.coordinator, NATIONAL_HOST)
    for response in (coordinator.get(_url(world)), coordinator.post(_url(world), {"active": "0"})):
        assert response.status_code == 200
        assert response.templates[0].name == "tenants/region_suspend_confirm.html"
        content = response.content.decode()
        assert "Sette Region B på pause?" in content
        assert "Ingenting slettes" in content
        assert '<input type="hidden" name="confirm" value="yes">' in content
        assert f'href="/regioner/{world.pta_b.pk}/"' in content  # cancel
    assert _active(world)


def test_the_confirmed_post_suspends_the_pta_and_its_host_closes(world):
    coordinator = client_for(world.coordinator, NATIONAL_HOST)
    response = coordinator.post(_url(world), {"active": "0", "confirm": "yes"})
    assert response["Location"] == f"/regioner/{world.pta_b.pk}/"
    assert not _active(world)
    assert client_for(world.adviser_b).get("/i-dag/").status_code == 503
    # Reactivating is not destructive: at once.
    assert coordinator.post(_url(world), {"active": "1"}).status_code == 302
    assert _active(world)


def test_only_the_coordinator_reaches_the_confirmation(world):
    assert Client(HTTP_HOST=NATIONAL_HOST).get(_url(world))["Location"].startswith("/accounts/login/")
    admin_on_national_site = Client(HTTP_HOST=NATIONAL_HOST)
    admin_on_national_site.force_login(world.admin_a.user, backend="django.contrib.auth.backends.ModelBackend")
    session = admin_on_national_site.session
    session[SESSION_TENANT_KEY] = world.national.schema_name
    session.save()
    assert admin_on_national_site.get(_url(world)).status_code == 403  # no membership there
    assert admin_on_national_site.post(_url(world), {"active": "0", "confirm": "yes"}).status_code == 403
    # The URL exists on the national site only.
    assert client_for(world.admin_a).get(_url(world)).status_code == 404
    assert _active(world)
    assert Client(HTTP_HOST=HOST_A).get("/").status_code == 302  # PTA A untouched
