"""Headers: a Content-Security-Policy on every HTML page, templates it can
allow (no inline script or style), and a production that refuses the
placeholder secret key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from config.composition_tags import REFRESH_TRIGGER
from tenants.models import Pta
from tests.base import HOST_A, HOST_B, NATIONAL_HOST
from tests.test_access_matrix import (
    NATIONAL_MATRIX,
    NATIONAL_ROLES,
    NATIONAL_URLCONF,
    PTA_MATRIX,
    PTA_ROLES,
    PTA_URLCONF,
    Objects,
    client_and_objects,
    path_for,
)

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE_DIR / "templates", *sorted(BASE_DIR.glob("*/templates"))]


def _policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_strict(response, where: str) -> None:
    policy = _policy(response)
    for directive in ("script-src", "style-src"):
        sources = policy.get(directive, policy.get("default-src"))
        assert sources == ["'self'"], f"{where}: {directive} {sources}"
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], where
    assert policy["base-uri"] == ["'none'"], where


@pytest.fixture(autouse=True)
def media(tmp_path):
    storages = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    with override_settings(STORAGES=storages):
        yield


# --- Every HTML page carries the policy ------------------------------------------------

# Roles whose pages are read: every GET row of the access matrix that answers them 200.
PTA_READERS = ("contact_own", "adviser", "admin")
NATIONAL_READERS = ("coordinator",)


def _html_pages(site: str, matrix: dict, roles: tuple, readers: tuple):
    for key, row in matrix.items():
        for role in readers:
            if row.method == "get" and row.expect[roles.index(role)] == 200:
                yield pytest.param(site, key, role, id=f"{'national/' if site == NATIONAL_URLCONF else ''}{key}-{role}")


@pytest.mark.parametrize(
    ("site", "key", "role"),
    [
        *_html_pages(PTA_URLCONF, PTA_MATRIX, PTA_ROLES, PTA_READERS),
        *_html_pages(NATIONAL_URLCONF, NATIONAL_MATRIX, NATIONAL_ROLES, NATIONAL_READERS),
    ],
)
def test_every_html_page_has_a_policy_without_unsafe_inline(world, site, key, role):
    matrix = PTA_MATRIX if site == PTA_URLCONF else NATIONAL_MATRIX
    row = matrix[key]
    client, objects = client_and_objects(site, role, world, Objects(world))
    path = path_for(site, key, row.kwargs(objects)) + (row.query(objects) if row.query else "")
    response = client.get(path)
    assert response.status_code == 200, path
    if response["Content-Type"].startswith("text/html"):
        _assert_strict(response, f"{role} {path}")
        assert b"<style" not in response.content and b" style=" not in response.content, path


@pytest.mark.parametrize(
    ("host", "path", "status"),
    [
        (HOST_A, "/accounts/login/", 200),
        (HOST_A, "/accounts/password/reset/", 200),
        (NATIONAL_HOST, "/accounts/login/", 200),
        (HOST_A, "/finnes-ikke/", 404),
        ("ukjent.localhost", "/", 404),  # answered by TenantMiddleware itself
    ],
)
def test_pages_for_anonymous_visitors_have_the_policy(world, host, path, status):
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code == status
    _assert_strict(response, f"{host}{path}")


def test_signed_in_error_pages_have_the_policy(world):
    from tests.base import client_for

    # A signed-in contact person asking for a staff page (403) and for a missing one (404).
    client = client_for(world.contact_a1)
    for path, status in (("/i-dag/", 403), ("/finnes-ikke/", 404)):
        response = client.get(path)
        assert response.status_code == status
        _assert_strict(response, path)


def test_downloads_of_stored_files_keep_their_own_stricter_policy(world):
    from tests.base import client_for

    objects = Objects(world)
    export = objects.finished_export
    response = client_for(world.contact_a1).get(
        reverse("employees:export_download", args=[objects.company.pk, export.pk])
    )
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


# --- The PTA's colour without an inline style ------------------------------------------


def test_brand_colour_comes_from_a_cached_stylesheet_of_the_host(world):
    css_a = Client(HTTP_HOST=HOST_A).get("/brand.css")
    assert css_a.status_code == 200
    assert css_a["Content-Type"] == "text/css; charset=utf-8"
    # Designsystemet's accent colours, mixed from the PTA's (tests/tenants/test_brand.py checks their contrast).
    assert "--ds-color-accent-base-default: #00507d;" in css_a.content.decode()
    assert css_a["Cache-Control"] == "public, max-age=86400"
    assert "--ds-color-accent-base-default: #2f3d45;" in Client(HTTP_HOST=HOST_B).get("/brand.css").content.decode()
    assert b"#1f4e79" in Client(HTTP_HOST=NATIONAL_HOST).get("/brand.css").content
    # The login page links it with the colour in its URL, so a new colour is fetched at once.
    page = Client(HTTP_HOST=HOST_A).get("/accounts/login/").content.decode()
    assert '<link rel="stylesheet" href="/brand.css?v=00507d">' in page


def test_a_colour_changed_around_the_validators_never_writes_css(world):
    Pta.objects.filter(pk=world.pta_a.pk).update(brand_colour="red}*{x")
    css = Client(HTTP_HOST=HOST_A).get("/brand.css").content.decode()
    assert "--ds-color-accent-base-default: #1f4e79;" in css
    assert "red" not in css and "*" not in css


def test_brand_stylesheet_is_served_to_signed_in_users_without_a_membership(world):
    from tests.base import client_for

    # The coordinator has no membership on PTA A's host; its 403 page still gets the colour.
    assert client_for(world.coordinator, HOST_A).get("/brand.css").status_code == 200


# --- The templates hold nothing the policy would block ---------------------------------

INLINE = [
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "a <script> without src"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on* event handler attribute"),
    (re.compile(r"\shx-on", re.I), "an hx-on attribute (evaluated with Function())"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"hx-trigger\s*=\s*[\"'][^\"']*\[", re.I), "an hx-trigger filter (evaluated with Function())"),
    (re.compile(r"hx-(vals|vars|headers)\s*=\s*[\"']\s*(js|javascript):", re.I), "hx-vals/hx-headers with js:"),
]


def _templates():
    for directory in TEMPLATE_DIRS:
        yield from sorted(p for p in directory.rglob("*.html") if "emails" not in p.parts)


def test_no_template_holds_inline_script_or_style():
    templates = list(_templates())
    assert len(templates) > 30 and any(p.name == "base.html" for p in templates)
    found = [
        f"{path.relative_to(BASE_DIR)}:{text[: match.start()].count(chr(10)) + 1}: {what}"
        for path in templates
        for text in [path.read_text()]
        for pattern, what in INLINE
        for match in pattern.finditer(text)
    ]
    assert not found, "Inline script or style the Content-Security-Policy would block:\n" + "\n".join(found)


def test_the_inline_check_finds_what_it_looks_for():
    sample = (
        '<p style="color:red" onclick="x()">'
        "<style>p{}</style><script>alert(1)</script>"
        '<div hx-on:click="x()" hx-trigger="keyup[key==\'Enter\']"></div>'
    )
    assert {what for pattern, what in INLINE if pattern.search(sample)} >= {
        "a <style> element",
        "a style attribute",
        "a <script> without src",
        "an on* event handler attribute",
        "an hx-on attribute (evaluated with Function())",
        "an hx-trigger filter (evaluated with Function())",
    }
    assert not any(pattern.search('<script src="/static/js/app.js" defer></script>') for pattern, _ in INLINE)


def test_card_refresh_trigger_needs_no_eval():
    assert "[" not in REFRESH_TRIGGER


def test_htmx_is_configured_for_the_policy(world):
    page = Client(HTTP_HOST=HOST_A).get("/accounts/login/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false' in page


# --- The secret key ---------------------------------------------------------------------


def _placeholder() -> str:
    line = next(
        line for line in (BASE_DIR / ".env.example").read_text().splitlines() if line.startswith("DJANGO_SECRET_KEY=")
    )
    return line.split("=", 1)[1]


def _start_production(secret_key: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key,
        "DATABASE_URL": "postgres://x@localhost/x",
        "REDIS_URL": "redis://localhost:6379/0",
        "EMBEDDED_SERVICES": "0",
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_placeholder_in_env_example_is_the_one_settings_refuse():
    assert _placeholder() == settings.SECRET_KEY_PLACEHOLDER


@pytest.mark.parametrize("secret_key", [_placeholder(), "kort-men-tilfeldig-9f2c", ""])
def test_production_refuses_to_start_with_the_placeholder_or_a_short_secret_key(secret_key):
    result = _start_production(secret_key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_long_random_secret_key():
    import secrets

    result = _start_production(secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr
