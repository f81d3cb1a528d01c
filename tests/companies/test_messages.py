"""Notices to companies, message threads with read status, and their e-mail notifications."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from companies import selectors, services
from companies.models import Company, ContactPerson, Message, MessageThread, Notice, NotificationSent
from companies.tasks import send_message_notifications, send_notice_notifications
from tenants.models import Membership, Role, User
from tests.base import HOST_A, HOST_B, client_for
from tests.servers import SmtpSink


def start_thread(world, company, *, author, from_staff: bool, subject="Billetter til nye ansatte") -> MessageThread:
    with tenant_context(world.pta_a):
        return services.thread_start(
            company=company, subject=subject, body="Hei!", author=author, from_staff=from_staff
        )


def reply(world, thread, *, author, from_staff: bool) -> Message:
    with tenant_context(world.pta_a):
        return services.message_post(thread=thread, body="Svar", author=author, from_staff=from_staff)


def recipients(mailoutbox) -> list[str]:
    return sorted(address for mail in mailoutbox for address in mail.to)


@pytest.fixture
def company_a3(world):
    """A third company of PTA A, with its own contact person."""
    user = User.objects.create_user(email="kontakt3@a.test.no", password="x")
    Membership.objects.create(user=user, tenant=world.pta_a, role=Role.CONTACT)
    with tenant_context(world.pta_a):
        company = Company.objects.create(org_number="986105174", name="Delta Data AS")
        ContactPerson.objects.create(user=user, company=company)
    return company


# --- Notices ------------------------------------------------------------------


def test_notice_reaches_exactly_the_chosen_companies(world, company_a3, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.adviser_a).post(
            "/bedrifter/varsler/ny/",
            {
                "title": "Ny sone fra 1. mars",
                "body": "Sonekartet endres.",
                "audience": "selected",
                "companies": [world.company_a1.pk, company_a3.pk],
            },
        )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        notice = Notice.objects.get()
        assert set(notice.companies.all()) == {world.company_a1, company_a3}
    assert recipients(mailoutbox) == ["kontakt1@a.test.no", "kontakt3@a.test.no"]
    assert "Ny sone fra 1. mars" in mailoutbox[0].subject
    # Shown on the chosen companies' page, not on the others'.
    page_a1 = client_for(world.contact_a1).get(f"/bedrifter/{world.company_a1.pk}/dokumenter/")
    page_a2 = client_for(world.contact_a2).get(f"/bedrifter/{world.company_a2.pk}/dokumenter/")
    assert b"Ny sone fra 1. mars" in page_a1.content
    assert b"Ny sone fra 1. mars" not in page_a2.content


def test_notice_to_every_company_reaches_every_contact_person_of_this_pta_only(
    world, company_a3, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin_a).post(
            "/bedrifter/varsler/ny/", {"title": "Sommerstengt", "body": "Vi har ferie.", "audience": "all"}
        )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        assert Notice.objects.get().companies.count() == 3
    assert recipients(mailoutbox) == ["kontakt1@a.test.no", "kontakt2@a.test.no", "kontakt3@a.test.no"]


def test_notice_without_companies_is_refused_and_nothing_is_sent(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.adviser_a).post(
            "/bedrifter/varsler/ny/", {"title": "Tom", "body": "Ingen mottakere", "audience": "selected"}
        )
    assert response.status_code == 200
    assert "companies" in response.context["form"].errors
    with tenant_context(world.pta_a):
        assert not Notice.objects.exists()
    assert mailoutbox == []


def test_notice_form_cannot_target_a_company_of_another_pta(world):
    # Company ids are looked up in this PTA's schema only; B's company id is not a valid choice here.
    with tenant_context(world.pta_a):
        unknown = max(Company.objects.values_list("pk", flat=True)) + 1000
    response = client_for(world.adviser_a).post(
        "/bedrifter/varsler/ny/", {"title": "X", "body": "Y", "audience": "selected", "companies": [unknown]}
    )
    assert response.status_code == 200
    assert "companies" in response.context["form"].errors


def test_notice_pages_are_for_staff_only(world):
    client = client_for(world.contact_a1)
    assert client.get("/bedrifter/varsler/ny/").status_code == 403
    assert client.get("/bedrifter/varsler/").status_code == 403
    adviser = client_for(world.adviser_a)
    assert adviser.get("/bedrifter/varsler/ny/").status_code == 200
    assert adviser.get("/bedrifter/varsler/").status_code == 200
    assert adviser.post("/bedrifter/varsler/").status_code == 405
    anonymous = client_for(None, HOST_A).get("/bedrifter/varsler/ny/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_running_the_notice_task_twice_mails_each_contact_person_once(world, mailoutbox):
    with tenant_context(world.pta_a):
        notice = services.notice_create(
            title="Ny app",
            body="Last ned",
            companies=[world.company_a1, world.company_a2],
            created_by=world.admin_a.user,
        )
        assert send_notice_notifications.delay(notice.pk).get() == 2
        assert send_notice_notifications.delay(notice.pk).get() == 0
    assert recipients(mailoutbox) == ["kontakt1@a.test.no", "kontakt2@a.test.no"]


# --- Threads: who is notified --------------------------------------------------


def test_contact_person_starts_a_thread_and_the_responsible_adviser_is_notified(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.contact_a1).post(
            f"/bedrifter/{world.company_a1.pk}/meldinger/ny/", {"subject": "Spørsmål om faktura", "body": "Hei"}
        )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        thread = MessageThread.objects.get()
        message = thread.messages.get()
    assert thread.company_id == world.company_a1.pk
    assert message.author_id == world.contact_a1.user.pk and message.from_staff is False
    assert response["Location"] == f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/"
    assert recipients(mailoutbox) == ["radgiver@a.test.no"]


def test_without_a_responsible_adviser_every_staff_member_of_the_pta_is_notified(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with tenant_context(world.pta_a):
        Company.objects.filter(pk=world.company_a2.pk).update(adviser=None)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.contact_a2).post(
            f"/bedrifter/{world.company_a2.pk}/meldinger/ny/", {"subject": "Hjelp", "body": "Hei"}
        )
    assert recipients(mailoutbox) == ["admin@a.test.no", "radgiver@a.test.no"]


def test_adviser_reply_notifies_the_companys_contact_persons_only(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    thread = start_thread(world, world.company_a1, author=world.contact_a1.user, from_staff=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.adviser_a).post(
            f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/", {"body": "Takk, vi ser på det."}
        )
    assert response.status_code == 302
    assert recipients(mailoutbox) == ["kontakt1@a.test.no"]
    link = f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/"
    assert link in mailoutbox[0].body
    with tenant_context(world.pta_a):
        assert thread.messages.filter(from_staff=True, author_id=world.adviser_a.user.pk).count() == 1


def test_reply_with_htmx_returns_only_the_conversation(world):
    thread = start_thread(world, world.company_a1, author=world.adviser_a.user, from_staff=True)
    response = client_for(world.contact_a1).post(
        f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/", {"body": "Flott!"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="conversation"' in content and "Flott!" in content
    assert 'hx-swap-oob="innerHTML"' in content  # the status message, announced outside the swapped part
    assert "<html" not in content


def test_empty_reply_is_refused(world):
    thread = start_thread(world, world.company_a1, author=world.adviser_a.user, from_staff=True)
    response = client_for(world.contact_a1).post(
        f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/", {"body": " "}
    )
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    with tenant_context(world.pta_a):
        assert thread.messages.count() == 1


# --- Threads: who may reach what ---------------------------------------------------


def test_contact_person_cannot_post_into_a_thread_of_another_company(world):
    other = start_thread(world, world.company_a2, author=world.adviser_a.user, from_staff=True)
    own = start_thread(world, world.company_a1, author=world.adviser_a.user, from_staff=True)
    client = client_for(world.contact_a1)
    # Own company id with the other company's thread id, and the other company's id.
    assert client.post(f"/bedrifter/{world.company_a1.pk}/meldinger/{other.pk}/", {"body": "Inn"}).status_code == 404
    assert client.post(f"/bedrifter/{world.company_a2.pk}/meldinger/{other.pk}/", {"body": "Inn"}).status_code == 404
    assert client.get(f"/bedrifter/{world.company_a2.pk}/meldinger/{other.pk}/").status_code == 404
    new_thread = client.post(f"/bedrifter/{world.company_a2.pk}/meldinger/ny/", {"subject": "X", "body": "Y"})
    assert new_thread.status_code == 404
    # Extra form fields naming the other thread or company are ignored.
    response = client.post(
        f"/bedrifter/{world.company_a1.pk}/meldinger/{own.pk}/",
        {"body": "Mitt svar", "thread": other.pk, "thread_pk": other.pk, "company": world.company_a2.pk},
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        assert list(other.messages.values_list("body", flat=True)) == ["Hei!"]
        assert own.messages.filter(body="Mitt svar").exists()
        assert not MessageThread.objects.filter(company=world.company_a2).exclude(pk=other.pk).exists()


def test_adviser_of_another_pta_gets_404_for_this_ptas_thread_ids(world):
    thread = start_thread(world, world.company_a1, author=world.contact_a1.user, from_staff=False)
    client = client_for(world.adviser_b)
    for company in (world.company_a1, world.company_b1):
        url = f"/bedrifter/{company.pk}/meldinger/{thread.pk}/"
        assert client.get(url, HTTP_HOST=HOST_B).status_code == 404
        assert client.post(url, {"body": "Inn"}, HTTP_HOST=HOST_B).status_code == 404
    # ...and on PTA A's host they have no membership at all.
    session = client.session
    session["tenant_schema"] = "ptaa"
    session.save()
    assert client.get(f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/", HTTP_HOST=HOST_A).status_code == 403
    with tenant_context(world.pta_a):
        assert thread.messages.count() == 1


def test_thread_pages_send_anonymous_users_to_login_and_refuse_other_methods(world):
    thread = start_thread(world, world.company_a1, author=world.contact_a1.user, from_staff=False)
    url = f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/"
    for path in (url, f"/bedrifter/{world.company_a1.pk}/meldinger/ny/"):
        response = client_for(None, HOST_A).get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client_for(world.adviser_a).put(path).status_code == 405
        assert client_for(world.adviser_a).delete(path).status_code == 405


# --- Read status ----------------------------------------------------------------


def test_unread_counts_per_thread_and_opening_a_thread_marks_it_read(world):
    thread = start_thread(world, world.company_a1, author=world.adviser_a.user, from_staff=True)
    reply(world, thread, author=world.adviser_a.user, from_staff=True)
    quiet = start_thread(world, world.company_a1, author=world.contact_a1.user, from_staff=False, subject="Eget")
    contact = client_for(world.contact_a1)
    page = f"/bedrifter/{world.company_a1.pk}/dokumenter/"

    unread = {t.pk: t.unread for t in contact.get(page).context["threads"]}
    assert unread == {thread.pk: 2, quiet.pk: 0}  # own messages are never unread
    with tenant_context(world.pta_a):
        assert selectors.unread_thread_count(user=world.contact_a1.user) == 1
        # The adviser has not read the contact person's thread.
        assert selectors.unread_thread_count(user=world.adviser_a.user) == 1

    assert contact.get(f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/").status_code == 200
    assert {t.pk: t.unread for t in contact.get(page).context["threads"]} == {thread.pk: 0, quiet.pk: 0}

    reply(world, thread, author=world.adviser_a.user, from_staff=True)
    with tenant_context(world.pta_a):
        assert selectors.unread_thread_count(user=world.contact_a1.user) == 1
        assert selectors.unread_thread_count(user=world.contact_a1.user, company_ids=[world.company_a2.pk]) == 0
    response = contact.get(page)
    assert {t.pk: t.unread for t in response.context["threads"]} == {thread.pk: 1, quiet.pk: 0}
    assert "1 ulest" in response.content.decode()  # bokmål is the default language


def test_unread_thread_count_leaves_out_companies_the_user_cannot_reach(world):
    start_thread(world, world.company_a2, author=world.adviser_a.user, from_staff=True)
    with tenant_context(world.pta_a):
        assert selectors.unread_thread_count(user=world.contact_a1.user) == 0
        assert selectors.unread_thread_count(user=world.contact_a1.user, company_ids=[world.company_a2.pk]) == 0
        assert selectors.unread_thread_count(user=world.contact_a2.user) == 1
        assert selectors.unread_thread_count(user=world.admin_a.user) == 0  # written by staff: not news to staff


def test_thread_page_queries_do_not_grow_with_messages(world):
    thread = start_thread(world, world.company_a1, author=world.adviser_a.user, from_staff=True)
    client = client_for(world.contact_a1)
    url = f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for _ in range(3):
        reply(world, thread, author=world.contact_a1.user, from_staff=False)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert len(response.context["thread_messages"]) == 4
    assert len(second) == len(first)


# --- A real SMTP server -------------------------------------------------------------


def test_message_notification_over_real_smtp_links_to_the_tenants_domain_and_is_sent_once(
    world, settings, django_capture_on_commit_callbacks
):
    thread = start_thread(world, world.company_a1, author=world.contact_a1.user, from_staff=False)
    with SmtpSink() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.adviser_a).post(
                f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/", {"body": "Vi har sendt billettene."}
            )
        assert response.status_code == 302
        assert len(smtp.messages) == 1
        mail = smtp.messages[0]
        assert mail["To"] == "kontakt1@a.test.no"
        text = mail.get_payload(0).get_payload(decode=True).decode()
        port = f":{django_settings.SITE_PORT}" if django_settings.SITE_PORT else ""
        link = f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/"
        assert f"{django_settings.SITE_SCHEME}://{HOST_A}{port}{link}" in text
        assert "Vi har sendt billettene" not in text  # the message itself stays behind the sign-in

        # A retried or duplicated task sends nothing more.
        with tenant_context(world.pta_a):
            message = thread.messages.get(from_staff=True)
            assert send_message_notifications.delay(message.pk).get() == 0
            assert NotificationSent.objects.filter(object_id=message.pk, kind="message").count() == 1
        assert len(smtp.messages) == 1
