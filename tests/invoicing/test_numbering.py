"""Invoice numbers are gapless and sequential per PTA: two issuers at once take different numbers
with no gap (the series row is locked), and an issue that rolls back gives its number back."""

from __future__ import annotations

import threading

import pgtrigger
import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from invoicing.models import Invoice, InvoiceNumberSeries
from invoicing.services import invoice_issue, invoices_issue
from tests.factories import draft_invoice, invoiced_company, issued_invoice


def test_an_issue_that_rolls_back_gives_its_number_back(world):
    with tenant_context(world.pta_a):
        before = InvoiceNumberSeries.objects.get().next_number
        with pytest.raises(RuntimeError), transaction.atomic():
            invoice_issue(invoice=draft_invoice())
            raise RuntimeError("the transaction around the issue failed")
        assert InvoiceNumberSeries.objects.get().next_number == before
        assert issued_invoice().number == before


def test_two_issuers_at_once_take_every_number_once_with_no_gap(committed_world):
    w = committed_world
    with tenant_context(w.pta_b):
        company = invoiced_company()
        drafts = [draft_invoice(company) for _ in range(12)]
        start = InvoiceNumberSeries.objects.get().next_number
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def issue(batch) -> None:
        try:
            with tenant_context(w.pta_b):
                barrier.wait(20)
                result = invoices_issue(invoices=batch)
                assert not result.refused, result.refused
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(drafts[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert not errors, errors
        with tenant_context(w.pta_b):
            numbers = sorted(Invoice.objects.filter(company=company).values_list("number", flat=True))
            assert numbers == list(range(start, start + 12))
            assert InvoiceNumberSeries.objects.get().next_number == start + 12
    finally:
        with (
            tenant_context(w.pta_b),
            pgtrigger.ignore(
                "invoicing.Invoice:issued_invoice_is_final", "invoicing.InvoiceLine:issued_invoice_lines_are_final"
            ),
        ):
            Invoice.objects.filter(company=company).delete()
            company.agreement.delete()
            company.delete()
            InvoiceNumberSeries.objects.update(next_number=start)
