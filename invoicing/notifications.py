"""The e-mail that delivers an invoice: from the PTA, in bokmål, with the PDF attached. Sent by
invoicing.services_delivery.delivery_send (run by invoicing.tasks.deliver_invoice), once."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from invoicing import pdf
from invoicing.models import Invoice
from tenants.emails import stable_message_id, tenant_url


def _from_address() -> str:
    """The PTA's name on the site's sending address (DEFAULT_FROM_EMAIL, which the mail server may send as)."""
    return formataddr((connection.tenant.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def _invoices_url(invoice: Invoice) -> str:
    try:
        path = reverse("invoicing:company_invoices", args=[invoice.company_id], urlconf=settings.ROOT_URLCONF)
        return tenant_url(connection.tenant, path)
    except (NoReverseMatch, ValueError):
        return ""


def invoice_email(invoice: Invoice, *, to: str) -> EmailMessage:
    """The mail with the invoice's PDF (the stored one) attached as faktura-<number>.pdf."""
    seller = invoice.seller_name or connection.tenant.name
    values = {
        "number": invoice.number,
        "seller": seller,
        "buyer": invoice.buyer_name,
        "amount": pdf.amount(invoice.gross_total),
        "due_date": invoice.due_date.strftime("%d.%m.%Y") if invoice.due_date else "",
        "kid": invoice.kid,
        "account": pdf.bank_account(invoice.bank_account),
        "credited": invoice.credited_invoice.number if invoice.credited_invoice_id else "",
    }
    with translation.override(settings.LANGUAGE_CODE):
        if invoice.is_credit_note:
            subject = _("Credit note %(number)s from %(seller)s") % values
            lines = [
                _("To %(buyer)s") % values,
                "",
                _("Attached is credit note %(number)s, crediting invoice %(credited)s.") % values,
                _("Amount credited: NOK %(amount)s") % values,
            ]
            filename = f"kreditnota-{invoice.number}.pdf"
        else:
            subject = _("Invoice %(number)s from %(seller)s") % values
            lines = [
                _("To %(buyer)s") % values,
                "",
                _("Attached is invoice %(number)s.") % values,
                "",
                _("Amount due: NOK %(amount)s") % values,
                _("Due date: %(due_date)s") % values,
                _("KID: %(kid)s") % values,
                _("Account: %(account)s") % values,
            ]
            filename = f"faktura-{invoice.number}.pdf"
        url = _invoices_url(invoice)
        if url:
            lines += ["", _("Contact persons of the company can also find the invoice here: %(url)s") % {"url": url}]
        lines += ["", _("Kind regards"), seller]
        if invoice.seller_email:
            lines.append(invoice.seller_email)
    message = EmailMessage(
        subject=subject,
        body="\n".join(lines) + "\n",
        from_email=_from_address(),
        to=[to],
        reply_to=[invoice.seller_email] if invoice.seller_email else None,
        headers={"Message-ID": stable_message_id("invoice", invoice.pk)},
    )
    message.attach(filename, pdf.invoice_pdf(invoice), "application/pdf")
    return message
