"""The Entur Miljødata adapter (reporting.emission_factors.MiljodataProvider) against a local fake
HTTP server the test starts: a good answer used (Entur mode names mapped, missing modes from the
table with a note) and cached (the second call makes no request); 503 twice then 200 used after
the retries; a server that keeps failing, a 4xx (not retried), a slow server (timed out) and an
unusable answer fall back to the table with the reason; not configured uses the table."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_tenants.utils import tenant_context

from reporting import emission_factors
from reporting.emission_factors import factors_for
from reporting.models import EmissionFactorOverride
from tests.servers import free_port

KEY = "hemmelig-nokkel"

GOOD = {
    "basis": "tailpipe",
    "factors": [
        {"mode": "bus", "grams_per_pkm": 41.5, "source": "Entur Miljødata", "year": 2025},
        {"mode": "rail", "grams_per_pkm": 9, "source": "Entur Miljødata", "year": 2025},
        {"mode": "water", "grams_per_pkm": "180", "source": "Entur Miljødata", "year": 2024},
        {"mode": "air", "grams_per_pkm": 150, "source": "Entur Miljødata", "year": 2024},
    ],
}


@dataclass
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class FakeMiljodata:
    """Answers each GET with the next of `answers`: a status code (an error), ("slow", seconds)
    or a dict (200 with it as JSON); GOOD when they run out."""

    answers: deque = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)
    url: str = ""


@contextmanager
def fake_miljodata(*answers):
    state = FakeMiljodata(answers=deque(answers))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            with lock:
                state.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
                answer = state.answers.popleft() if state.answers else GOOD
            if isinstance(answer, tuple):
                time.sleep(answer[1])
                answer = GOOD
            status, body = (
                (answer, b'{"error": "down"}') if isinstance(answer, int) else (200, json.dumps(answer).encode())
            )
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timed out)

        def log_message(self, *args):
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{port}/miljodata"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _own_cache_and_quick_retries(settings, monkeypatch):
    """A cache of the test's own (not the shared Redis), and retries without the backoff sleep."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }
    monkeypatch.setattr(emission_factors, "RETRY_BACKOFF", (0.0, 0.0))
    settings.MILJODATA_API_KEY = KEY
    settings.MILJODATA_TIMEOUT = 2


def _configure(settings, server: FakeMiljodata, timeout: float = 2):
    settings.MILJODATA_BASE_URL = server.url
    settings.MILJODATA_TIMEOUT = timeout


def test_a_good_answer_is_used_and_cached(world, settings):
    with fake_miljodata(GOOD) as server, tenant_context(world.pta_a):
        _configure(settings, server)
        factor_set = factors_for(year=2026)
        again = factors_for(year=2026)
    assert factor_set.provider == "miljodata" and factor_set.fallback_reason == "" and factor_set.basis == "tailpipe"
    assert factor_set.grams("bus") == Decimal("41.5") and factor_set.factors["bus"].source_year == 2025
    # Entur's names mapped to the survey's.
    assert factor_set.grams("train") == Decimal("9") and "rail" in factor_set.factors["train"].note
    assert factor_set.grams("ferry") == Decimal("180")
    # Modes Miljødata does not give come from the table, and say so.
    car = factor_set.factors["car_driver"]
    assert car.grams_per_pkm == Decimal("112.2") and car.note.startswith("Not given by Miljødata")
    assert set(factor_set.factors) >= {"walk", "tram", "other"}
    # The request: the documented path, the key and the client name.
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request.path == "/miljodata/v1/emission-factors?year=2026"
    assert request.headers["authorization"] == f"Bearer {KEY}" and request.headers["et-client-name"]
    # The second call made no request.
    assert again == factor_set


def test_the_cache_is_per_year(world, settings):
    with fake_miljodata(GOOD, GOOD) as server, tenant_context(world.pta_a):
        _configure(settings, server)
        factors_for(year=2026)
        factors_for(year=2025)
        factors_for(year=2026)
    assert [r.path.rsplit("=", 1)[1] for r in server.requests] == ["2026", "2025"]


def test_503_twice_then_200_is_used_after_the_retries(world, settings):
    with fake_miljodata(503, 503, GOOD) as server, tenant_context(world.pta_a):
        _configure(settings, server)
        factor_set = factors_for(year=2026)
    assert len(server.requests) == 3
    assert factor_set.provider == "miljodata" and factor_set.grams("bus") == Decimal("41.5")


def test_a_failing_server_falls_back_to_the_table_with_the_reason(world, settings):
    with fake_miljodata(503, 503, 503, 503) as server, tenant_context(world.pta_a):
        _configure(settings, server)
        factor_set = factors_for(year=2026)
        # A second report soon after does not wait for the server again.
        again = factors_for(year=2026)
    assert len(server.requests) == 3  # the first try and two retries
    assert factor_set.provider == "table" and factor_set.grams("bus") == Decimal("59")
    assert factor_set.fallback_reason == "HTTP 503 (3 attempts)"
    assert again.provider == "table" and again.fallback_reason.startswith("HTTP 503 (3 attempts) (a recent attempt")


def test_a_4xx_is_not_retried(world, settings):
    with fake_miljodata(401) as server, tenant_context(world.pta_a):
        _configure(settings, server)
        factor_set = factors_for(year=2026)
    assert len(server.requests) == 1
    assert factor_set.provider == "table" and factor_set.fallback_reason == "HTTP 401"


def test_a_slow_server_times_out_and_falls_back(world, settings):
    with fake_miljodata(("slow", 1.5), ("slow", 1.5), ("slow", 1.5)) as server, tenant_context(world.pta_a):
        _configure(settings, server, timeout=0.3)
        started = time.monotonic()
        factor_set = factors_for(year=2026)
        elapsed = time.monotonic() - started
    assert factor_set.provider == "table" and factor_set.grams("bus") == Decimal("59")
    assert factor_set.fallback_reason == "timed out after 0.3 s (3 attempts)"
    assert elapsed < 3  # three attempts of 0.3 s, not the server's 1.5 s each


def test_no_server_at_all_falls_back(world, settings):
    settings.MILJODATA_BASE_URL = f"http://127.0.0.1:{free_port()}"
    with tenant_context(world.pta_a):
        factor_set = factors_for(year=2026)
    assert factor_set.provider == "table" and factor_set.fallback_reason.startswith("no answer")


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"basis": "tailpipe"}, "the answer has no list of factors"),
        ({"basis": "wheel", "factors": []}, "the answer's basis 'wheel' is not one of tailpipe, lifecycle"),
        (
            {"basis": "tailpipe", "factors": [{"mode": "bus", "grams_per_pkm": -3, "year": 2025}]},
            "the factor for bus is not a number of 0 or more",
        ),
        (
            {"basis": "lifecycle", "factors": [{"mode": "bus", "grams_per_pkm": 80, "year": 2025}]},
            "Miljødata's basis (lifecycle) is not the table's (tailpipe), and it gives no figure for walk",
        ),
    ],
)
def test_an_unusable_answer_falls_back_with_the_reason(world, settings, answer, reason):
    with fake_miljodata(answer) as server, tenant_context(world.pta_a):
        _configure(settings, server)
        factor_set = factors_for(year=2026)
    assert factor_set.provider == "table"
    assert factor_set.fallback_reason.startswith(reason)


def test_the_table_rows_it_completes_with_are_the_regions(world, settings):
    with fake_miljodata(GOOD) as server, tenant_context(world.pta_a):
        EmissionFactorOverride.objects.create(
            mode="tram", grams_per_pkm=Decimal("3"), valid_from=2020, source="Bybanen"
        )
        _configure(settings, server)
        factor_set = factors_for(year=2026)
    tram = factor_set.factors["tram"]
    assert tram.grams_per_pkm == Decimal("3") and tram.regional and "Not given by Miljødata" in tram.note


def test_not_configured_uses_the_table(world, settings):
    settings.MILJODATA_BASE_URL = ""
    with tenant_context(world.pta_a):
        factor_set = factors_for(year=2026)
    assert factor_set.provider == "table" and factor_set.fallback_reason == "not configured"
