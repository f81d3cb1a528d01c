"""The reminder (purring) mail of an overdue invoice, run by invoicing.tasks.send_reminder.

Rules:
- To the invoice's buyer e-mail (as invoiced); without one, to the company's contact persons
  who may see invoices.
- In bokmål (settings.LANGUAGE_CODE), naming the invoice number, the amount due, the original
  due date, the KID and the account to pay to.
- Sent at most once: the reminder is claimed by a conditional UPDATE (sent_at IS NULL) in the
  transaction that sends it, so a second run of the task finds it claimed and sends nothing; a
  temporary refusal (4xx) or a failure to reach the server rolls the claim back and the task
  retries. A permanent refusal (5xx), or no address at all, is recorded (`refused`) and not
  tried again.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from companies.models import ContactPerson
from invoicing import pdf
from invoicing.models import Reminder
from tenants.emails import refusal_reply, stable_message_id

logger = logging.getLogger(__name__)


def reminder_addresses(reminder: Reminder) -> list[str]:
    invoice = reminder.invoice
    if invoice.buyer_email:
        return [invoice.buyer_email]
    emails = (
        ContactPerson.objects.filter(company_id=invoice.company_id, can_see_invoices=True, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(email for email in emails if email))


def reminder_text(reminder: Reminder) -> tuple[str, str]:
    """(subject, body) of the reminder, in the active language."""
    invoice = reminder.invoice
    values = {
        "number": invoice.number,
        "amount": formats.number_format(reminder.amount_due, 2, use_l10n=True, force_grouping=True),
        "due_date": formats.date_format(invoice.due_date, "d.m.Y"),
        "kid": invoice.kid,
        "account": pdf.bank_account(invoice.bank_account),  # as the invoice prints it
        "seller": invoice.seller_name or connection.tenant.name,
        "buyer": invoice.buyer_name,
    }
    if reminder.stage >= 2:
        subject = _("Second reminder: invoice %(number)s from %(seller)s") % values
    else:
        subject = _("Reminder: invoice %(number)s from %(seller)s") % values
    lines = [
        _("To %(buyer)s") % values,
        "",
        _("According to our records, invoice %(number)s, due on %(due_date)s, has not been paid in full.") % values,
        "",
        _("Amount due: NOK %(amount)s") % values,
        _("Original due date: %(due_date)s") % values,
        _("KID: %(kid)s") % values,
        _("Account: %(account)s") % values,
        "",
        _("Please pay the amount due to the account above, with the KID."),
        _("If you have paid already, disregard this reminder."),
        "",
        _("Kind regards"),
        values["seller"],
    ]
    if invoice.seller_email:
        lines.append(invoice.seller_email)
    return subject, "\n".join(lines) + "\n"


def reminder_send(*, reminder_id: int) -> int:
    """Mail one reminder, once. Returns 1 if it was sent now, 0 otherwise."""
    with transaction.atomic():
        claimed = Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(sent_at=timezone.now())
        if not claimed:
            return 0
        reminder = Reminder.objects.select_related("invoice").get(pk=reminder_id)
        addresses = reminder_addresses(reminder)
        if not addresses:
            logger.warning("reminder %s: invoice %s has no address to send to", reminder.pk, reminder.invoice_id)
            Reminder.objects.filter(pk=reminder.pk).update(refused="no address")
            return 0
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = reminder_text(reminder)
        message = EmailMessage(
            subject=subject,
            body=body,
            to=addresses,
            headers={"Message-ID": stable_message_id("invoice-reminder", reminder.pk)},
        )
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as refusal:
            reply, for_good = refusal_reply(refusal)
            if not for_good:
                raise  # rolls the claim back: the task retries
            logger.warning("reminder %s: the mail server refused the address for good", reminder.pk)
            Reminder.objects.filter(pk=reminder.pk).update(refused=reply, address=", ".join(addresses)[:254])
            return 0
        Reminder.objects.filter(pk=reminder.pk).update(address=", ".join(addresses)[:254])
    return 1
