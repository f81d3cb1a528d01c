"""The site's own error pages with DEBUG off (as production and `make run` run):
404 and 403 in the site's layout, 500 a page of its own that reads nothing from
the database; each with a way back. And the demo's settings: DEBUG off unless
DJANGO_DEBUG says otherwise, a generated secret key kept in .data/, static files
served by whitenoise from the source folders."""

from __future__ import annotations

import secrets
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

from config.dev import embedded
from config.urls import urlpatterns as pta_urlpatterns
from tests.base import HOST_A, NATIONAL_HOST, client_for
from tests.servers import free_port, python, start_process, stop_process, subprocess_env, wait_for_port


def _fails(request):
    raise RuntimeError("a bug")


# The PTA site's URLs and one that fails, for the 500 page.
urlpatterns = [*pta_urlpatterns, path("feiler/", _fails)]


def test_debug_is_off_in_tests_as_in_production():
    assert settings.DEBUG is False


@pytest.mark.parametrize("host", [HOST_A, NATIONAL_HOST])
def test_unknown_page_is_the_sites_own_404_in_its_layout_with_a_way_back(world, host):
    response = Client(HTTP_HOST=host).get("/finnes-ikke/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Fant ikke siden" in content
    assert '<a class="brand" href="/">' in content  # the site's header
    assert 'href="/static/css/app.css"' in content
    assert '<a class="ds-link" href="/">Gå til forsiden</a>' in content
    assert "Traceback" not in content and "URLconf" not in content  # not Django's debug page


def test_forbidden_page_is_the_sites_own_403_with_a_way_back(world):
    response = client_for(world.contact_a1).get("/bedrifter/")
    assert response.status_code == 403
    content = response.content.decode()
    assert '<a class="brand" href="/">' in content and 'href="/"' in content


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_the_sites_own_500_page_with_a_way_back(world):
    client = Client(HTTP_HOST=HOST_A, raise_request_exception=False)
    response = client.get("/feiler/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Noe gikk galt" in content and "Something went wrong" in content
    assert 'href="/static/css/app.css"' in content
    assert '<a class="ds-link" href="/">Gå til forsiden</a>' in content
    assert "a bug" not in content and "Traceback" not in content


def test_stylesheets_are_served_with_debug_off(world):
    for name in ("css/app.css", "ds/index.css", "ds-theme/designsystemet.css"):
        response = Client(HTTP_HOST=HOST_A).get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/css")


# --- The demo (`make run`) -----------------------------------------------------------


def test_the_demo_gets_a_generated_secret_key_kept_between_runs(tmp_path):
    key_file = tmp_path / "dev-secret-key"
    key = embedded.dev_secret_key(key_file)
    assert len(key) >= 50 and key != settings.SECRET_KEY_PLACEHOLDER
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert embedded.dev_secret_key(key_file) == key  # the same key next time: sessions survive a restart


def _settings_of_a_demo(**env: str) -> str:
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://x@localhost/x",
        "REDIS_URL": "redis://localhost:6379/0",
        "EMBEDDED_SERVICES": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.WHITENOISE_USE_FINDERS, s.WHITENOISE_AUTOREFRESH, s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_demo_runs_with_debug_off_and_static_files_from_the_source_folders():
    assert _settings_of_a_demo() == "False True True django.contrib.staticfiles.storage.StaticFilesStorage"


def test_debug_is_available_to_developers_through_the_environment():
    assert _settings_of_a_demo(DJANGO_DEBUG="1").startswith("True ")


def test_the_demos_web_server_shows_the_404_page_and_serves_the_stylesheet(committed_world):
    """`manage.py runserver` as `make run` starts it (DEBUG off, the embedded machine's settings)."""
    port = free_port()
    env = subprocess_env(EMBEDDED_SERVICES="1", SITE_PORT=str(port))
    env.pop("DJANGO_DEBUG")
    process, log = start_process(
        "runserver-debug-off", [python(), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], env
    )
    try:
        wait_for_port(port)

        def get(path: str) -> tuple[int, str, str]:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": HOST_A})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (localhost)
                    return response.status, response.headers["Content-Type"], response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.headers["Content-Type"], error.read().decode()

        status, _type, page = get("/finnes-ikke/")
        assert status == 404, log.read_text()[-3000:]
        assert '<a class="ds-link" href="/">Gå til forsiden</a>' in page
        assert "Using the URLconf" not in page  # Django's debug 404
        status, content_type, _css = get("/static/css/app.css")
        assert (status, content_type.split(";")[0]) == (200, "text/css")
    finally:
        stop_process(process)
