"""An employee answers the travel survey from the e-mailed link on a phone (390 px): the
questions fit with no sideways scroll, a wrong answer is shown with the summary at the top,
saving keeps the answers for later, and sending ends on the thanks; axe-core on each page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from employees.models import Employee
from surveys.models import Questionnaire, Response, SurveyRound
from tests.base import HOST_A
from tests.browser.conftest import check_accessibility
from tests.surveys.helpers import make_round

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "nb-NO", "is_mobile": True, "has_touch": True}


@pytest.fixture
def invited(committed_world):
    """One open round at company A1 with one invitation, committed for the server; removed afterwards."""
    world = committed_world
    today = timezone.localdate()
    with tenant_context(world.pta_a):
        newest = Questionnaire.objects.order_by("-version").values_list("version", flat=True).first() or 0
        round_, [(invitation, token)] = make_round(
            world.company_a1, employees=1, opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=7)
        )
    yield round_, invitation, token
    with tenant_context(world.pta_a):
        SurveyRound.objects.filter(pk=round_.pk).delete()
        Employee.objects.filter(pk=invitation.employee_id).delete()
        Questionnaire.objects.filter(version__gt=newest, rounds__isnull=True).delete()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _group(page, question: str):
    return page.get_by_role("group", name=re.compile(re.escape(question)))


def test_employee_answers_on_a_phone(browser, live_server_port, invited, committed_world):
    round_, invitation, token = invited
    base = f"http://{HOST_A}:{live_server_port}"
    url = f"{base}/undersokelse/{token}/"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(url)
        assert page.locator("#survey-form").is_visible()
        _no_sideways_scroll(page)
        check_accessibility(page, "survey-answer-form")

        _group(page, "Hvordan reiser du vanligvis til jobben").get_by_role("radio", name="Buss").check()
        page.locator("#id_distance_km").fill("7,5")
        page.locator("#id_commute_days").fill("4")
        page.locator("#id_home_office_days").fill("1")
        page.locator("#id_travel_minutes").fill("400")  # above the bound
        page.locator("#send").click()
        page.wait_for_load_state()
        summary = page.locator("#error-summary")
        assert summary.is_visible()
        assert "Hvor lang tid bruker du på reisen" in summary.inner_text()
        assert page.locator("#id_travel_minutes").get_attribute("aria-invalid") == "true"
        _no_sideways_scroll(page)
        check_accessibility(page, "survey-answer-errors")
        # The summary's link takes the reader to the field.
        summary.get_by_role("link", name=re.compile("Hvor lang tid")).click()
        assert page.url.endswith("#id_travel_minutes")

        # Save to carry on later: the valid answers come back when the link is opened again.
        page.locator("#id_travel_minutes").fill("25")
        page.locator("#save").click()
        page.wait_for_load_state()
        assert page.locator("#saved").is_visible()
        page.goto(url)
        assert page.locator("#draft-restored").is_visible()
        assert page.locator("#id_distance_km").input_value() == "7,5"
        assert _group(page, "Hvordan reiser du vanligvis til jobben").get_by_role("radio", name="Buss").is_checked()

        _group(page, "Hvordan er parkeringen").get_by_role("radio", name="Betalt parkering").check()
        _group(page, "Har du et periodekort").get_by_role("radio", name="Ja").check()
        _group(page, "Hvor sannsynlig er det").get_by_role("radio", name="4").check()
        _group(page, "Hvorfor reiser du slik").get_by_role("checkbox", name="Det går raskest").check()
        page.locator("#id_comment").fill("Flere avganger om morgenen.")
        page.locator("#send").click()
        page.wait_for_url(f"{url}takk/")
        assert page.locator("#thanks").is_visible()
        _no_sideways_scroll(page)
        check_accessibility(page, "survey-answer-thanks")

        # The link takes one answer.
        page.goto(url)
        assert page.locator("#already-answered").is_visible()
        page.goto(f"{url}avmeld/")
        _no_sideways_scroll(page)
        check_accessibility(page, "survey-opt-out")
    finally:
        context.close()

    with tenant_context(committed_world.pta_a):
        response = Response.objects.get(round=round_)
        assert (response.main_mode, response.travel_minutes, response.switch_likelihood) == ("bus", 25, 4)
        invitation.refresh_from_db()
        assert invitation.responded_on is not None and invitation.draft == {}
