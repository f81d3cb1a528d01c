"""One recipient the mail server refuses never stops the others being mailed;
each mail has a Message-ID that is the same on every attempt."""

from __future__ import annotations

import smtplib

import pytest
from django_tenants.utils import tenant_context

from companies import notifications, services
from companies.models import Company, ContactPerson, NotificationSent
from companies.tasks import send_notice_notifications
from tenants.models import Membership, Role, User
from tests.servers import RefusingSmtpSink, SmtpSink

CONTACTS = 6


@pytest.fixture
def many_contacts(world) -> tuple[Company, list[User]]:
    """A company of PTA A with six contact persons."""
    users = []
    with tenant_context(world.pta_a):
        company = Company.objects.create(org_number="986105174", name="Delta Data AS")
        for n in range(CONTACTS):
            user = User.objects.create_user(email=f"kontakt{n}@delta.test.no", password="x")
            Membership.objects.create(user=user, tenant=world.pta_a, role=Role.CONTACT)
            ContactPerson.objects.create(user=user, company=company)
            users.append(user)
    return company, users


@pytest.fixture
def smtp_settings(settings):
    def use(sink: SmtpSink) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port

    return use


def _notice(world, company):
    with tenant_context(world.pta_a):
        return services.notice_create(
            title="Ny rute", body="Linje 7 går fra mandag.", companies=[company], created_by=world.admin_a.user
        )


def test_a_refused_recipient_is_recorded_and_everyone_else_is_mailed_once(world, many_contacts, smtp_settings):
    company, users = many_contacts
    refused = users[1]
    notice = _notice(world, company)
    with RefusingSmtpSink({refused.email: "550 5.1.1 No such user"}) as smtp:
        smtp_settings(smtp)
        with tenant_context(world.pta_a):
            assert send_notice_notifications.delay(notice.pk).get() == CONTACTS - 1
            # A retry (or a duplicate delivery) sends nothing more, and does not try the refused one again.
            assert send_notice_notifications.delay(notice.pk).get() == 0
            rows = {row.user_id: row.refused for row in NotificationSent.objects.filter(object_id=notice.pk)}
    assert sorted(mail["To"] for mail in smtp.messages) == sorted(u.email for u in users if u != refused)
    assert rows == {u.pk: ("550 5.1.1 No such user" if u == refused else "") for u in users}
    ids = {mail["To"]: mail["Message-ID"] for mail in smtp.messages}
    assert ids == {u.email: f"<notice.{notice.pk}.{u.pk}.ptaa@bedriftsmobilitet.no>" for u in users if u != refused}


def test_a_recipient_put_off_for_now_is_tried_again_after_the_others(world, many_contacts, smtp_settings):
    company, users = many_contacts
    later = users[2]
    notice = _notice(world, company)
    with RefusingSmtpSink({later.email: "450 4.2.1 Mailbox busy, try later"}) as smtp:
        smtp_settings(smtp)
        with tenant_context(world.pta_a):
            with pytest.raises(smtplib.SMTPRecipientsRefused):  # an OSError: the task retries
                notifications.notice_notify(notice_id=notice.pk)
            assert not NotificationSent.objects.filter(object_id=notice.pk, user_id=later.pk).exists()
            smtp.refuse.clear()
            assert notifications.notice_notify(notice_id=notice.pk) == 1
    assert sorted(mail["To"] for mail in smtp.messages) == sorted(u.email for u in users)


def test_a_mail_sent_again_after_a_crash_has_the_same_message_id(world, many_contacts, smtp_settings, monkeypatch):
    company, users = many_contacts
    notice = _notice(world, company)
    send = notifications.send_templated_mail
    crashes = [users[0].email]

    def send_then_crash(**kwargs):
        send(**kwargs)
        if kwargs["to"][0] in crashes:
            crashes.clear()
            raise ConnectionResetError("the worker lost its database connection after sending")

    monkeypatch.setattr(notifications, "send_templated_mail", send_then_crash)
    with SmtpSink() as smtp:
        smtp_settings(smtp)
        with tenant_context(world.pta_a):
            with pytest.raises(ConnectionResetError):
                notifications.notice_notify(notice_id=notice.pk)
            assert notifications.notice_notify(notice_id=notice.pk) == CONTACTS
    twice = [mail["Message-ID"] for mail in smtp.messages if mail["To"] == users[0].email]
    assert twice == [f"<notice.{notice.pk}.{users[0].pk}.ptaa@bedriftsmobilitet.no>"] * 2
    assert len({mail["Message-ID"] for mail in smtp.messages}) == CONTACTS
