"""The PDF of an invoice or a credit note, rendered with WeasyPrint.

Rules:
- Always in bokmål (the invoice is a Norwegian document), whatever the reader's language.
- An issued invoice is rendered once and stored (InvoiceFile, under `invoices/<schema>/<uuid>.pdf`
  in the default storage): it never changes, so the stored file is what is sent and downloaded.
  Two renderings racing for the same invoice keep one row (get_or_create); the loser's file is
  deleted.
- A draft is rendered with an "UTKAST" marker and no number, and never stored.
- WeasyPrint fetches nothing from outside: the stylesheet is read from a file next to the
  template, the PTA's logo is embedded as a data: URL, and any other URL is refused.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import translation

from invoicing import rules
from invoicing.models import Invoice, InvoiceFile

logger = logging.getLogger(__name__)

TEMPLATE = "invoicing/pdf/invoice.html"
STYLESHEET = Path(__file__).resolve().parent / "templates" / "invoicing" / "pdf" / "invoice.css"
#: Logos larger than this are left out (the name is shown instead).
MAX_LOGO_BYTES = 2 * 1024 * 1024

_stylesheet = None


def _css():
    """The stylesheet, parsed once per process (WeasyPrint's CSS objects are reusable)."""
    global _stylesheet
    if _stylesheet is None:
        from weasyprint import CSS

        _stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=_refuse_fetch)
    return _stylesheet


def _refuse_fetch(url: str, *args, **kwargs):
    """WeasyPrint's URL fetcher: data: URLs only (the embedded logo); nothing from the network or disk."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"the invoice PDF fetches no URL ({url[:60]})")


# --- Norwegian formatting -------------------------------------------------------------------


def amount(value: Decimal) -> str:
    """1234.5 -> "1 234,50" (a space between thousands, a comma before the øre)."""
    return _grouped(Decimal(value).quantize(rules.CENT))


def _grouped(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    whole, _dot, fraction = f"{abs(value):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = sign + " ".join(groups)
    return f"{text},{fraction}" if fraction else text


def quantity(value: Decimal) -> str:
    """10.000 -> "10", 2.500 -> "2,5"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return _grouped(value.quantize(Decimal(1)))
    return _grouped(value.normalize())


def unit_price(value: Decimal) -> str:
    """At least 2 decimals, up to the 4 kept: 10.0000 -> "10,00", 723.2143 -> "723,2143"."""
    value = Decimal(value)
    if value == value.quantize(rules.CENT):
        return amount(value)
    return _grouped(value.normalize())


def vat_rate(value: Decimal) -> str:
    """25.00 -> "25 %", 12.50 -> "12,5 %"."""
    return f"{quantity(value)} %"


def bank_account(account: str) -> str:
    """A Norwegian account number as printed on invoices: 1234.56.78903."""
    if len(account) == 11 and account.isdigit():
        return f"{account[:4]}.{account[4:6]}.{account[6:]}"
    return account


def org_number(number: str) -> str:
    """923609016 -> "923 609 016"."""
    if len(number) == 9 and number.isdigit():
        return f"{number[:3]} {number[3:6]} {number[6:]}"
    return number


def _date(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


# --- The document -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seller:
    name: str
    org_number: str
    vat_registered: bool
    address: str
    postcode: str
    city: str
    email: str
    phone: str
    bank_account: str


def _seller(invoice: Invoice) -> Seller:
    """The seller as invoiced; a draft has no copy yet, so the PTA and its settings as they are now."""
    if invoice.is_issued:
        return Seller(
            name=invoice.seller_name,
            org_number=invoice.seller_org_number,
            vat_registered=invoice.seller_vat_registered,
            address=invoice.seller_address,
            postcode=invoice.seller_postcode,
            city=invoice.seller_city,
            email=invoice.seller_email,
            phone=invoice.seller_phone,
            bank_account=invoice.bank_account,
        )
    from invoicing.services import invoice_settings

    pta, settings = connection.tenant, invoice_settings()
    return Seller(
        name=pta.name,
        org_number=pta.org_number,
        vat_registered=pta.vat_registered,
        address=settings.seller_address,
        postcode=settings.seller_postcode,
        city=settings.seller_city,
        email=pta.contact_email,
        phone=settings.seller_phone,
        bank_account=pta.bank_account,
    )


def _logo_data_url() -> str:
    """The PTA's logo as a data: URL, or "" (no logo, or one that cannot be read)."""
    logo = getattr(connection.tenant, "logo", None)
    if not logo:
        return ""
    try:
        with logo.open("rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
    except (OSError, ValueError):
        logger.warning("invoice PDF: the logo of %s cannot be read", connection.schema_name)
        return ""
    if len(data) > MAX_LOGO_BYTES:
        return ""
    mime = mimetypes.guess_type(logo.name)[0] or "image/png"
    if not mime.startswith("image/"):
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def invoice_context(invoice: Invoice) -> dict:
    """What the template shows, formatted (the template only places it)."""
    lines = list(invoice.lines.order_by("position"))
    totals = rules.totals((line.vat_category, line.vat_rate, line.net_amount) for line in lines)
    seller = _seller(invoice)
    credited = invoice.credited_invoice if invoice.is_credit_note else None
    return {
        "invoice": invoice,
        "is_draft": not invoice.is_issued,
        "is_credit_note": invoice.is_credit_note,
        "title": "Kreditnota" if invoice.is_credit_note else "Faktura",
        "tenant_name": connection.tenant.name,
        "logo": _logo_data_url(),
        "seller": seller,
        "seller_org_number": org_number(seller.org_number),
        "seller_bank_account": bank_account(seller.bank_account),
        "buyer_org_number": org_number(invoice.buyer_org_number),
        "issue_date": _date(invoice.issue_date),
        "due_date": _date(invoice.due_date),
        "period": f"{_date(invoice.period_start)}–{_date(invoice.period_end)}",
        "credited_number": credited.number if credited else None,
        "credited_date": _date(credited.issue_date) if credited else "",
        "lines": [
            {
                "description": line.description,
                "quantity": quantity(line.quantity),
                "unit_price": unit_price(line.unit_price),
                "vat_rate": vat_rate(line.vat_rate),
                "amount": amount(line.net_amount),
            }
            for line in lines
        ],
        "subtotals": [
            {"rate": vat_rate(s.rate), "taxable": amount(s.taxable), "vat": amount(s.vat), "category": s.category}
            for s in totals.subtotals
        ],
        "net_total": amount(totals.net),
        "vat_total": amount(totals.vat),
        "gross_total": amount(totals.gross),
    }


def render_html(invoice: Invoice) -> str:
    with translation.override("nb"):
        return render_to_string(TEMPLATE, invoice_context(invoice))


def html_to_pdf(html: str) -> bytes:
    """Any HTML with the invoice stylesheet, as PDF (what render_invoice_pdf and the bench use)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[_css()])


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice (or credit note, or draft) as a PDF, rendered now and not stored."""
    return html_to_pdf(render_html(invoice))


def invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF of an invoice: for an issued one the stored file, rendered and stored the first
    time (in its own savepoint; a concurrent rendering that stored first wins and ours is
    deleted); a draft is rendered every time and never stored."""
    if not invoice.is_issued:
        return render_invoice_pdf(invoice)
    stored = InvoiceFile.objects.filter(invoice_id=invoice.pk).first()
    if stored is not None:
        return _read(stored)
    data = render_invoice_pdf(invoice)
    name = default_storage.save(f"invoices/{connection.schema_name}/{uuid.uuid4()}.pdf", ContentFile(data))
    try:
        with transaction.atomic():
            row, created = InvoiceFile.objects.get_or_create(invoice_id=invoice.pk, defaults={"pdf": name})
    except Exception:
        default_storage.delete(name)
        raise
    if not created:
        default_storage.delete(name)
        return _read(row)
    return data


def _read(row: InvoiceFile) -> bytes:
    with row.pdf.open("rb") as handle:
        return handle.read()
