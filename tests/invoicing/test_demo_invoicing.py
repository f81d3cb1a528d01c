"""The demo data's invoicing (invoicing/demo.py): issued invoices, a credit note, payments in
full and in part, an unmatched payment and an overdue invoice; and the month just ended is left
for invoice_run, which drafts it straight away."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from core.dates import today
from invoicing import demo as invoicing_demo
from invoicing import services
from invoicing.ehf import invoice_xml
from invoicing.models import Invoice, InvoiceKind, InvoiceState, Payment, PaymentState
from invoicing.selectors import overdue_invoices
from reporting import demo
from tests.factories import EmployeeFactory, invoiced_company
from tests.invoicing.ehf_assert import assert_valid_ehf

pytestmark = pytest.mark.django_db


def test_the_demo_pta_has_invoices_a_credit_note_payments_and_an_overdue_invoice(world):
    rng = random.Random(2027)
    with tenant_context(world.pta_a):
        catalogue = demo._seed_catalogue(rng=rng)
        companies = [invoiced_company(), invoiced_company()]
        for company in companies:
            EmployeeFactory.create_batch(30, company=company)
            demo._seed_agreement_products(rng=rng, agreement=company.agreement, catalogue=catalogue)
        demo._seed_tickets(rng=rng, companies=companies)
        issued = invoicing_demo._seed_pta(pta=world.pta_a, rng=rng)
        assert issued >= 4
        assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE, state=InvoiceState.ISSUED).count() == 1
        assert Payment.objects.filter(state=PaymentState.MATCHED).count() >= 3
        assert Payment.objects.filter(state=PaymentState.UNMATCHED).count() == 1
        assert overdue_invoices(today=today()).exists()
        for document in Invoice.objects.filter(state=InvoiceState.ISSUED):
            assert_valid_ehf(invoice_xml(document))
        previous = services.previous_month(today())
        assert not Invoice.objects.filter(run__month=previous).exists()
    out = StringIO()
    call_command("invoice_run", "--pta", world.pta_a.slug, "--month", f"{previous:%Y-%m}", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all(line.startswith("draft-") for line in lines)
