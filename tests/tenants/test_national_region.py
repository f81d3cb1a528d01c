"""The national site: a region's page (its figures and a link to its own
site), a header that says each thing once, and the county chosen from
Norway's counties."""

from __future__ import annotations

import importlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tenants import services
from tenants.forms import PtaCreateForm
from tenants.models import County, Pta, RegionStats
from tenants.signals import SESSION_TENANT_KEY
from tests.base import NATIONAL_HOST, client_for


def region_page(world, host: str = NATIONAL_HOST, **extra) -> str:
    response = client_for(world.coordinator, host).get(f"/regioner/{world.pta_a.pk}/", **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_region_page_shows_the_regions_figures(world):
    RegionStats.objects.filter(tenant=world.pta_a).update(
        companies=321, member_companies=123, employees=4567, contact_persons=89, refreshed_at=timezone.now()
    )
    content = region_page(world)
    for figure in ("321", "123", "4\xa0567", "89"):
        assert figure in content, figure


def test_region_page_links_to_the_ptas_own_site_on_the_same_port_in_development(world):
    content = region_page(world, host=f"{NATIONAL_HOST}:8000")
    assert 'href="http://pta-a.localhost:8000/"' in content


def test_region_page_links_to_the_ptas_own_site_over_https_in_production(world, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    content = region_page(world, HTTP_X_FORWARDED_PROTO="https")
    assert 'href="https://pta-a.localhost/"' in content


def test_region_page_names_the_county(world):
    assert "Rogaland" in region_page(world)


def test_national_header_names_the_audience_once(world):
    content = client_for(world.coordinator).get("/nasjonalt/").content.decode()
    header = re.search(r"<header.*?</header>", content, re.S).group(0)
    assert header.count("Nasjonal koordinering") == 1


def test_the_region_page_is_for_the_coordinator_only(world):
    assert client_for(None).get(f"/regioner/{world.pta_a.pk}/").status_code == 302
    admin_on_national = client_for(world.admin_a, NATIONAL_HOST)
    session = admin_on_national.session
    session[SESSION_TENANT_KEY] = world.national.schema_name
    session.save()
    assert admin_on_national.get(f"/regioner/{world.pta_a.pk}/").status_code == 403


# --- The county --------------------------------------------------------------------------


def test_the_county_is_one_of_the_fifteen_counties_of_2024():
    assert len(County.choices) == 15
    assert County.OSLO == "03" and County.TROMS == "55" and County("46").label == "Vestland"


def test_the_new_pta_form_offers_the_counties_and_refuses_anything_else(world):
    data = {"name": "Ny", "slug": "ny", "domain": "ny.localhost", "brand_colour": "#1f4e79"}
    assert PtaCreateForm({**data, "county": County.AGDER}).is_valid()
    form = PtaCreateForm({**data, "county": "Viken"})
    assert not form.is_valid() and "county" in form.errors
    assert 'value="42"' in str(form["county"])


def test_provisioning_refuses_a_county_outside_the_list_and_creates_nothing(world):
    with pytest.raises(ValidationError) as caught:
        services.pta_create(name="Feil Fylke", slug="feilfylke", domain="feilfylke.localhost", county="99")
    assert "county" in caught.value.message_dict
    assert not Pta.objects.filter(slug="feilfylke").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'feilfylke'")
        assert cursor.fetchone() is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Rogaland", "11"),
        (" oslo ", "03"),
        ("Møre og Romsdal fylke", "15"),
        ("Trøndelag", "50"),
        ("Trøndelag – Trööndelage", "50"),
        ("Finnmárku", "56"),
        ("Troms", "55"),
        ("46", "46"),
        ("Viken", ""),
        ("Troms og Finnmark", ""),
        ("Vestfold og Telemark", ""),
        ("Rogalnd", ""),
    ],
)
def test_the_data_migration_maps_free_text_counties_by_name(text, number):
    migration = importlib.import_module("tenants.migrations.0005_pta_county_numbers")
    assert migration.county_number(text) == number


def test_the_migrations_county_names_cover_every_county():
    migration = importlib.import_module("tenants.migrations.0005_pta_county_numbers")
    assert set(migration.NAMES.values()) == set(County.values)
    for county in County:
        assert migration.county_number(county.label) == county.value, county.label
