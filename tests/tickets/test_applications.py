"""Corporate-ticket applications: the employee's way in (the company's link, the one-time e-mail
link, the form with the price and own share), automatic approval of applicants on the employee
list, the contact person's approval and rejection (one or a selection), the e-mails of each step,
and the refusals (no agreement, a used or expired link, a duplicate, a bad phone number)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.base import HOST_A, client_for
from tests.factories import (
    AgreementFactory,
    AgreementProductFactory,
    EmployeeFactory,
    TicketPriceFactory,
    TicketTypeFactory,
    corporate_ticket_product,
)
from tests.servers import SmtpSink
from tickets import selectors_applications, services_applications
from tickets.models import Application, ApplicationSettings, ApplicationState, EmailVerification, TicketState

TODAY = date(2026, 8, 20)
SEPTEMBER = date(2026, 9, 1)


@pytest.fixture
def offer(world):
    """Company A1 takes applications: a member whose agreement has the corporate ticket with a 50 %
    subsidy; one ticket type, P 900, C 810 (the applicant pays 405 a month). Kari is on its list."""
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory(name="Tre soner", zones="1, 2, 3")
        TicketPriceFactory(ticket_type=ticket_type)
        agreement = AgreementFactory(company=world.company_a1)
        AgreementProductFactory(agreement=agreement, product=corporate_ticket_product(), subsidy_percent=50)
        EmployeeFactory(company=world.company_a1, first_name="Kari", last_name="Nordmann", email="kari@alfa.no")
        key = selectors_applications.application_settings_for(company=world.company_a1).key
    return {"ticket_type": ticket_type, "key": key}


@pytest.fixture(autouse=True)
def fixed_day():
    with (
        mock.patch("tickets.selectors_applications.oslo_today", return_value=TODAY),
        mock.patch("tickets.services_applications.oslo_today", return_value=TODAY),
    ):
        yield


def _link_from(mails) -> str:
    body = mails[-1].body
    return re.search(r"https?://\S+/soknad/\S+/skjema/\S+/", body).group(0)


def _path(url: str) -> str:
    return urlsplit(url).path


def _form(offer, **overrides) -> dict:
    return {
        "first_name": "Kari",
        "last_name": "Nordmann",
        "employee_number": "",
        "mobile": "912 34 567",
        "ticket_type": str(offer["ticket_type"].pk),
        "zones": "",
        "starts": SEPTEMBER.isoformat(),
        "accept_terms": "on",
        **overrides,
    }


def _apply(world, offer, mailoutbox, capture, *, email="kari@alfa.no", **form):
    """The whole flow through the pages as an anonymous employee; returns the receipt response."""
    client = client_for(None, host=HOST_A)
    with capture(execute=True):
        response = client.post(f"/soknad/{offer['key']}/", {"email": email})
    assert response.status_code == 302, response.content.decode()
    link = _path(_link_from(mailoutbox))
    page = client.get(link)
    assert page.status_code == 200
    with capture(execute=True):
        response = client.post(link, _form(offer, **form))
    assert response.status_code == 302, response.content.decode()[:3000]
    return client.get(response["Location"])


def test_the_form_shows_each_tickets_price_and_the_applicants_own_share_before_they_accept(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(None, host=HOST_A)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/soknad/{offer['key']}/", {"email": "kari@alfa.no"})
    page = client.get(_path(_link_from(mailoutbox)))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tre soner" in text and "900,00" in text and "405,00" in text and "495,00" in text
    assert "kari@alfa.no" in text


def test_an_applicant_on_the_employee_list_is_approved_at_once_and_gets_a_ticket_from_the_month_chosen(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    receipt = _apply(world, offer, mailoutbox, django_capture_on_commit_callbacks)
    assert receipt.status_code == 200 and "Godkjent" in receipt.content.decode()
    with tenant_context(world.pta_a):
        application = Application.objects.get()
        assert application.state == ApplicationState.APPROVED and application.approved_automatically
        assert application.employee.email == "kari@alfa.no"
        ticket = application.ticket
        assert (ticket.state, ticket.starts, ticket.zones, ticket.mobile) == (
            TicketState.PENDING,
            SEPTEMBER,
            "1, 2, 3",
            "+4791234567",
        )
        assert application.employee_share == Decimal("405.00") and application.ordinary_price == Decimal("900.00")
    subjects = [mail.subject for mail in mailoutbox]
    # The link, then the approval to the applicant and the news to the contact person who may approve.
    assert len(mailoutbox) == 3
    assert mailoutbox[1].to == ["kari@alfa.no"] and "godkjent" in subjects[1].lower()
    assert mailoutbox[2].to == [world.contact_a1.email]


def test_an_applicant_not_on_the_list_waits_for_a_contact_person_who_approves_and_adds_them(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    receipt = _apply(
        world, offer, mailoutbox, django_capture_on_commit_callbacks, email="ola@alfa.no", first_name="Ola"
    )
    assert "venter" in receipt.content.decode()
    assert [mail.to for mail in mailoutbox[1:]] == [["ola@alfa.no"], [world.contact_a1.email]]
    contact = client_for(world.contact_a1)
    listing = contact.get(f"/bedrifter/{world.company_a1.pk}/billetter/soknader/")
    assert listing.status_code == 200 and "Ola Nordmann" in listing.content.decode()
    with tenant_context(world.pta_a):
        application = Application.objects.get()
    # Min side says it waits for them.
    steps = contact.get(f"/min-side/{world.company_a1.pk}/kort/neste-steg/").content.decode()
    assert "venter på godkjenning" in steps
    url = f"/bedrifter/{world.company_a1.pk}/billetter/soknader/{application.pk}/godkjenn/"
    assert contact.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert contact.post(url, {"confirm": "yes"}).status_code == 302
    with tenant_context(world.pta_a):
        application.refresh_from_db()
        assert application.state == ApplicationState.APPROVED and not application.approved_automatically
        assert application.decided_by_id == world.contact_a1.user.pk
        employee = application.employee
        assert (employee.first_name, employee.email, employee.mobile) == ("Ola", "ola@alfa.no", "+4791234567")
        assert employee.tickets.get().starts == SEPTEMBER
    # The applicant hears; the contact person who approved does not get a mail about it.
    assert mailoutbox[-1].to == ["ola@alfa.no"] and len(mailoutbox) == 4


def test_with_automatic_approval_off_an_applicant_on_the_list_waits_too(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    with tenant_context(world.pta_a):
        ApplicationSettings.objects.filter(company=world.company_a1).update(auto_approve=False)
    _apply(world, offer, mailoutbox, django_capture_on_commit_callbacks)
    with tenant_context(world.pta_a):
        application = Application.objects.get()
        assert application.state == ApplicationState.WAITING and application.employee is not None


def test_a_contact_person_rejects_with_a_reason_that_the_applicant_reads(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    _apply(world, offer, mailoutbox, django_capture_on_commit_callbacks, email="ola@alfa.no", first_name="Ola")
    with tenant_context(world.pta_a):
        application = Application.objects.get()
    url = f"/bedrifter/{world.company_a1.pk}/billetter/soknader/{application.pk}/avvis/"
    contact = client_for(world.contact_a1)
    assert contact.post(url, {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert contact.post(url, {"reason": "Du jobber ikke her lenger."}).status_code == 302
    with tenant_context(world.pta_a):
        application.refresh_from_db()
        assert application.state == ApplicationState.REJECTED and application.ticket is None
    assert mailoutbox[-1].to == ["ola@alfa.no"] and "Du jobber ikke her lenger." in mailoutbox[-1].body


def test_a_selection_is_approved_at_once_and_one_that_cannot_be_is_named(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    for name in ("Ola", "Per", "Siri"):
        _apply(
            world,
            offer,
            mailoutbox,
            django_capture_on_commit_callbacks,
            email=f"{name.lower()}@alfa.no",
            first_name=name,
        )
    with tenant_context(world.pta_a):
        ids = list(Application.objects.order_by("pk").values_list("pk", flat=True))
        # Siri got a ticket in between, through the list: her application cannot be approved.
        siri = EmployeeFactory(company=world.company_a1, first_name="Siri", last_name="Nordmann", email="siri@alfa.no")
        siri.tickets.create(company=world.company_a1, ticket_type=offer["ticket_type"], starts=SEPTEMBER)
    response = client_for(world.adviser_a).post(
        f"/bedrifter/{world.company_a1.pk}/billetter/soknader/", {"application": [str(pk) for pk in ids]}, follow=True
    )
    text = response.content.decode()
    assert "2 søknader er godkjent" in text and "Siri Nordmann" in text
    with tenant_context(world.pta_a):
        states = dict(Application.objects.values_list("first_name", "state"))
    assert states == {"Ola": "approved", "Per": "approved", "Siri": "waiting"}


# --- Refusals -------------------------------------------------------------------------------------


def test_a_company_without_an_active_agreement_takes_no_applications(world, offer, mailoutbox):
    with tenant_context(world.pta_a):
        world.company_a1.agreement.end_date = TODAY - timedelta(days=1)
        world.company_a1.agreement.save()
    response = client_for(None, host=HOST_A).post(f"/soknad/{offer['key']}/", {"email": "kari@alfa.no"})
    assert "har ingen aktiv avtale om bedriftsbillett" in response.content.decode()
    assert mailoutbox == []
    with tenant_context(world.pta_a):
        assert not EmailVerification.objects.exists()


def test_an_unknown_or_renewed_link_is_404(world, offer):
    client = client_for(None, host=HOST_A)
    assert client.get("/soknad/finnes-ikke/").status_code == 404
    with tenant_context(world.pta_a):
        services_applications.application_link_renew(company=world.company_a1)
    assert client.get(f"/soknad/{offer['key']}/").status_code == 404


def test_a_used_or_expired_link_says_so_and_stores_nothing(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    _apply(world, offer, mailoutbox, django_capture_on_commit_callbacks, email="ola@alfa.no", first_name="Ola")
    link = _path(_link_from(mailoutbox[:1]))
    client = client_for(None, host=HOST_A)
    used = client.post(link, _form(offer, first_name="Igjen"))
    assert used.status_code == 410 and "er brukt" in used.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/soknad/{offer['key']}/", {"email": "per@alfa.no"})
    with tenant_context(world.pta_a):
        EmailVerification.objects.filter(email="per@alfa.no").update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(_path(_link_from(mailoutbox)))
    assert expired.status_code == 410 and "gått ut" in expired.content.decode()
    with tenant_context(world.pta_a):
        assert Application.objects.count() == 1


def test_a_second_application_from_the_same_address_is_refused_while_the_first_waits(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    _apply(world, offer, mailoutbox, django_capture_on_commit_callbacks, email="ola@alfa.no", first_name="Ola")
    client = client_for(None, host=HOST_A)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/soknad/{offer['key']}/", {"email": "OLA@alfa.no"})
    response = client.post(_path(_link_from(mailoutbox)), _form(offer, first_name="Ola"))
    assert response.status_code == 400 and "venter allerede" in response.content.decode()
    with tenant_context(world.pta_a):
        assert Application.objects.count() == 1
        # The link is not used up by a refused application.
        assert EmailVerification.objects.filter(email="OLA@alfa.no", used_at__isnull=True).exists()


def test_an_invalid_phone_number_unchecked_terms_and_a_past_month_are_named(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(None, host=HOST_A)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/soknad/{offer['key']}/", {"email": "kari@alfa.no"})
    link = _path(_link_from(mailoutbox))
    response = client.post(link, _form(offer, mobile="12"))
    assert response.status_code == 400
    assert "«12» er ikke et gyldig telefonnummer." in response.context["form"].errors["mobile"][0]
    response = client.post(link, _form(offer, accept_terms="", starts="2026-08-01"))
    errors = response.context["form"].errors
    assert response.status_code == 400 and "accept_terms" in errors and "starts" in errors
    with tenant_context(world.pta_a):
        assert not Application.objects.exists()


def test_an_invalid_email_is_named_and_no_link_is_sent(world, offer, mailoutbox):
    response = client_for(None, host=HOST_A).post(f"/soknad/{offer['key']}/", {"email": "kari@"})
    assert response.status_code == 400 and mailoutbox == []


def test_at_most_three_links_an_hour_go_to_one_address(world, offer, mailoutbox, django_capture_on_commit_callbacks):
    client = client_for(None, host=HOST_A)
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/soknad/{offer['key']}/", {"email": "kari@alfa.no"}).status_code == 302
    assert len(mailoutbox) == 3


def test_the_service_refuses_a_subsidy_that_leaves_no_price_for_the_month(world, offer):
    with tenant_context(world.pta_a):
        verification = services_applications.verification_request(company=world.company_a1, email="x@alfa.no")
        data = {**_form(offer), "ticket_type": offer["ticket_type"], "starts": date(2026, 8, 1), "accept_terms": True}
        with pytest.raises(ValidationError) as refused:
            services_applications.application_submit(verification=verification, data=data)
        assert "starts" in refused.value.message_dict


# --- Mail over a real SMTP server, sent once ------------------------------------------------------


def test_the_link_goes_over_real_smtp_with_the_ptas_domain_and_a_retry_sends_nothing_more(
    world, offer, settings, django_capture_on_commit_callbacks
):
    with SmtpSink() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port
        with django_capture_on_commit_callbacks(execute=True):
            client_for(None, host=HOST_A).post(f"/soknad/{offer['key']}/", {"email": "kari@alfa.no"})
        assert len(smtp.messages) == 1
        text = smtp.messages[0].get_payload(0).get_payload(decode=True).decode()
        port = f":{django_settings.SITE_PORT}" if django_settings.SITE_PORT else ""
        assert f"{django_settings.SITE_SCHEME}://{HOST_A}{port}/soknad/{offer['key']}/skjema/" in text
        from tickets import notifications

        with tenant_context(world.pta_a):
            verification = EmailVerification.objects.get()
            assert notifications.application_link_send(verification_id=verification.pk) == 0
        assert len(smtp.messages) == 1


def test_isolation_another_companys_contact_and_another_pta_cannot_see_or_decide(
    world, offer, mailoutbox, django_capture_on_commit_callbacks
):
    _apply(world, offer, mailoutbox, django_capture_on_commit_callbacks, email="ola@alfa.no", first_name="Ola")
    with tenant_context(world.pta_a):
        application = Application.objects.get()
    base = f"/bedrifter/{world.company_a1.pk}/billetter/soknader/"
    assert client_for(world.contact_a2).get(base).status_code == 404
    assert client_for(world.contact_a2).post(f"{base}{application.pk}/godkjenn/", {"confirm": "yes"}).status_code == 404
    assert client_for(None, host=HOST_A).get(base).status_code == 302
    # The PTA B host does not know PTA A's link.
    assert client_for(world.adviser_b).get(f"/soknad/{offer['key']}/").status_code == 404
    with tenant_context(world.pta_a):
        assert Application.objects.get().state == ApplicationState.WAITING


def test_the_qr_code_downloads_as_png_and_svg_for_the_companys_own_people(world, offer):
    base = f"/bedrifter/{world.company_a1.pk}/billetter/soknadslenke/"
    png = client_for(world.contact_a1).get(f"{base}qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = client_for(world.adviser_a).get(f"{base}qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    page = client_for(world.contact_a1).get(base).content.decode()
    assert f"/soknad/{offer['key']}/" in page
    assert client_for(world.contact_a2).get(f"{base}qr.png").status_code == 404


def test_a_contact_person_without_the_right_cannot_decide_or_change_the_setting(world, offer):
    with tenant_context(world.pta_a):
        world.company_a1.contact_persons.filter(user=world.contact_a1.user).update(can_approve_tickets=False)
    client = client_for(world.contact_a1)
    assert client.get(f"/bedrifter/{world.company_a1.pk}/billetter/soknader/").status_code == 403
    base = f"/bedrifter/{world.company_a1.pk}/billetter/soknadslenke/"
    assert client.get(base).status_code == 200
    assert client.post(base, {"auto_approve": ""}).status_code == 403
    with tenant_context(world.pta_a):
        assert ApplicationSettings.objects.get(company=world.company_a1).auto_approve


def test_one_network_asking_for_too_many_links_is_refused_with_429(
    world, offer, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_RATE_LIMITS = {"ticket_application_link": "2/h/ip"}
    client = client_for(None, host=HOST_A)
    for name in ("en", "to"):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/soknad/{offer['key']}/", {"email": f"{name}@alfa.no"}).status_code == 302
    refused = client.post(f"/soknad/{offer['key']}/", {"email": "tre@alfa.no"})
    assert refused.status_code == 429 and len(mailoutbox) == 2
