"""Writes of reminders (purring) of overdue invoices.

Rules:
- Only issued invoices past their due date with a balance left (selectors.overdue_invoices) are
  reminded; a paid or credited invoice gets none.
- Stage 1 when today is at least the PTA's first_reminder_days after the due date; stage 2 when
  stage 1 was sent (not refused) at least second_reminder_days before today. No stage 3.
- Each invoice has at most one reminder per stage (unique invoice + stage, get_or_create), so a
  second run, or two at once, make nothing new. The reminder keeps the amount due when it was
  made.
- Side effect: the mail (invoicing.tasks.send_reminder, invoicing.reminder_mail) is queued
  through core.outbox in the transaction that makes the reminder.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from core import outbox
from invoicing import selectors
from invoicing.models import Reminder
from invoicing.services import invoice_settings

SEND_REMINDER = "invoicing.tasks.send_reminder"
LAST_STAGE = 2


def reminder_stage_due(*, due_date: date, stages_sent: dict[int, date | None], today: date, settings) -> int | None:
    """The stage that should be made now, or None. `stages_sent`: stage -> the day it was sent (None
    when made but not sent yet, or refused)."""
    if 1 not in stages_sent:
        return 1 if today >= due_date + timedelta(days=settings.first_reminder_days) else None
    if LAST_STAGE not in stages_sent:
        sent = stages_sent[1]
        if sent is not None and today >= sent + timedelta(days=settings.second_reminder_days):
            return 2
    return None


def reminders_queue(*, today: date) -> list[Reminder]:
    """Make the reminders that are due `today` and queue their mails; returns those made now."""
    settings = invoice_settings()
    invoices = selectors.overdue_invoices(today=today).prefetch_related(
        Prefetch("reminders", queryset=Reminder.objects.order_by("stage"))
    )
    made = []
    for invoice in invoices:
        sent = {
            reminder.stage: (
                timezone.localtime(reminder.sent_at).date() if reminder.sent_at and not reminder.refused else None
            )
            for reminder in invoice.reminders.all()
        }
        stage = reminder_stage_due(due_date=invoice.due_date, stages_sent=sent, today=today, settings=settings)
        if stage is None:
            continue
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                invoice=invoice, stage=stage, defaults={"amount_due": invoice.balance}
            )
            if created:
                outbox.enqueue(task=SEND_REMINDER, args=[reminder.pk], key=f"invoicing.reminder:{reminder.pk}")
        if created:
            made.append(reminder)
    return made
