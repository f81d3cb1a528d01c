"""The invoice PDF: read back page by page with pypdf. An issued invoice shows its number, KID,
dates, the seller's VAT registration, the VAT per rate and the total; a credit note names the
invoice it credits and asks for no payment; a long invoice flows onto more pages with page
numbers; a draft is marked UTKAST and never stored; an issued invoice is rendered once."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from invoicing import pdf
from invoicing.models import InvoiceFile
from invoicing.services import credit_note_create
from tests.factories import draft_invoice, invoiced_company, issued_invoice

pytestmark = pytest.mark.django_db


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_formatting_is_norwegian():
    assert pdf.amount(Decimal("8412.5")) == "8 412,50"
    assert pdf.amount(Decimal("1234567.891")) == "1 234 567,89"
    assert pdf.amount(Decimal("0")) == "0,00"
    assert pdf.quantity(Decimal("10.000")) == "10"
    assert pdf.quantity(Decimal("2.500")) == "2,5"
    assert pdf.unit_price(Decimal("723.2143")) == "723,2143"
    assert pdf.unit_price(Decimal("10.0000")) == "10,00"
    assert pdf.vat_rate(Decimal("12.00")) == "12 %"
    assert pdf.bank_account("86011117947") == "8601.11.17947"
    assert pdf.org_number("923609016") == "923 609 016"


def test_an_issued_invoice_shows_what_the_law_and_the_bank_need(world, media_root):
    with tenant_context(world.pta_a):
        company = invoiced_company()
        company.agreement.invoice_reference = "Ola Nordmann"
        company.agreement.save()
        invoice = issued_invoice(company, today=date(2026, 12, 1))
        pages = _pages(pdf.render_invoice_pdf(invoice))
    assert len(pages) == 1
    text = pages[0]
    assert "Faktura" in text and "Kreditnota" not in text and "UTKAST" not in text
    assert str(invoice.number) in text
    assert invoice.kid in text
    assert "01.12.2026" in text and "15.12.2026" in text
    assert "Org.nr. 923 609 016 MVA" in text and "Foretaksregisteret" in text
    assert "8601.11.17947" in text
    assert "Region A" in text and "Postboks 1" in text and "4001 Stavanger" in text
    assert invoice.buyer_name in text and "Deres referanse Ola Nordmann" in text
    # The lines, and the VAT per rate: 25 % of 250,00 and 12 % of 7 232,14.
    assert "Bedriftsbillett" in text and "723,2143" in text and "7 232,14" in text
    assert "250,00 25 % 62,50" in text
    assert "7 232,14 12 % 867,86" in text
    assert "7 482,14" in text and "930,36" in text
    assert "Å betale" in text and "8 412,50" in text
    assert "Side 1 av 1" in text


def test_a_seller_without_vat_registration_has_no_mva_after_the_number(world, media_root):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=date(2026, 12, 1))
        invoice.seller_vat_registered = False  # as a PTA outside the VAT register would be invoiced (not saved)
        text = _pages(pdf.render_invoice_pdf(invoice))[0]
    assert "Org.nr. 923 609 016" in text and "Org.nr. 923 609 016 MVA" not in text


def test_a_credit_note_names_the_invoice_it_credits_and_asks_for_no_payment(world, media_root):
    with tenant_context(world.pta_a):
        original = issued_invoice(today=date(2026, 12, 1))
        line = original.lines.get(position=2)
        note = credit_note_create(invoice=original, quantities={line.pk: Decimal("5")}, reason="Fem for mye")
        text = _pages(pdf.render_invoice_pdf(note))[0]
    assert "Kreditnota" in text
    assert f"Krediterer faktura {original.number}" in text
    assert "Fem for mye" in text
    assert "KID" not in text and "Å betale" not in text and "Forfallsdato" not in text


def test_a_long_invoice_flows_onto_more_pages_with_page_numbers(world, media_root):
    with tenant_context(world.pta_a):
        lines = [(f"Linje {i}", "1", "100.00", "25.00") for i in range(1, 61)]
        invoice = issued_invoice(lines=lines, today=date(2026, 12, 1))
        pages = _pages(pdf.render_invoice_pdf(invoice))
    assert len(pages) >= 2
    assert f"Side 1 av {len(pages)}" in pages[0] and f"Side 2 av {len(pages)}" in pages[1]
    assert "Beskrivelse" in pages[1] and "Antall" in pages[1]  # the table header repeated
    assert "Linje 60" in " ".join(pages)
    assert "7 500,00" in pages[-1]  # 60 x 100 + 25 %


def test_a_draft_is_marked_and_never_stored(world, media_root):
    with tenant_context(world.pta_a):
        draft = draft_invoice()
        text = _pages(pdf.invoice_pdf(draft))[0]
        assert not InvoiceFile.objects.filter(invoice=draft).exists()
    assert "UTKAST" in text
    assert "Fakturanummer" not in text
    assert "KID" not in text


def test_an_issued_invoice_is_rendered_once_and_stored_under_its_schema(world, media_root, monkeypatch):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        first = pdf.invoice_pdf(invoice)
        row = InvoiceFile.objects.get(invoice=invoice)
        assert row.pdf.name.startswith("invoices/ptaa/") and row.pdf.name.endswith(".pdf")
        assert default_storage.exists(row.pdf.name)
        monkeypatch.setattr(pdf, "render_invoice_pdf", lambda invoice: pytest.fail("rendered again"))
        assert pdf.invoice_pdf(invoice) == first


def test_a_rendering_that_lost_the_race_keeps_the_first_file(world, media_root, monkeypatch):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        winner = default_storage.save("invoices/ptaa/winner.pdf", io.BytesIO(b"%PDF-winner"))
        real_filter = InvoiceFile.objects.filter

        def first_lookup_misses(*args, **kwargs):
            # The other rendering stores its row between our look-up and our insert.
            monkeypatch.setattr(InvoiceFile.objects, "filter", real_filter)
            InvoiceFile.objects.create(invoice=invoice, pdf=winner)
            return real_filter(pk=None)

        monkeypatch.setattr(InvoiceFile.objects, "filter", first_lookup_misses)
        assert pdf.invoice_pdf(invoice) == b"%PDF-winner"
        assert InvoiceFile.objects.filter(invoice=invoice).count() == 1
        assert sorted(p.name for p in (media_root / "invoices" / "ptaa").iterdir()) == ["winner.pdf"]
