"""Fictitious invoicing for the demo PTAs (after reporting.demo's companies and tickets):
three months back and two months back drafted, issued on the 1st after each, with a
credit note, payments (in full, in part, one unmatched) and an overdue invoice. The month just
ended is left to `manage.py invoice_run` (and to the beat task of `make run`)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django_tenants.utils import tenant_context

from companies.models import Company
from core.dates import today
from invoicing import services
from invoicing.models import (
    BillableItem,
    Invoice,
    InvoiceSettings,
    InvoiceState,
    Payment,
    PaymentFormat,
    PaymentImport,
    PaymentState,
)
from tenants.models import ProductUnit, Pta
from tickets.models import Product

CITIES = {"kolumbus": ("Postboks 7000", "4068", "Stavanger"), "atb": ("Postboks 2200", "7412", "Trondheim")}
DEFAULT_ADDRESS = ("Postboks 7900", "5020", "Bergen")


def seed_invoicing_demo() -> int:
    """Invoices for every demo region that has none yet. Returns how many were issued."""
    issued = 0
    for pta in Pta.objects.regions().filter(is_active=True).order_by("slug"):
        with tenant_context(pta), transaction.atomic():
            if Invoice.objects.filter(state=InvoiceState.ISSUED).exists():
                continue
            issued += _seed_pta(pta=pta, rng=random.Random(pta.slug))
    return issued


def _month_back(day: date, months: int) -> date:
    month = day.replace(day=1)
    for _ in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def _seed_pta(*, pta: Pta, rng: random.Random) -> int:
    address, postcode, city = CITIES.get(pta.slug, DEFAULT_ADDRESS)
    InvoiceSettings.objects.filter(singleton=1).update(
        seller_address=address, seller_postcode=postcode, seller_city=city, seller_phone="+4751000000"
    )
    now = today()
    months = [_month_back(now, 3), _month_back(now, 2)]
    months = [month for month in months if month >= date(2026, 1, 1)]  # the demo prices start then
    _seed_add_ons(months=months, rng=rng)
    issued: list[Invoice] = []
    for month in months:
        drafts = services.invoice_run(month=month).created
        issue_day = (month + timedelta(days=32)).replace(day=1)  # on the 1st after the month
        issued += services.invoices_issue(invoices=drafts, today=issue_day).issued
    if not issued:
        return 0
    _seed_payments(invoices=issued, rng=rng)
    return len(issued)


def _seed_add_ons(*, months: list[date], rng: random.Random) -> None:
    """A billable event (the base package's per-event products) for the first companies with tickets."""
    products = list(Product.objects.filter(unit=ProductUnit.PER_EVENT, prices__isnull=False).distinct())
    if not products or not months:
        return
    for company in Company.objects.filter(tickets__isnull=False).distinct().order_by("pk")[:2]:
        BillableItem.objects.create(
            company=company,
            product=rng.choice(products),
            description="",
            day=months[0] + timedelta(days=rng.randint(3, 20)),
            quantity=Decimal(1),
        )


def _seed_payments(*, invoices: list[Invoice], rng: random.Random) -> None:
    """The older month paid (one in part, one of its invoices credited in part first); of the
    newer month all but the last paid, so that one is overdue; and one payment nobody can match."""
    older = [i for i in invoices if i.period_start == invoices[0].period_start]
    newer = [i for i in invoices if i.period_start != invoices[0].period_start]
    file = PaymentImport.objects.create(
        sha256=f"demo-{older[0].period_start:%Y%m}".ljust(64, "0"),
        original_name="OCR-demo.txt",
        format=PaymentFormat.OCR,
    )
    rows = []
    credited = older[0]
    ticket_line = credited.lines.filter(ticket_type__isnull=False).first()
    credit = None
    if ticket_line is not None:
        credit = services.credit_note_create(
            invoice=credited,
            quantities={ticket_line.pk: Decimal(1)},
            reason="Billett avsluttet etter fakturering",
            today=credited.issue_date + timedelta(days=3),
        )
    for index, invoice in enumerate(older + newer[:-1]):
        amount = invoice.gross_total - (credit.gross_total if credit and invoice is credited else 0)
        if index == 1:
            amount = (amount / 2).quantize(Decimal("0.01"))  # paid in part
        rows.append(
            Payment(
                payment_import=file,
                row=len(rows) + 1,
                kid=invoice.kid,
                amount=amount,
                paid_on=invoice.due_date - timedelta(days=rng.randint(0, 5)),
                invoice=invoice,
                state=PaymentState.MATCHED,
            )
        )
    rows.append(
        Payment(
            payment_import=file,
            row=len(rows) + 1,
            kid="0000099991",
            amount=Decimal("1250.00"),
            paid_on=invoices[-1].issue_date,
            state=PaymentState.UNMATCHED,
        )
    )
    Payment.objects.bulk_create(rows)
    PaymentImport.objects.filter(pk=file.pk).update(payments=len(rows), total=sum(r.amount for r in rows))
