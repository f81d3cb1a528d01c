"""The whole corporate-ticket application flow in a real browser on a phone-sized viewport, with
axe-core on every page: an employee on the list applies and is approved at once; one who is not
waits, and the contact person approves a selection on Min side; a third is rejected with a reason.
The mails (the one-time links, the decisions) arrive at a real local SMTP server."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from employees.models import Employee
from tests.base import HOST_A
from tests.browser.conftest import check_accessibility, sign_in
from tests.factories import (
    AgreementFactory,
    AgreementProductFactory,
    EmployeeFactory,
    TicketPriceFactory,
    TicketTypeFactory,
    corporate_ticket_product,
)
from tests.servers import (
    SmtpSink,
    free_port,
    python,
    start_process,
    stop_process,
    subprocess_env,
    wait_for,
    wait_for_port,
)
from tickets import selectors_applications
from tickets.models import Application, ApplicationState, EmailVerification, Ticket, TicketType

pytestmark = pytest.mark.browser

APPLICANTS = ["kari@alfa.no", "ola@alfa.no", "per@alfa.no", "siri@alfa.no"]
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "nb-NO", "is_mobile": True, "has_touch": True}


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def server(committed_world, smtp):
    """gunicorn on the test database, sending mail to the local SMTP server (Celery eager, as in tests)."""
    port = free_port()
    env = subprocess_env(
        DJANGO_TESTING="1",
        SITE_PORT=str(port),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
    )
    process, _log = start_process(
        "gunicorn-applications",
        [python(), "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env,
    )
    try:
        wait_for_port(port)
        yield f"http://{HOST_A}:{port}"
    finally:
        stop_process(process)


@pytest.fixture
def offer(committed_world):
    """Company A1 takes applications (agreement with the corporate ticket, 50 % subsidy); Kari is on its list."""
    world = committed_world
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory(name="Nettleser-billett", zones="1, 2")
        TicketPriceFactory(ticket_type=ticket_type)
        agreement = AgreementFactory(company=world.company_a1)
        terms = AgreementProductFactory(agreement=agreement, product=corporate_ticket_product(), subsidy_percent=50)
        kari = EmployeeFactory(company=world.company_a1, first_name="Kari", last_name="Mobil", email="kari@alfa.no")
        key = selectors_applications.application_settings_for(company=world.company_a1).key
    yield key
    with tenant_context(world.pta_a):
        Application.objects.filter(company=world.company_a1).delete()
        EmailVerification.objects.filter(company=world.company_a1).delete()
        Ticket.objects.filter(ticket_type=ticket_type).delete()
        Employee.objects.filter(
            company=world.company_a1, email__in=["kari@alfa.no", "ola@alfa.no", "per@alfa.no", "siri@alfa.no"]
        ).delete()
        del kari
        terms.delete()
        agreement.delete()
        TicketType.objects.filter(pk=ticket_type.pk).delete()


def _text(mail) -> str:
    return mail.get_payload(0).get_payload(decode=True).decode()


def _link(smtp, address: str) -> str:
    def found():
        for mail in reversed(smtp.messages):
            match = re.search(r"https?://\S+/skjema/\S+?/", _text(mail)) if mail["To"] == address else None
            if match:
                return match
        return None

    return wait_for(found, what=f"the link to {address}").group(0)


def _apply(page, base: str, key: str, smtp, *, email: str, first_name: str, shot: str | None = None) -> str:
    page.goto(f"{base}/soknad/{key}/")
    if shot:
        check_accessibility(page, f"{shot}-start")
    page.get_by_label("E-postadressen din på jobb").fill(email)
    page.get_by_role("button", name="Send meg lenken").click()
    page.wait_for_url(f"{base}/soknad/{key}/sendt/")
    if shot:
        check_accessibility(page, f"{shot}-link-sent")
    page.goto(_link(smtp, email))
    assert "405,00" in page.content()  # the applicant's own share, before accepting
    if shot:
        check_accessibility(page, f"{shot}-form")
    page.get_by_label("Fornavn").fill(first_name)
    page.get_by_label("Etternavn").fill("Mobil")
    page.get_by_label("Mobilnummer").fill("912 34 567")
    page.get_by_role("radio", name=re.compile("Nettleser-billett")).check()
    page.get_by_label(re.compile("Jeg godtar vilkårene")).check()
    page.get_by_role("button", name="Send søknaden").click()
    page.wait_for_url(f"{base}/soknad/{key}/kvittering/")
    if shot:
        check_accessibility(page, f"{shot}-receipt")
    return page.content()


def test_employees_apply_on_a_phone_and_a_contact_person_approves_and_rejects_on_min_side(
    browser, server, offer, smtp, committed_world
):
    world = committed_world
    employee = browser.new_context(**PHONE)
    page = employee.new_page()
    try:
        # On the list: approved at once.
        receipt = _apply(page, server, offer, smtp, email="kari@alfa.no", first_name="Kari", shot="apply-auto")
        assert "Godkjent" in receipt
        # Not on the list: they wait.
        receipt = _apply(page, server, offer, smtp, email="ola@alfa.no", first_name="Ola", shot="apply-manual")
        assert "venter på godkjenning" in receipt
        _apply(page, server, offer, smtp, email="per@alfa.no", first_name="Per")
        _apply(page, server, offer, smtp, email="siri@alfa.no", first_name="Siri")
    finally:
        employee.close()

    contact = browser.new_context(**PHONE)
    page = contact.new_page()
    try:
        sign_in(page, server, world.contact_a1.email)
        page.goto(f"{server}/min-side/")
        check_accessibility(page, "applications-min-side")
        page.get_by_role("link", name=re.compile("billettsøknader venter på godkjenning")).click()
        page.wait_for_url(f"{server}/bedrifter/{world.company_a1.pk}/billetter/soknader/")
        check_accessibility(page, "applications-list")
        page.get_by_label("Velg Ola Mobil").check()
        page.get_by_label("Velg Per Mobil").check()
        page.get_by_role("button", name="Godkjenn de valgte").click()
        page.wait_for_load_state()
        assert "2 søknader er godkjent" in page.content()
        page.get_by_role("row", name=re.compile("Siri Mobil")).get_by_role("link", name="Avslå").click()
        check_accessibility(page, "applications-reject")
        page.get_by_label("Hvorfor avslås den?").fill("Du har allerede månedskort gjennom en annen ordning.")
        page.get_by_role("main").get_by_role("button", name="Avslå").click()
        page.wait_for_load_state()
        assert "Søknaden fra Siri Mobil er avslått." in page.content()
        page.goto(f"{server}/bedrifter/{world.company_a1.pk}/billetter/soknadslenke/")
        check_accessibility(page, "applications-link")
    finally:
        contact.close()

    with tenant_context(world.pta_a):
        mine = Application.objects.filter(company=world.company_a1, email__in=APPLICANTS)
        states = dict(mine.values_list("first_name", "state"))
        assert states == {
            "Kari": ApplicationState.APPROVED,
            "Ola": ApplicationState.APPROVED,
            "Per": ApplicationState.APPROVED,
            "Siri": ApplicationState.REJECTED,
        }
        shares = set(mine.values_list("employee_share", flat=True))
        assert shares == {Decimal("405.00")}
        assert Ticket.objects.filter(company=world.company_a1, employee__email="ola@alfa.no").exists()
    reason = "Du har allerede månedskort gjennom en annen ordning."
    rejected = [mail for mail in smtp.messages if mail["To"] == "siri@alfa.no" and reason in _text(mail)]
    assert len(rejected) == 1
