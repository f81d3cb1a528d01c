"""The invitation e-mail, sent over a real SMTP connection (tests.servers.SmtpSink):
it names the person who invited (by name), the PTA, and for a contact person the
companies they will be contact person for."""

from __future__ import annotations

from email.message import Message

import pytest
from django.conf import settings as django_settings

from tenants.models import Invitation, Pta
from tests.base import HOST_A, client_for
from tests.servers import SmtpSink


@pytest.fixture
def smtp(settings):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        yield sink


@pytest.fixture
def named_adviser(world):
    """Adviser A with a full name, and PTA A with a contact address."""
    user = world.adviser_a.user
    user.first_name, user.last_name = "Kari", "Nordmann"
    user.save(update_fields=["first_name", "last_name"])
    Pta.objects.filter(pk=world.pta_a.pk).update(contact_email="bedrift@region-a.test.no")
    return user


def _parts(mail: Message) -> tuple[str, str]:
    text, html = (part.get_payload(decode=True).decode() for part in mail.get_payload())
    return text, html


def test_contact_persons_invitation_names_the_company_the_inviter_and_the_pta(
    world, smtp, named_adviser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.adviser_a).post(
            f"/bedrifter/{world.company_a2.pk}/kontaktpersoner/",
            {"email": "hr@betabygg.no", "can_edit_employees": "on"},
        )
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "hr@betabygg.no"
    assert mail["Subject"] == "Kari Nordmann inviterer deg til Region A"
    text, html = _parts(mail)
    for body in (text, html):
        assert "Kari Nordmann hos Region A har invitert deg" in body
        assert "Du blir kontaktperson for Beta Bygg AS" in body
        assert "bedrift@region-a.test.no" in body
        assert "radgiver@a.test.no" not in body  # the inviter by name, not by address
    invitation = Invitation.objects.get(email="hr@betabygg.no")
    port = f":{django_settings.SITE_PORT}" if django_settings.SITE_PORT else ""
    assert f"{django_settings.SITE_SCHEME}://{HOST_A}{port}/invitasjon/" in text
    assert invitation.sent_at is not None


def test_invitation_from_the_users_page_names_every_company(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin_a).post(
            "/brukere/",
            {
                "email": "ny.kontakt@kunde.no",
                "role": "contact",
                "companies": [world.company_a1.pk, world.company_a2.pk],
            },
        )
    assert response.status_code == 302
    text, _html = _parts(smtp.messages[0])
    assert "Du blir kontaktperson for Alfa Energi AS, Beta Bygg AS" in text
    # The admin has only a first name (tests.base): that is what the mail calls them.
    assert f"{world.admin_a.user.get_full_name()} hos Region A har invitert deg" in text


def test_staff_invitation_names_no_company(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.admin_a).post("/brukere/", {"email": "ny.radgiver@region-a.no", "role": "adviser"})
    text, _html = _parts(smtp.messages[0])
    assert "med rollen Bedriftsrådgiver" in text
    assert "kontaktperson for" not in text
