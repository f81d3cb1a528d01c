"""The survey mailings over a real SMTP server (aiosmtpd): each invitation once, with its
personal link and an opt-out link; permanent refusals fail the invitation and suppress the
address, temporary ones are retried; opted-out addresses get nothing; reminders only to those
who have not answered, at most max_reminders; the closing summary once per contact person; and
the beat task queueing what is due, through the outbox, once."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from surveys import notifications, selectors, services_rounds, tasks
from surveys.models import (
    ClosingSummary,
    Invitation,
    InvitationMail,
    InvitationState,
    MailKind,
    MailSuppression,
    RoundKind,
    SuppressionReason,
    SurveyRound,
)
from tests.base import HOST_A
from tests.factories import CompanyFactory, ContactPersonFactory, EmployeeFactory, UserFactory
from tests.servers import RefusingSmtpSink, SmtpSink

pytestmark = pytest.mark.django_db

LINK = re.compile(rf"http://{re.escape(HOST_A)}:8000/undersokelse/([0-9a-f]+)/")


@pytest.fixture
def smtp_settings(settings):
    settings.SITE_PORT = "8000"

    def use(sink: SmtpSink) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port

    return use


def _body(message: Message, kind: str = "text/plain") -> str:
    part = next(p for p in message.walk() if p.get_content_type() == kind)
    return part.get_payload(decode=True).decode()


def _company(n: int = 3, **employee_fields):
    company = CompanyFactory(name="Omega Oljeservice AS")
    employees = [EmployeeFactory(company=company, email=f"ansatt{i}@omega.no", **employee_fields) for i in range(n)]
    return company, employees


def _end_earlier_rounds(company) -> None:
    """Move the company's rounds into the past, so that a new round for the same people may start."""
    today = timezone.localdate()
    SurveyRound.objects.filter(company=company).update(
        opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=16)
    )


def _start(company, **options):
    today = timezone.localdate()
    options.setdefault("opens_on", today)
    options.setdefault("closes_on", today + timedelta(days=14))
    return services_rounds.round_start(company=company, kind=RoundKind.BASELINE, **options)


def test_each_invitation_goes_once_with_its_link(world, smtp_settings, django_capture_on_commit_callbacks):
    with SmtpSink() as smtp, tenant_context(world.pta_a):
        smtp_settings(smtp)
        company, employees = _company(3)
        english = EmployeeFactory(company=company, email="Expat@Omega.no", preferred_language="en")
        # Started: the outbox hands the mailing to the (eager) task on commit, which sends it.
        with django_capture_on_commit_callbacks(execute=True):
            survey_round = _start(company)
        assert len(smtp.messages) == 4
        by_address = {m["To"]: m for m in smtp.messages}
        assert set(by_address) == {*(e.email for e in employees), "expat@omega.no"}
        for invitation in survey_round.invitations.all():
            message = by_address[invitation.email]
            text, html = _body(message), _body(message, "text/html")
            token = LINK.search(text).group(1)
            # The link's token is the row's: its SHA-256 is what is stored, and it is the row's HMAC.
            assert Invitation.hash_token(token) == invitation.token_hash and token == invitation.token()
            assert f"/undersokelse/{token}/" in html
            opt_out = f"http://{HOST_A}:8000/undersokelse/{token}/avmeld/"
            assert opt_out in text and "".join(message["List-Unsubscribe"].split()) == f"<{opt_out}>"
            assert (
                message["Message-ID"] == f"<survey-invitation.{invitation.pk}.invitation.0.ptaa@bedriftsmobilitet.no>"
            )
            subject = str(make_header(decode_header(message["Subject"])))
            assert "Region A" in message["From"] and "Omega Oljeservice AS" in subject
            assert "Omega Oljeservice AS" in text and "Region A" in text
            assert invitation.state == InvitationState.SENT and invitation.sent_at and invitation.last_mailed_at
            assert InvitationMail.objects.filter(invitation=invitation, kind=MailKind.INVITATION, number=0).exists()
        # In the employee's language, with the closing date.
        expat = _body(by_address["expat@omega.no"])
        assert "anonymous" in expat and "5 minutes" in expat
        with translation.override("en"):
            from django.utils.formats import date_format

            assert date_format(survey_round.closes_on, "DATE_FORMAT") in expat
        # The task again, or a duplicate delivery: nothing more.
        assert tasks.send_invitations(survey_round.pk) == 0
        assert notifications.invitations_send(round_id=survey_round.pk) == 0
        assert len(smtp.messages) == 4
        progress = selectors.round_progress(round=survey_round)
        assert (progress.recipients, progress.sent, progress.failed, progress.waiting) == (4, 4, 0, 0)
        assert english.pk in set(survey_round.invitations.values_list("employee_id", flat=True))


def test_a_permanent_refusal_fails_the_invitation_and_suppresses_the_address(world, smtp_settings):
    with RefusingSmtpSink({"ansatt1@omega.no": "550 5.1.1 No such user"}) as smtp, tenant_context(world.pta_a):
        smtp_settings(smtp)
        company, _employees = _company(3)
        survey_round = _start(company)
        assert notifications.invitations_send(round_id=survey_round.pk) == 2
        refused = survey_round.invitations.get(email="ansatt1@omega.no")
        assert refused.state == InvitationState.FAILED and "550" in refused.failure
        suppression = MailSuppression.objects.get(email="ansatt1@omega.no")
        assert suppression.reason == SuppressionReason.BOUNCE and "No such user" in suppression.detail
        assert notifications.invitations_send(round_id=survey_round.pk) == 0  # not tried again
        assert sorted(m["To"] for m in smtp.messages) == ["ansatt0@omega.no", "ansatt2@omega.no"]
        assert selectors.round_progress(round=survey_round).failed == 1
        # The next round leaves the bounced address out.
        _end_earlier_rounds(company)
        assert _start(company).invitations.count() == 2


def test_a_temporary_refusal_is_retried_after_the_others_and_then_sent(world, smtp_settings):
    sink = RefusingSmtpSink({"ansatt0@omega.no": "450 4.2.1 Try again later"})
    with sink as smtp, tenant_context(world.pta_a):
        smtp_settings(smtp)
        company, _employees = _company(3)
        survey_round = _start(company)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            notifications.invitations_send(round_id=survey_round.pk)
        assert sorted(m["To"] for m in smtp.messages) == ["ansatt1@omega.no", "ansatt2@omega.no"]
        assert survey_round.invitations.get(email="ansatt0@omega.no").state == InvitationState.WAITING
        sink.refuse.clear()
        assert notifications.invitations_send(round_id=survey_round.pk) == 1
        assert sorted(m["To"] for m in smtp.messages) == [f"ansatt{i}@omega.no" for i in range(3)]
        assert not MailSuppression.objects.exists()


def test_an_unreachable_server_leaves_everything_waiting(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    with tenant_context(world.pta_a):
        company, _employees = _company(2)
        survey_round = _start(company)
        with pytest.raises(OSError):
            notifications.invitations_send(round_id=survey_round.pk)
        assert set(survey_round.invitations.values_list("state", flat=True)) == {InvitationState.WAITING}
        assert not InvitationMail.objects.filter(invitation__round=survey_round).exists()


def test_an_address_suppressed_after_the_start_is_skipped(world, smtp_settings):
    with SmtpSink() as smtp, tenant_context(world.pta_a):
        smtp_settings(smtp)
        company, _employees = _company(3)
        survey_round = _start(company)
        MailSuppression.objects.create(email="ansatt2@omega.no", reason=SuppressionReason.OPT_OUT)
        assert notifications.invitations_send(round_id=survey_round.pk) == 2
        assert "ansatt2@omega.no" not in [m["To"] for m in smtp.messages]
        assert survey_round.invitations.get(email="ansatt2@omega.no").state == InvitationState.SKIPPED
        assert selectors.round_progress(round=survey_round).failed == 1


def test_a_closed_or_not_yet_open_round_sends_nothing(world, smtp_settings):
    with SmtpSink() as smtp, tenant_context(world.pta_a):
        smtp_settings(smtp)
        company, _employees = _company(2)
        later = _start(company, opens_on=timezone.localdate() + timedelta(days=2))
        assert notifications.invitations_send(round_id=later.pk) == 0
        today = timezone.localdate()
        closed = _start(company, opens_on=today + timedelta(days=20), closes_on=today + timedelta(days=30))
        SurveyRound.objects.filter(pk=closed.pk).update(
            opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=1)
        )
        assert notifications.invitations_send(round_id=closed.pk) == 0
        assert notifications.invitations_send(round_id=999_999) == 0
        assert smtp.messages == []


def _age(survey_round, days: int) -> None:
    survey_round.invitations.update(last_mailed_at=timezone.now() - timedelta(days=days))


def test_reminders_go_only_to_those_who_have_not_answered_at_most_max_reminders(world, smtp_settings):
    with SmtpSink() as smtp, tenant_context(world.pta_a):
        smtp_settings(smtp)
        company, _employees = _company(3)
        survey_round = _start(company, reminder_days=4, max_reminders=2)
        notifications.invitations_send(round_id=survey_round.pk)
        smtp.messages.clear()
        assert notifications.reminders_send(round_id=survey_round.pk) == 0  # not yet due
        survey_round.invitations.filter(email="ansatt0@omega.no").update(responded_on=timezone.localdate())
        _age(survey_round, 3)
        assert notifications.reminders_send(round_id=survey_round.pk) == 0  # 3 days < 4
        _age(survey_round, 4)
        assert notifications.reminders_send(round_id=survey_round.pk) == 2
        assert sorted(m["To"] for m in smtp.messages) == ["ansatt1@omega.no", "ansatt2@omega.no"]
        reminder = smtp.messages[0]
        assert ".reminder.1.ptaa@" in reminder["Message-ID"] and LINK.search(_body(reminder))
        assert notifications.reminders_send(round_id=survey_round.pk) == 0  # just reminded
        _age(survey_round, 5)
        assert notifications.reminders_send(round_id=survey_round.pk) == 2
        _age(survey_round, 5)
        assert notifications.reminders_send(round_id=survey_round.pk) == 0  # max_reminders reached
        assert len(smtp.messages) == 4
        assert set(
            survey_round.invitations.exclude(responded_on__isnull=False).values_list("reminders_sent", flat=True)
        ) == {2}
        assert InvitationMail.objects.filter(invitation__round=survey_round, kind=MailKind.REMINDER).count() == 4


def test_the_closing_summary_goes_once_to_each_contact_person(world, smtp_settings):
    with SmtpSink() as smtp, tenant_context(world.pta_a):
        smtp_settings(smtp)
        company, _employees = _company(4)
        ContactPersonFactory(company=company, user=UserFactory(email="Sjef@Omega.no"))
        ContactPersonFactory(company=company, user=UserFactory(email="hr@omega.no"))
        survey_round = _start(company)
        notifications.invitations_send(round_id=survey_round.pk)
        survey_round.invitations.filter(email__in=["ansatt0@omega.no", "ansatt1@omega.no", "ansatt2@omega.no"]).update(
            responded_on=timezone.localdate()
        )
        smtp.messages.clear()
        assert notifications.closing_summary_send(round_id=survey_round.pk) == 0  # still open
        today = timezone.localdate()
        SurveyRound.objects.filter(pk=survey_round.pk).update(
            opens_on=today - timedelta(days=15), closes_on=today - timedelta(days=1)
        )
        assert tasks.send_summary(survey_round.pk) == 2
        assert tasks.send_summary(survey_round.pk) == 0
        assert notifications.closing_summary_send(round_id=survey_round.pk) == 0
        assert sorted(m["To"] for m in smtp.messages) == ["hr@omega.no", "sjef@omega.no"]
        survey_round.refresh_from_db()
        assert survey_round.summary_sent_at is not None
        assert ClosingSummary.objects.filter(round=survey_round).count() == 2
        text = _body(smtp.messages[0])
        results = f"http://{HOST_A}:8000/bedrifter/{company.pk}/undersokelser/resultater/"
        assert results in text and "75" in text and "4" in text and "3" in text
        progress = selectors.round_progress(round=survey_round)
        assert (progress.answered, progress.response_rate, progress.target, progress.met) == (3, 75, 75, True)


def test_the_beat_task_queues_what_is_due_once(world, django_capture_on_commit_callbacks, mailoutbox):
    with tenant_context(world.pta_a):
        company, _employees = _company(2)
        today = timezone.localdate()
        survey_round = _start(company)  # queued by the start; not yet handed over (no commit here)
        other_company, _others = _company(2)
        opening = _start(other_company, opens_on=today + timedelta(days=1))
        assert services_rounds.due_mail_enqueue() == []  # the first waits in the outbox; the other not open
        OutboxMessage.objects.update(sent_at=timezone.now())  # as if handed over, and its worker died
        SurveyRound.objects.filter(pk=opening.pk).update(opens_on=today)  # its opening day
        queued = services_rounds.due_mail_enqueue()
        assert sorted((row.task_name, row.args[0]) for row in queued) == [
            ("surveys.send_invitations", survey_round.pk),
            ("surveys.send_invitations", opening.pk),
        ]
        assert services_rounds.due_mail_enqueue() == []  # those wait in the outbox: not queued twice
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.survey_mail_due() == 0
        # Handed over and sent (eager tasks), then: reminders and the summary when due.
        OutboxMessage.objects.update(sent_at=timezone.now())
        notifications.invitations_send(round_id=survey_round.pk)
        notifications.invitations_send(round_id=opening.pk)
        assert len(mailoutbox) == 4
        _age(survey_round, 4)
        SurveyRound.objects.filter(pk=opening.pk).update(
            opens_on=today - timedelta(days=9), closes_on=today - timedelta(days=1)
        )
        queued = services_rounds.due_mail_enqueue()
        assert sorted((row.task_name, row.key) for row in queued) == [
            ("surveys.send_reminders", f"survey-round-{survey_round.pk}-reminders"),
            ("surveys.send_summary", f"survey-round-{opening.pk}-summary"),
        ]


# --- The development mail backend (config.dev.mail) ------------------------------------------


def test_the_dev_backend_writes_each_mail_as_an_eml_file(world, settings, tmp_path):
    from email import message_from_bytes

    settings.EMAIL_BACKEND = "config.dev.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.SITE_PORT = "8000"
    with tenant_context(world.pta_a):
        company, _employees = _company(2)
        survey_round = _start(company)
        assert notifications.invitations_send(round_id=survey_round.pk) == 2
        files = sorted((tmp_path / "mail").glob("*.eml"))
        assert len(files) == 2
        assert not list((tmp_path / "mail").glob(".*"))  # no half-written files left
        for file in files:
            # 20261202-173501-000001-<process id>-<slug of the subject>.eml
            assert re.fullmatch(r"\d{8}-\d{6}-\d{6}-\d+-[a-z0-9-]+\.eml", file.name), file.name
            assert "omega-oljeservice-as" in file.name
            message = message_from_bytes(file.read_bytes())
            invitation = survey_round.invitations.get(email=message["To"])
            token = LINK.search(_body(message)).group(1)
            assert Invitation.hash_token(token) == invitation.token_hash
        assert {message_from_bytes(f.read_bytes())["To"] for f in files} == {"ansatt0@omega.no", "ansatt1@omega.no"}


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"DEMO_MODE": "1"}, "config.dev.mail.EmlFileBackend"),  # make run, manage.py on a developer's machine
        ({"DJANGO_DEBUG": "1"}, "config.dev.mail.EmlFileBackend"),
        ({"DEMO_MODE": "1", "EMAIL_HOST": "smtp.example.no"}, "django.core.mail.backends.smtp.EmailBackend"),
        ({}, "django.core.mail.backends.smtp.EmailBackend"),  # production
    ],
)
def test_without_mail_settings_a_developers_machine_writes_eml_files(environment, expected):
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "DEMO_MODE", "DJANGO_DEBUG", "DJANGO_TESTING", "EMBEDDED_SERVICES"))
    }
    env.update(
        DATABASE_URL="postgres://unused/unused",
        REDIS_URL="redis://unused:1/0",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_SETTINGS_MODULE="config.settings",
        EMBEDDED_SERVICES="0",
        **environment,
    )
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    backend, folder = result.stdout.split()
    assert backend == expected
    assert folder == str(django_settings.BASE_DIR / ".data" / "mail")
