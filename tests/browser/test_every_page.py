"""Every page of every role, on a wide screen (1280×800) and on a phone (390×844),
in real headless Chromium against gunicorn.

The pages come from the access matrix (tests/test_access_matrix.py): each GET row
whose answer for the role is 200, with the matrix's own objects of company A1,
so a new page with a row is visited here without being named. Responses that are
no whole HTML page (stylesheets, images, downloads, htmx fragments) are left out
by what they are, not by name. For every page and viewport:

- the status is below 400;
- the page does not scroll sideways (`scrollWidth <= innerWidth`): wide tables
  scroll inside their own region;
- axe-core finds no serious or critical WCAG 2.1 A/AA violation, and the
  Content-Security-Policy blocked nothing (check_accessibility);
- on the phone the header takes at most a fifth of the screen height, and its
  menu (a popover) opens with the language switch and sign-out in it.

A screenshot of each page and viewport is saved under test-artifacts/pages/.
One browser context per role and viewport; each role signs in once.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pgtrigger
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from employees.models import Employee
from surveys.models import Questionnaire, SurveyRound
from tenants.models import Invitation
from tests import test_access_matrix as matrix
from tests.base import HOST_A, NATIONAL_HOST, World
from tests.browser.conftest import check_accessibility, sign_in
from tests.servers import ARTIFACTS, free_port, python, start_process, stop_process, subprocess_env, wait_for_port
from tickets.models import EmailVerification

pytestmark = pytest.mark.browser

VIEWPORTS = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
HEADER_SHARE = 0.2  # of the viewport's height, on the phone
SCREENSHOTS = ARTIFACTS / "pages"

# Rows whose objects are files, not pages (building them would write a logo or document).
FILE_BUILDERS = {matrix.logo, matrix.document}
ISSUED_TRIGGERS = ("invoicing.Invoice:issued_invoice_is_final", "invoicing.InvoiceLine:issued_invoice_lines_are_final")
# Objects the matrix's builders create (committed here, so the server sees them); deleted afterwards.
CREATED = [
    # Invoicing's: the drafts before their run; an issued invoice is final, so it is removed with its
    # triggers switched off (ISSUED); the add-on before the product made for it.
    "draft_invoice",
    "invoice_run",
    "payment_upload",
    "unmatched_payment",
    "location",
    "department",
    "thread",
    "previewed_import",
    "finished_import",
    "finished_export",
    "previewed_company_import",
    "finished_company_import",
    # In this order: the application before its ticket type; the agreement takes its products with it,
    # then the product can go.
    "factor_override",
    "waiting_application",
    "agreement",
    "product",
    "ticket_type",
]


@dataclass(frozen=True)
class Role:
    name: str
    host: str
    persona: str | None  # a World persona; None: not signed in
    sources: tuple  # (urlconf, matrix, the matrix's role name), THIRD_PARTY rows under the urlconf


ROLES = [
    Role(
        "anonymous",
        HOST_A,
        None,
        ((matrix.PTA_URLCONF, "site", "anonymous"), (matrix.PTA_URLCONF, "third", "anonymous")),
    ),
    Role(
        "anonymous-national",
        NATIONAL_HOST,
        None,
        ((matrix.NATIONAL_URLCONF, "site", "anonymous"), (matrix.NATIONAL_URLCONF, "third", "anonymous")),
    ),
    Role("contact", HOST_A, "contact_a1", ((matrix.PTA_URLCONF, "site", "contact_own"),)),
    Role(
        "adviser",
        HOST_A,
        "adviser_a",
        ((matrix.PTA_URLCONF, "site", "adviser"), (matrix.PTA_URLCONF, "third", "signed_in")),
    ),
    Role("admin", HOST_A, "admin_a", ((matrix.PTA_URLCONF, "site", "admin"),)),
    Role(
        "coordinator",
        NATIONAL_HOST,
        "coordinator",
        ((matrix.NATIONAL_URLCONF, "site", "coordinator"), (matrix.NATIONAL_URLCONF, "third", "signed_in")),
    ),
]


def pages_of(role: Role, objects: matrix.Objects) -> list[tuple[str, str]]:
    """(name, path) of every GET row that answers 200 for the role."""
    found = []
    for urlconf, which, matrix_role in role.sources:
        if which == "third":
            rows, roles = matrix.THIRD_PARTY, matrix.THIRD_PARTY_ROLES
        else:
            rows, roles = matrix.SITES[urlconf]
        for key, row in rows.items():
            if row.method != "get" or row.expect[roles.index(matrix_role)] != 200 or row.kwargs in FILE_BUILDERS:
                continue
            path = matrix.path_for(urlconf, key, row.kwargs(objects)) + (row.query(objects) if row.query else "")
            found.append((re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-"), path))
    return found


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn on the test database (files in a temporary folder it shares with this
    process), the matrix's objects committed for it, and each role's signed-in state."""
    from tests.conftest import _world

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # only this run's pages, for the reviewer
    media = tmp_path_factory.mktemp("media")
    storages = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(media)}}}
    started = timezone.now()
    with django_db_blocker.unblock(), override_settings(STORAGES=storages):
        connection.set_schema_to_public()
        world: World = _world[0]
        objects = matrix.Objects(world)
        pages = {role.name: pages_of(role, objects) for role in ROLES}
        # The PTA admin sees the adviser's pages in the same layout: visit only the admin's own, and the start page.
        adviser_pages = set(pages["adviser"])
        pages["admin"] = pages["admin"][:1] + [p for p in pages["admin"][1:] if p not in adviser_pages]
        port = free_port()
        env = subprocess_env(DJANGO_TESTING="1", SITE_PORT=str(port), MEDIA_ROOT=str(media))
        process, _log = start_process(
            "gunicorn-every-page",
            [python(), "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env,
        )
        try:
            wait_for_port(port)
            cache.clear()  # forget TOTP codes used by earlier tests (test Redis database only)
            yield {"world": world, "port": port, "pages": pages, "states": {}}
        finally:
            stop_process(process)
            connection.set_schema_to_public()
            with tenant_context(world.pta_a):
                with pgtrigger.ignore(*ISSUED_TRIGGERS):
                    if "issued_invoice" in objects.__dict__:
                        objects.__dict__["issued_invoice"].delete()
                if "billable_item" in objects.__dict__:
                    item = objects.__dict__["billable_item"]
                    item.delete()
                    item.product.delete()
                if "climate_report" in objects.__dict__:
                    report = objects.__dict__["climate_report"]
                    report.delete()
                    report.document.delete()
                for name in CREATED:
                    if name in objects.__dict__:
                        objects.__dict__[name].delete()
                EmailVerification.objects.filter(company=world.company_a1).delete()
                # The survey rounds (tests.surveys.helpers.make_round, with employees of their own) and
                # the questionnaire versions the local question made.
                SurveyRound.objects.filter(company=world.company_a1).delete()
                Employee.objects.filter(company=world.company_a1, email__endswith="@bedrift.test.no").delete()
                Questionnaire.objects.filter(created_at__gte=started).delete()
            if "national_draft" in objects.__dict__:
                objects.__dict__["national_draft"].delete()
            Invitation.objects.filter(created_at__gte=started).delete()
            connection.set_schema_to_public()


def signed_in_state(browser, site, role: Role) -> dict | None:
    """The role's cookies after one real sign-in (with the two-factor step for staff), reused by every context."""
    if role.persona is None:
        return None
    if role.name not in site["states"]:
        persona = getattr(site["world"], role.persona)
        base = f"http://{role.host}:{site['port']}"
        context = browser.new_context(locale="nb-NO")
        page = context.new_page()
        sign_in(page, base, persona.email)
        if persona.totp_secret:
            page.get_by_label("Kode").fill(persona.totp_code())
            page.get_by_role("main").get_by_role("button", name="Logg inn").click()
            page.wait_for_load_state()
        assert "/accounts/" not in page.url, f"{role.name} is not signed in: {page.url}"
        site["states"][role.name] = context.storage_state()
        context.close()
    return site["states"][role.name]


OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll, .tabs ul'))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className ? '.' + String(e.className).trim().replace(/\\s+/g, '.') : ''))"""


IS_PAGE = """async (url) => {
  const response = await fetch(url, {credentials: "same-origin"});
  return (response.headers.get("content-type") || "").startsWith("text/html")
    && !(response.headers.get("content-disposition") || "").includes("attachment")
    && (await response.text()).includes("<main");
}"""


def is_page(page, url: str) -> bool:
    """A whole HTML page, not a stylesheet, image, download or htmx fragment. Asked with fetch() from a
    page of the same host, not by navigating there (the browser would start a download)."""
    return page.evaluate(IS_PAGE, url)


def check_page(page, url: str, shot: str, phone: bool) -> list[str]:
    """What is wrong with the page at `url`: nothing, or one line per problem."""
    response = page.goto(url)
    if response is None or response.status >= 400:
        return [f"{url}: status {response.status if response else 'none'}"]
    problems = []
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > inner_width:
        problems.append(f"{url}: scrolls sideways ({scroll_width} > {inner_width} px): {page.evaluate(OVERFLOWING)}")
    if phone:
        header = page.evaluate("() => document.querySelector('.site-header')?.getBoundingClientRect().height ?? -1")
        limit = HEADER_SHARE * page.viewport_size["height"]
        if not 0 < header <= limit:
            problems.append(f"{url}: header is {header} px high (at most {limit:.0f} px)")
    try:
        check_accessibility(page, shot)
    except AssertionError as exc:
        problems.append(str(exc).split("\nassert")[0])
    return problems


def check_phone_menu(page, role: Role, shot: str) -> list[str]:
    """On the phone the menu opens as a panel holding the navigation, the language switch and sign-out."""
    problems = []
    button = page.get_by_role("button", name="Meny")
    if not button.count() or not button.is_visible():
        return [f"{page.url}: no menu button"]
    button.click()
    menu = page.locator("#site-menu")
    if not menu.is_visible():
        return [f"{page.url}: the menu did not open"]
    if not menu.get_by_label("Språk").is_visible():
        problems.append(f"{page.url}: no language switch in the open menu")
    if role.persona and not menu.get_by_role("button", name="Logg ut").is_visible():
        problems.append(f"{page.url}: no sign-out button in the open menu")
    nav = menu.get_by_role("navigation", name="Hovedmeny")
    if nav.count() and not nav.get_by_role("link").first.is_visible():
        problems.append(f"{page.url}: the main menu's links are not in the open menu")
    try:
        check_accessibility(page, shot)
    except AssertionError as exc:
        problems.append(str(exc).split("\nassert")[0])
    page.keyboard.press("Escape")
    if menu.is_visible():
        problems.append(f"{page.url}: Escape did not close the menu")
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("role", ROLES, ids=[role.name for role in ROLES])
def test_every_page_works_on_a_wide_screen_and_a_phone(browser, site, role, viewport):
    pages = site["pages"][role.name]
    assert pages, f"no pages for {role.name}"
    base = f"http://{role.host}:{site['port']}"
    folder = SCREENSHOTS / viewport
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="nb-NO", viewport=VIEWPORTS[viewport], storage_state=signed_in_state(browser, site, role)
    )
    page = context.new_page()
    problems, visited = [], []
    try:
        page.goto(base + "/")  # on the host, so that is_page may fetch from it
        for name, path in pages:
            if not is_page(page, base + path):
                continue
            visited.append(path)
            problems += check_page(page, base + path, f"pages/{viewport}/{role.name}-{name}", viewport == "phone")
        assert visited, f"none of {role.name}'s rows is a page"
        if viewport == "phone":
            page.goto(base + visited[0])
            problems += check_phone_menu(page, role, f"pages/{viewport}/{role.name}-menu-open")
    finally:
        context.close()
    assert not problems, (
        f"{len(problems)} problem(s) on {len(visited)} pages for {role.name} at {viewport}:\n" + "\n".join(problems)
    )
