"""Issuing: gapless numbers per PTA, the KID, the totals, and final issued invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from invoicing import kid
from invoicing.models import Invoice, InvoiceState
from invoicing.services import credit_note_create, invoice_issue
from tests.factories import draft_invoice, invoiced_company, issued_invoice

pytestmark = pytest.mark.django_db


def test_issuing_gives_the_next_number_a_kid_and_the_worked_example_totals(world):
    with tenant_context(world.pta_a):
        first = issued_invoice(today=date(2026, 12, 1))
        second = issued_invoice(today=date(2026, 12, 1))
        assert second.number == first.number + 1
        assert first.kid == kid.for_number(first.number, length=10, method="mod10")
        assert kid.is_valid(first.kid, method="mod10")
        assert (first.net_total, first.vat_total, first.gross_total) == (
            Decimal("7482.14"),
            Decimal("930.36"),
            Decimal("8412.50"),
        )
        assert first.due_date == date(2026, 12, 15)
        assert first.seller_org_number == "923609016"


def test_an_issued_invoice_is_never_changed_or_deleted(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.filter(pk=invoice.pk).update(buyer_name="Someone else")
        with pytest.raises(IntegrityError), transaction.atomic():
            invoice.lines.filter(position=1).update(quantity=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Invoice.objects.filter(pk=invoice.pk).delete()
        assert Invoice.objects.get(pk=invoice.pk).buyer_name == invoice.buyer_name


def test_issuing_twice_is_refused_and_takes_no_number(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        with pytest.raises(ValidationError, match="allerede utstedt"):
            invoice_issue(invoice=invoice)
        after = issued_invoice()
        assert after.number == invoice.number + 1


def test_a_company_without_invoice_address_is_refused_and_leaves_no_gap(world):
    with tenant_context(world.pta_a):
        before = issued_invoice()
        company = invoiced_company()
        company.agreement.invoice_email = ""
        company.agreement.save()
        draft = draft_invoice(company)
        with pytest.raises(ValidationError, match="ingen e-postadresse for faktura eller EHF-adresse"):
            invoice_issue(invoice=draft)
        draft.refresh_from_db()
        assert draft.state == InvoiceState.DRAFT and draft.number is None
        assert issued_invoice().number == before.number + 1


def test_numbers_are_per_pta(world):
    with tenant_context(world.pta_a):
        a = issued_invoice()
    with tenant_context(world.pta_b):
        b1 = issued_invoice()
        b2 = issued_invoice()
    assert b2.number == b1.number + 1
    assert a.pk  # both series exist side by side


def test_a_credit_note_in_part_takes_a_number_and_cannot_credit_more_than_invoiced(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        ticket_line = invoice.lines.get(position=1)
        note = credit_note_create(invoice=invoice, quantities={ticket_line.pk: Decimal(2)}, reason="Cancelled")
        assert note.number == invoice.number + 1
        assert note.credited_invoice_id == invoice.pk and note.kid == ""
        assert (note.net_total, note.vat_total, note.gross_total) == (
            Decimal("1446.43"),
            Decimal("173.57"),
            Decimal("1620.00"),
        )
        with pytest.raises(ValidationError, match="mer enn det som er igjen å kreditere"):
            credit_note_create(invoice=invoice, quantities={ticket_line.pk: Decimal(9)}, reason="Again")
        rest = credit_note_create(invoice=invoice, reason="All of it")
        assert rest.lines.get(credited_line=ticket_line).quantity == 8
        with pytest.raises(ValidationError, match="ingenting igjen å kreditere"):
            credit_note_create(invoice=invoice, reason="Once more")


def test_the_balance_counts_payments_and_credit_notes(world):
    from invoicing.models import Payment, PaymentState
    from invoicing.selectors import PaymentStatus, invoice_with_balance

    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        assert invoice_with_balance(pk=invoice.pk).payment_status == PaymentStatus.OPEN
        Payment.objects.create(
            invoice=invoice,
            kid=invoice.kid,
            amount=Decimal("1000.00"),
            paid_on=date(2026, 12, 5),
            state=PaymentState.MATCHED,
        )
        partly = invoice_with_balance(pk=invoice.pk)
        assert (partly.paid, partly.balance, partly.payment_status) == (
            Decimal("1000.00"),
            Decimal("7412.50"),
            PaymentStatus.PARTLY_PAID,
        )
        credit_note_create(invoice=invoice, reason="Wrong month")
        over = invoice_with_balance(pk=invoice.pk)
        assert (over.credited, over.balance, over.payment_status) == (
            Decimal("8412.50"),
            Decimal("-1000.00"),
            PaymentStatus.OVERPAID,
        )
