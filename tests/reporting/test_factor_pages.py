"""The emission factor pages: on the national site the coordinator's table and its CSV edit
(a bad table refused with its messages, nothing saved); on a PTA's host the effective table
(advisers read, the PTA admin adds and removes the region's overrides, validated); and who is
refused (anonymous, contact persons, another PTA's staff, the coordinator on a PTA host)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import include, path
from django.utils import translation
from django_tenants.utils import tenant_context

from config import urls as pta_urls
from config import urls_public
from reporting.models import EmissionFactorOverride
from tenants import views_factors
from tenants.factors import SEED_TABLE, to_csv
from tenants.models import EmissionFactor
from tests.base import HOST_A, NATIONAL_HOST, client_for
from tests.surveys.test_round_pages import signed_in_on

# The sites' URLs with these pages, until config/urls.py and config/urls_public.py route them.
NATIONAL_URLS = [
    path("utslippsfaktorer/", views_factors.national_factors, name="national_factors"),
    path("utslippsfaktorer/endre/", views_factors.national_factors_edit, name="national_factors_edit"),
]


class NationalUrls:
    urlpatterns = [*NATIONAL_URLS, path("", include(urls_public.urlpatterns))]


class PtaUrls:
    urlpatterns = [path("", include("reporting.urls_factors")), path("", include(pta_urls.urlpatterns))]


@pytest.fixture(autouse=True)
def _routes(settings):
    if "national_factors" not in {getattr(p, "name", None) for p in urls_public.urlpatterns}:
        settings.PUBLIC_SCHEMA_URLCONF = NationalUrls
    if not any(getattr(p, "namespace", None) == "emission_factors" for p in pta_urls.urlpatterns):
        settings.ROOT_URLCONF = PtaUrls
    settings.MILJODATA_BASE_URL = ""


def _override(pta, **fields) -> EmissionFactorOverride:
    values = {"mode": "bus", "grams_per_pkm": Decimal("4"), "valid_from": 2025, "source": "Elbuss"} | fields
    with tenant_context(pta):
        return EmissionFactorOverride.objects.create(**values)


# --- who may ---------------------------------------------------------------------------------


def test_the_national_pages_are_the_coordinators(world):
    clients = {
        "anonymous": client_for(None, NATIONAL_HOST),
        "coordinator": client_for(world.coordinator),
        "pta_admin": signed_in_on(world.admin_a, NATIONAL_HOST),
        "contact": signed_in_on(world.contact_a1, NATIONAL_HOST),
    }
    for url in ("/utslippsfaktorer/", "/utslippsfaktorer/endre/"):
        statuses = {role: client.get(url).status_code for role, client in clients.items()}
        assert statuses == {"anonymous": 302, "coordinator": 200, "pta_admin": 403, "contact": 403}, url
        assert clients["pta_admin"].post(url, {"table": to_csv(list(SEED_TABLE))}).status_code in (403, 405)


def test_the_pta_pages_by_role(world):
    override = _override(world.pta_a)
    clients = {
        "anonymous": client_for(None, HOST_A),
        "contact_own": client_for(world.contact_a1),
        "contact_other": client_for(world.contact_a2),
        "adviser": client_for(world.adviser_a),
        "admin": client_for(world.admin_a),
        "other_pta": client_for(world.adviser_b),
        "coordinator": signed_in_on(world.coordinator, HOST_A),
    }
    expected = {
        "/utslippsfaktorer/": (302, 403, 403, 200, 200, 200, 403),
        "/utslippsfaktorer/ny/": (302, 403, 403, 403, 200, 403, 403),
        f"/utslippsfaktorer/{override.pk}/fjern/": (302, 403, 403, 403, 200, 403, 403),
    }
    for url, statuses in expected.items():
        got = tuple(client.get(url).status_code for client in clients.values())
        assert got == statuses, url
    # The adviser reads without the edit buttons; nothing was removed by a GET.
    page = clients["adviser"].get("/utslippsfaktorer/")
    assert page.context["can_edit"] is False and b'id="override-add"' not in page.content
    assert b'id="override-add"' in clients["admin"].get("/utslippsfaktorer/").content
    for role in ("adviser", "contact_own", "coordinator"):
        assert clients[role].post(f"/utslippsfaktorer/{override.pk}/fjern/", {"confirm": "yes"}).status_code == 403
    with tenant_context(world.pta_a):
        assert EmissionFactorOverride.objects.filter(pk=override.pk).exists()


def test_another_ptas_override_is_not_found(world):
    theirs = _override(world.pta_b, mode="tram")
    with tenant_context(world.pta_a):
        missing = theirs.pk + 1000 if EmissionFactorOverride.objects.filter(pk=theirs.pk).exists() else theirs.pk
    assert client_for(world.admin_a).get(f"/utslippsfaktorer/{missing}/fjern/").status_code == 404


# --- the national table ------------------------------------------------------------------------


def test_the_national_table_shows_figures_and_substitutes(world):
    page = client_for(world.coordinator).get("/utslippsfaktorer/")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-mode="bus"' in text and 'data-mode="tram"' in text
    assert len(page.context["rows"]) == len(SEED_TABLE)
    assert "Statistics Norway" in text and "substitute SSB&#x27;s rail figure" in text


def test_the_edit_page_saves_a_whole_table(world):
    client = client_for(world.coordinator)
    form = client.get("/utslippsfaktorer/endre/")
    text = form.context["form"]["table"].value()
    assert text.startswith("mode;grams_per_pkm;") and "bus;59;2019;;tailpipe;" in text
    changed = text.replace("bus;59;2019;;", "bus;59;2019;2026;") + "bus;20;2027;;tailpipe;Elbusser;2026;yes;\n"
    saved = client.post("/utslippsfaktorer/endre/", {"table": changed})
    assert saved.status_code == 302 and saved["Location"] == "/utslippsfaktorer/"
    assert list(EmissionFactor.objects.filter(mode="bus").values_list("valid_from", "valid_until")) == [
        (2019, 2026),
        (2027, None),
    ]


def test_a_bad_table_is_refused_with_its_messages_and_nothing_saved(world):
    """The page runs in bokmål: the messages are checked by the row, mode and value they name."""
    client = client_for(world.coordinator)
    before = list(EmissionFactor.objects.order_by("pk").values_list("pk", "grams_per_pkm"))
    text = to_csv(list(SEED_TABLE)).replace("bus;59;", "bus;-4;")
    text = text.replace("train;12.2;2019;;tailpipe", "train;12.2;2019;;lifecycle")
    lines = [line for line in text.split("\n") if not line.startswith("ferry;")]
    bus_line = next(i for i, line in enumerate(lines) if line.startswith("bus;")) + 1
    page = client.post("/utslippsfaktorer/endre/", {"table": "\n".join(lines)})
    errors = page.context["form"].errors["table"]
    assert page.status_code == 200 and len(errors) == 3, errors
    assert any(f"{bus_line} (bus)" in e and "-4" in e for e in errors)
    assert any("(train)" in e and "lifecycle" in e for e in errors)
    assert any("ferry" in e for e in errors)
    assert list(EmissionFactor.objects.order_by("pk").values_list("pk", "grams_per_pkm")) == before


# --- the PTA's overrides -----------------------------------------------------------------------


def _form(**fields) -> dict:
    return {
        "mode": "bus",
        "grams_per_pkm": "4.5",
        "valid_from": "2025",
        "valid_until": "",
        "source": "Kolumbus, elektriske bybusser",
        "note": "",
    } | fields


def test_the_admin_adds_an_override_and_the_table_shows_it(world):
    admin = client_for(world.admin_a)
    added = admin.post("/utslippsfaktorer/ny/", _form())
    assert added.status_code == 302 and added["Location"] == "/utslippsfaktorer/"
    with tenant_context(world.pta_a):
        override = EmissionFactorOverride.objects.get()
    assert override.grams_per_pkm == Decimal("4.5") and override.updated_by == world.admin_a.user
    page = client_for(world.adviser_a).get("/utslippsfaktorer/?year=2026")
    bus = dict((f.mode, f) for _label, f in page.context["rows"])["bus"]
    assert bus.regional and bus.grams_per_pkm == Decimal("4.5")
    assert b'data-mode="bus" data-regional="yes"' in page.content
    # Before its years, the national row.
    earlier = client_for(world.adviser_a).get("/utslippsfaktorer/?year=2024")
    assert dict((f.mode, f) for _label, f in earlier.context["rows"])["bus"].grams_per_pkm == Decimal("59")
    # PTA B does not see it.
    other = client_for(world.adviser_b).get("/utslippsfaktorer/", HTTP_HOST="pta-b.localhost")
    assert dict((f.mode, f) for _label, f in other.context["rows"])["bus"].grams_per_pkm == Decimal("59")


@pytest.mark.parametrize(
    ("fields", "field", "names"),
    [
        ({"mode": "hoverboard"}, "mode", ["hoverboard"]),
        ({"grams_per_pkm": "-1"}, "grams_per_pkm", ["0"]),
        ({"valid_until": "2020"}, "valid_until", ["2020", "2025"]),
        ({"valid_from": "2030"}, "valid_from", ["2030", "4.00", "2028"]),
        ({"source": ""}, "source", []),
    ],
)
def test_a_bad_override_is_refused(world, fields, field, names):
    """Refused on the field, the message naming the values (the page runs in bokmål); nothing written."""
    _override(world.pta_a, valid_from=2028, valid_until=None)
    page = client_for(world.admin_a).post("/utslippsfaktorer/ny/", _form(**fields))
    errors = page.context["form"].errors
    assert page.status_code == 200 and list(errors) == [field], errors
    assert all(name in errors[field][0] for name in names), errors
    with tenant_context(world.pta_a):
        assert EmissionFactorOverride.objects.count() == 1


def test_the_service_refuses_what_the_form_would_let_through(world):
    from django.core.exceptions import ValidationError

    from reporting import services_factors

    with tenant_context(world.pta_a), translation.override("en"):
        for kwargs, field in (
            ({"mode": "boat"}, "mode"),
            ({"grams_per_pkm": Decimal("-2")}, "grams_per_pkm"),
            ({"source": " "}, "source"),
        ):
            values = {
                "mode": "bus",
                "grams_per_pkm": Decimal("1"),
                "valid_from": 2025,
                "valid_until": None,
                "source": "x",
            } | kwargs
            with pytest.raises(ValidationError) as caught:
                services_factors.override_add(**values)
            assert list(caught.value.message_dict) == [field]
        assert not EmissionFactorOverride.objects.exists()


def test_an_override_before_anothers_years_is_allowed(world):
    _override(world.pta_a, valid_from=2028, valid_until=None)
    added = client_for(world.admin_a).post("/utslippsfaktorer/ny/", _form(valid_from="2025", valid_until="2027"))
    assert added.status_code == 302


def test_the_admin_removes_an_override_after_confirming(world):
    override = _override(world.pta_a)
    admin = client_for(world.admin_a)
    asked = admin.post(f"/utslippsfaktorer/{override.pk}/fjern/")
    assert asked.status_code == 200 and b'name="confirm"' in asked.content
    with tenant_context(world.pta_a):
        assert EmissionFactorOverride.objects.filter(pk=override.pk).exists()
    removed = admin.post(f"/utslippsfaktorer/{override.pk}/fjern/", {"confirm": "yes"})
    assert removed.status_code == 302 and removed["Location"] == "/utslippsfaktorer/"
    with tenant_context(world.pta_a):
        assert not EmissionFactorOverride.objects.exists()
