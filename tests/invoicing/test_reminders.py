"""Reminders (purring) of overdue invoices: stage 1 after first_reminder_days, stage 2 after
second_reminder_days more, each once; paid invoices get none; the mail goes over real SMTP once,
to the buyer's invoice e-mail or else to the contact persons who may see invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from invoicing import reminder_mail, tasks
from invoicing.models import Payment, PaymentState, Reminder
from invoicing.services_reminders import SEND_REMINDER, reminders_queue
from tests.factories import AgreementFactory, issued_invoice
from tests.servers import SmtpSink

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2026, 12, 1)  # due 15.12.2026, 8412.50
FIRST = dt.date(2026, 12, 22)  # due + 7 days (the default first_reminder_days)


def _queued() -> int:
    return OutboxMessage.objects.filter(task_name=SEND_REMINDER).count()


def test_stage_one_is_made_once_after_the_first_reminder_days(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        assert reminders_queue(today=FIRST - dt.timedelta(days=1)) == []
        made = reminders_queue(today=FIRST)
        assert [(r.invoice, r.stage, r.amount_due) for r in made] == [(invoice, 1, Decimal("8412.50"))]
        assert _queued() == 1
        assert OutboxMessage.objects.get(task_name=SEND_REMINDER).args == [made[0].pk]
        assert reminders_queue(today=FIRST) == []
        assert reminders_queue(today=FIRST + dt.timedelta(days=3)) == []  # stage 1 not sent yet: no stage 2
        assert Reminder.objects.count() == 1 and _queued() == 1


def test_stage_two_comes_only_second_reminder_days_after_stage_one_was_sent(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        first = reminders_queue(today=FIRST)[0]
        sent = timezone.make_aware(dt.datetime(2026, 12, 22, 9, 0))
        Reminder.objects.filter(pk=first.pk).update(sent_at=sent)
        assert reminders_queue(today=dt.date(2027, 1, 4)) == []  # 13 days
        second = reminders_queue(today=dt.date(2027, 1, 5))  # 14 days (the default second_reminder_days)
        assert [(r.invoice, r.stage) for r in second] == [(invoice, 2)]
        Reminder.objects.filter(pk=second[0].pk).update(sent_at=sent)
        assert reminders_queue(today=dt.date(2027, 3, 1)) == []  # no stage 3
        assert _queued() == 2


def test_a_paid_invoice_gets_no_reminder_and_a_partly_paid_one_is_reminded_of_the_rest(world):
    with tenant_context(world.pta_a):
        paid = issued_invoice(today=ISSUED)
        partly = issued_invoice(today=ISSUED)
        for invoice, amount in ((paid, "8412.50"), (partly, "412.50")):
            Payment.objects.create(
                invoice=invoice, kid=invoice.kid, amount=Decimal(amount), paid_on=ISSUED, state=PaymentState.MATCHED
            )
        made = reminders_queue(today=FIRST)
        assert [(r.invoice, r.amount_due) for r in made] == [(partly, Decimal("8000.00"))]


def test_the_task_makes_the_reminders_of_today(world):
    with tenant_context(world.pta_a):
        issued_invoice(today=dt.date(2026, 1, 5))  # long overdue by the real today
        assert tasks.send_due_reminders() == 1
        assert tasks.send_due_reminders() == 0


def _smtp_settings(settings, smtp):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port


def test_the_reminder_mail_goes_over_real_smtp_once_even_when_the_task_runs_twice(
    world, settings, django_capture_on_commit_callbacks
):
    with SmtpSink() as smtp, tenant_context(world.pta_a):
        _smtp_settings(settings, smtp)
        invoice = issued_invoice(today=ISSUED)
        with django_capture_on_commit_callbacks(execute=True):
            reminder = reminders_queue(today=FIRST)[0]  # the outbox hands it to the (eager) task on commit
        assert len(smtp.messages) == 1
        assert tasks.send_reminder(reminder.pk) == 0
        assert reminder_mail.reminder_send(reminder_id=reminder.pk) == 0
        assert len(smtp.messages) == 1
        message = smtp.messages[0]
        assert message["To"] == invoice.buyer_email
        assert str(invoice.number) in message["Subject"]
        text = message.get_payload(decode=True).decode()
        assert f"Fakturanummer {invoice.number}" in text or str(invoice.number) in text
        assert invoice.kid in text
        assert "8\u00a0412,50" in text or "8 412,50" in text
        assert "15.12.2026" in text
        assert "8601.11.17947" in text
        reminder.refresh_from_db()
        assert reminder.sent_at is not None and reminder.address == invoice.buyer_email and not reminder.refused


def test_without_an_invoice_email_the_contact_persons_who_see_invoices_get_it(world, mailoutbox):
    with tenant_context(world.pta_a):
        AgreementFactory(company=world.company_a1, invoice_email="", ehf_address="0192:914778271")
        invoice = issued_invoice(world.company_a1, today=ISSUED)
        assert invoice.buyer_email == ""
        reminder = reminders_queue(today=FIRST)[0]
        assert reminder_mail.reminder_send(reminder_id=reminder.pk) == 1
        assert reminder_mail.reminder_send(reminder_id=reminder.pk) == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [world.contact_a1.user.email]
