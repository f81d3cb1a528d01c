from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from tenants import services
from tenants.models import Domain, Pta, RegionStats
from tests.base import HOST_A, HOST_B, client_for


def test_unknown_host_gets_clear_404(world):
    response = client_for(None, "nowhere.localhost").get("/")
    assert response.status_code == 404
    assert b"nowhere.localhost" in response.content


def test_each_host_routes_to_its_own_tenant(world):
    a = client_for(world.adviser_a).get("/i-dag/")
    b = client_for(world.adviser_b).get("/i-dag/")
    assert a.status_code == b.status_code == 200
    assert a.context["tenant"].schema_name == "ptaa"
    assert b.context["tenant"].schema_name == "ptab"
    assert b"Region A" in a.content and b"Region A" not in b.content


def test_cache_key_read_from_two_tenants_returns_each_tenants_value(world):
    with tenant_context(world.pta_a):
        cache.set("greeting", "from A")
    with tenant_context(world.pta_b):
        assert cache.get("greeting") is None
        cache.set("greeting", "from B")
    with tenant_context(world.pta_a):
        assert cache.get("greeting") == "from A"
    with tenant_context(world.pta_b):
        assert cache.get("greeting") == "from B"
        cache.delete("greeting")
    with tenant_context(world.pta_a):
        cache.delete("greeting")


def test_session_cookie_from_one_tenant_is_refused_on_another(world):
    client = client_for(world.adviser_a)
    assert client.get("/i-dag/").status_code == 200
    cookie_a = client.cookies["sessionid"].value
    # The same session cookie carried by hand to PTA B's host: treated as anonymous.
    response = client.get("/i-dag/", HTTP_HOST=HOST_B)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    # ...and the session on A's host is left intact (the test client keeps one
    # cookie jar for every host, so put A's cookie back as a browser would).
    client.cookies["sessionid"] = cookie_a
    assert client.get("/i-dag/", HTTP_HOST=HOST_A).status_code == 200


def test_member_of_another_tenant_gets_403(world):
    client = client_for(world.adviser_b)
    session = client.session
    session["tenant_schema"] = "ptaa"  # a fresh sign-in on A's host
    session.save()
    response = client.get("/i-dag/", HTTP_HOST=HOST_A)
    assert response.status_code == 403


def test_suspended_pta_shows_notice_not_data(world):
    services.pta_set_active(pta=world.pta_b, active=False)
    try:
        response = client_for(world.adviser_b).get("/i-dag/")
        assert response.status_code == 503
        assert b"Gamma Helse" not in response.content
    finally:
        services.pta_set_active(pta=world.pta_b, active=True)


@pytest.mark.django_db(transaction=False)
def test_create_pta_command_provisions_a_usable_tenant(world, django_db_blocker):
    pta = services.pta_create(name="Region C", slug="ptac", domain="pta-c.localhost", org_number="923609016")
    assert schema_exists("ptac")
    assert Domain.objects.get(domain="pta-c.localhost").tenant == pta
    assert RegionStats.objects.filter(tenant=pta).exists()
    with tenant_context(pta):
        from companies.models import Company

        assert Company.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"slug": "ptaa", "domain": "new.localhost"}, "slug"),
        ({"slug": "fresh", "domain": HOST_A}, "domain"),
        ({"slug": "fresh", "domain": "new.localhost", "org_number": "123456789"}, "org_number"),
        ({"slug": "Bad Slug", "domain": "new.localhost"}, "slug"),
        ({"slug": "fresh", "domain": "new.localhost", "brand_colour": "#ffff00"}, "brand_colour"),
    ],
)
def test_provisioning_rejects_bad_input_and_writes_nothing(world, kwargs, field):
    before = (Pta.objects.count(), Domain.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.pta_create(name="Ny", **kwargs)
    assert field in exc.value.message_dict
    assert (Pta.objects.count(), Domain.objects.count()) == before
    assert not schema_exists("fresh")


def test_failed_provisioning_leaves_no_schema_or_rows(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(RegionStats.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.pta_create(name="Region D", slug="ptad", domain="pta-d.localhost")
    assert not Pta.objects.filter(slug="ptad").exists()
    assert not Domain.objects.filter(domain="pta-d.localhost").exists()
    assert not schema_exists("ptad")
    assert connection.schema_name == "public"


def test_pages_are_in_bokmal_whatever_the_browser_prefers(world):
    client = client_for(None, HOST_A)
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="nb">' in page.content.decode()
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()
