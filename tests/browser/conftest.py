from __future__ import annotations

import os
import shutil

import pytest
from django.core.cache import cache

from tests.base import PASSWORD
from tests.servers import (
    ARTIFACTS,
    free_port,
    python,
    start_process,
    stop_process,
    subprocess_env,
    wait_for_port,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API keeps an event loop on the main thread; Django's ORM
# calls from the test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = ARTIFACTS.parent / "node_modules" / "axe-core" / "axe.min.js"
# Records what the Content-Security-Policy blocks on a page (checked by check_accessibility).
# Init scripts come from the browser's DevTools protocol, which the policy does not govern.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ${e.sample || ""}`);
});
"""


class CspWatchingBrowser:
    """The browser, with every new context and page recording Content-Security-Policy violations."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.add_init_script(CSP_WATCH)
        return context

    def new_page(self, **kwargs):
        page = self._browser.new_page(**kwargs)
        page.add_init_script(CSP_WATCH)
        return page


@pytest.fixture(scope="session")
def browser():
    # No silent skip: a missing browser or axe-core fails the suite (`make test` installs both).
    assert shutil.which("chromium") or shutil.which(CHROMIUM), "Debian's chromium is missing (tests/setup_browser.sh)"
    assert AXE.exists(), "axe-core is missing: run `npm ci`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield CspWatchingBrowser(browser)
        browser.close()


@pytest.fixture
def live_server_port(committed_world):
    """gunicorn (sync workers, no threads) serving the test database on a free port."""
    port = free_port()
    env = subprocess_env(DJANGO_TESTING="1", SITE_PORT=str(port))
    process, log = start_process(
        "gunicorn",
        [python(), "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env,
    )
    try:
        wait_for_port(port)
        cache.clear()  # forget TOTP codes used by earlier tests (test Redis database only)
        yield port
    finally:
        stop_process(process)


def check_accessibility(page, name: str) -> None:
    """Run axe-core (WCAG 2.1 A/AA rules) and fail on serious or critical violations,
    and on anything the page's Content-Security-Policy blocked."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    blocked = page.evaluate("() => window.__cspViolations")
    assert blocked == [], f"Content-Security-Policy violations on {name} ({page.url}): {blocked}"
    # Evaluated through the DevTools protocol: a <script> tag (add_script_tag) is inline, which the policy blocks.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        # resultTypes: full details for violations only (passes keep one node per rule), which is faster.
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},"
        " resultTypes: ['violations']})"
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']]}"
        f" ({v['nodes'][0].get('failureSummary', '').splitlines()[-1].strip()})"
        for v in bad
    )
    assert not bad, f"Accessibility violations on {name} ({page.url}):\n{details}"
    assert result["passes"], "axe-core ran no checks"


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/")
    assert "/accounts/login/" in page.url
    check_accessibility(page, f"login-{email}")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
