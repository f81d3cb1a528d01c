"""Real headless Chromium against a real server: sign-in for staff (with the
two-factor step) and for a contact person, with axe-core on every page."""

from __future__ import annotations

import pytest

from tests.base import HOST_A, NATIONAL_HOST
from tests.browser.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.browser


def test_adviser_signs_in_with_two_factor_and_sees_start_page(browser, live_server_port, committed_world):
    adviser = committed_world.adviser_a
    base = f"http://{HOST_A}:{live_server_port}"
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    sign_in(page, base, adviser.email)

    assert page.url.endswith("/accounts/2fa/authenticate/")
    check_accessibility(page, "adviser-2fa")
    page.get_by_label("Kode").fill(adviser.totp_code())
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    page.wait_for_url(base + "/i-dag/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("God dag")
    assert "Alfa Energi AS" in page.content()
    check_accessibility(page, "adviser-start")

    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Bedrifter").click()
    page.wait_for_url(base + "/bedrifter/")
    assert "Beta Bygg AS" in page.content()
    assert "Gamma Helse AS" not in page.content()  # PTA B's company
    check_accessibility(page, "adviser-companies")

    # The company page and its tabs.
    page.get_by_role("link", name="Beta Bygg AS").click()
    page.wait_for_url(f"{base}/bedrifter/{committed_world.company_a2.pk}/")
    check_accessibility(page, "adviser-company-overview")
    for tab, name in [
        ("Kontaktpersoner", "contacts"),
        ("Historikk", "history"),
        ("Ansatte", "employees"),
        ("Dokumenter og meldinger", "documents"),
    ]:
        page.get_by_role("navigation", name="Bedriftens sider").get_by_role("link", name=tab).click()
        page.wait_for_load_state()
        check_accessibility(page, f"adviser-company-{name}")
    page.goto(base + "/bedrifter/import/")
    check_accessibility(page, "adviser-company-import")
    page.goto(base + "/bedrifter/ny/")
    check_accessibility(page, "adviser-company-new")
    page.goto(base + "/bedrifter/")

    # English is available.
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Bytt").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Companies"
    check_accessibility(page, "adviser-companies-en")
    context.close()


def test_contact_person_signs_in_and_sees_only_own_company(browser, live_server_port, committed_world):
    contact = committed_world.contact_a1
    base = f"http://{HOST_A}:{live_server_port}"
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    sign_in(page, base, contact.email)
    page.wait_for_url(base + "/min-side/")
    assert page.get_by_role("heading", level=1).inner_text() == "Alfa Energi AS"
    assert "Beta Bygg AS" not in page.content()
    check_accessibility(page, "contact-min-side")
    page.get_by_role("navigation", name="Bedriftens sider").get_by_role("link", name="Ansatte").click()
    page.wait_for_url(f"{base}/bedrifter/{committed_world.company_a1.pk}/ansatte/")
    check_accessibility(page, "contact-employees")
    page.get_by_role("navigation", name="Bedriftens sider").get_by_role("link", name="Dokumenter og meldinger").click()
    page.wait_for_load_state()
    check_accessibility(page, "contact-documents")
    context.close()


def test_coordinator_signs_in_on_the_national_site(browser, live_server_port, committed_world):
    coordinator = committed_world.coordinator
    base = f"http://{NATIONAL_HOST}:{live_server_port}"
    # An English-configured browser still gets bokmål until English is chosen.
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    sign_in(page, base, coordinator.email)
    page.get_by_label("Kode").fill(coordinator.totp_code())
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    page.wait_for_url(base + "/nasjonalt/")
    assert "Region A" in page.content() and "Region B" in page.content()
    check_accessibility(page, "coordinator-dashboard")
    page.goto(base + "/regioner/ny/")
    check_accessibility(page, "coordinator-new-pta")
    context.close()


def test_unknown_host_page_is_accessible(browser, live_server_port):
    page = browser.new_page()
    response = page.goto(f"http://ukjent.localhost:{live_server_port}/")
    assert response.status == 404
    assert "Ukjent adresse" in page.content()
    check_accessibility(page, "unknown-host")
    page.close()
