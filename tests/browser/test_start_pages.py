"""The start pages with things to do on them, in real headless Chromium with
axe-core: "I dag" with items of every kind and the trend, Min side with its
next steps and adviser, and a region's page on the national site."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from companies import services as company_services
from companies.models import Agreement, Company, MessageThread
from employees.models import EmployeeImport, ImportStatus
from reporting.models import MonthlyFigures
from tenants.models import RegionStats, User
from tests.base import HOST_A, NATIONAL_HOST
from tests.browser.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def things_to_do(committed_world):
    """Committed (the server is another process), and removed again afterwards."""
    world = committed_world
    with tenant_context(world.pta_a):
        lonely = Company.objects.create(org_number="986105174", name="Uten Kontakt AS", status="member")
        EmployeeImport.objects.create(
            company=world.company_a1, original_name="lonn-nov.csv", status=ImportStatus.FAILED
        )
        Agreement.objects.create(company=world.company_a2, end_date=date.today() + timedelta(days=20))
        question = company_services.thread_start(
            company=world.company_a2, subject="Fakturaen", body="Hei?", author=world.contact_a2.user, from_staff=False
        )
        answer = company_services.thread_start(
            company=world.company_a1, subject="Ny avtale", body="Se her", author=world.adviser_a.user, from_staff=True
        )
        first = date.today().replace(day=1)
        for back, (companies, employees) in enumerate([(2, 17), (1, 12), (1, 11)], start=1):
            month = (first - timedelta(days=28 * back)).replace(day=1)
            MonthlyFigures.objects.create(month=month, member_companies=companies, employees=employees)
    User.objects.filter(pk=world.adviser_a.user.pk).update(first_name="Rune", last_name="Rådgiver", phone="+4791234567")
    RegionStats.objects.filter(tenant=world.pta_a).update(companies=3, member_companies=3, employees=19)
    try:
        yield world
    finally:
        with tenant_context(world.pta_a):
            lonely.delete()
            EmployeeImport.objects.filter(original_name="lonn-nov.csv").delete()
            Agreement.objects.filter(company=world.company_a2).delete()
            MessageThread.objects.filter(pk__in=[question.pk, answer.pk]).delete()
            MonthlyFigures.objects.all().delete()
        User.objects.filter(pk=world.adviser_a.user.pk).update(first_name="Radgiver", last_name="", phone="")
        RegionStats.objects.filter(tenant=world.pta_a).update(companies=0, member_companies=0, employees=0)


def test_start_pages_with_things_to_do_are_accessible(browser, live_server_port, things_to_do):
    world = things_to_do
    base = f"http://{HOST_A}:{live_server_port}"
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    sign_in(page, base, world.adviser_a.email)
    page.get_by_label("Kode").fill(world.adviser_a.totp_code())
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    page.wait_for_url(base + "/i-dag/")
    attention = page.locator("#card-attention").inner_text()
    for text in ("lonn-nov.csv", "Uten Kontakt AS", "Fakturaen", "Avtalen går ut"):
        assert text in attention, text
    assert page.locator("#card-trend svg[role=img]").count() == 2
    check_accessibility(page, "adviser-start-things-to-do")
    page.get_by_role("link", name="Bare mine bedrifter").click()
    page.wait_for_url(base + "/i-dag/?mine=1")
    assert "Uten Kontakt AS" not in page.locator("#card-attention").inner_text()  # nobody's company
    context.close()

    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    sign_in(page, base, world.contact_a1.email)
    page.wait_for_url(base + "/min-side/")
    assert "Ny avtale" in page.locator("#card-next-steps").inner_text()
    adviser = page.locator("#card-adviser").inner_text()
    assert "Rune Rådgiver" in adviser and "+47 91 23 45 67" in adviser
    check_accessibility(page, "contact-min-side-next-steps")
    context.close()

    national = f"http://{NATIONAL_HOST}:{live_server_port}"
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    sign_in(page, national, world.coordinator.email)
    page.get_by_label("Kode").fill(world.coordinator.totp_code())
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    page.wait_for_url(national + "/nasjonalt/")
    page.get_by_role("link", name="Region A").click()
    page.wait_for_load_state()
    assert page.locator("#pta-site-link").get_attribute("href") == f"http://{HOST_A}:{live_server_port}/"
    check_accessibility(page, "coordinator-region")
    context.close()
