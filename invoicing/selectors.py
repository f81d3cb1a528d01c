"""Reads of invoicing: what an invoice still owes, its payment status, the
lists of the pages. Balances are computed in SQL (subqueries), never per row
in Python."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from companies.models import Company
from invoicing.models import Invoice, InvoiceKind, InvoiceRun, InvoiceState, Payment

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


class PaymentStatus:
    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERPAID = "overpaid"
    CREDITED = "credited"


def with_balance(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate invoices with `paid` (payments matched or assigned to them), `credited` (the gross of
    their issued credit notes), `balance` (gross - credited - paid; negative when overpaid) and
    `payment_status` (PaymentStatus)."""
    paid = Coalesce(
        Subquery(
            Payment.objects.filter(invoice=OuterRef("pk"))
            .order_by()
            .values("invoice")
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=_MONEY,
        ),
        Value(ZERO),
        output_field=_MONEY,
    )
    credited = Coalesce(
        Subquery(
            Invoice.objects.filter(credited_invoice=OuterRef("pk"), state=InvoiceState.ISSUED)
            .order_by()
            .values("credited_invoice")
            .annotate(total=Sum("gross_total"))
            .values("total")[:1],
            output_field=_MONEY,
        ),
        Value(ZERO),
        output_field=_MONEY,
    )
    return (
        queryset.annotate(paid=paid, credited=credited)
        .annotate(balance=F("gross_total") - F("credited") - F("paid"))
        .annotate(
            payment_status=Case(
                When(credited__gte=F("gross_total"), paid=0, then=Value(PaymentStatus.CREDITED)),
                When(balance__lt=0, then=Value(PaymentStatus.OVERPAID)),
                When(balance=0, then=Value(PaymentStatus.PAID)),
                When(paid__gt=0, then=Value(PaymentStatus.PARTLY_PAID)),
                default=Value(PaymentStatus.OPEN),
                output_field=CharField(),
            )
        )
    )


def issued_invoices() -> QuerySet[Invoice]:
    return Invoice.objects.filter(state=InvoiceState.ISSUED, kind=InvoiceKind.INVOICE)


def invoice_with_balance(*, pk: int) -> Invoice:
    return with_balance(Invoice.objects.filter(pk=pk)).get()


def overdue_invoices(*, today: date) -> QuerySet[Invoice]:
    """Issued invoices past their due date with something left to pay, oldest first."""
    return with_balance(issued_invoices().filter(due_date__lt=today)).filter(balance__gt=0).order_by("due_date", "pk")


def company_balance(*, company: Company) -> Decimal:
    """What the company owes now: its issued invoices less credit notes and payments."""
    rows = with_balance(issued_invoices().filter(company=company)).values_list("balance", flat=True)
    return sum(rows, ZERO)


def run_list() -> QuerySet[InvoiceRun]:
    return InvoiceRun.objects.order_by("-month")


def invoice_by_kid(*, kid: str) -> Invoice | None:
    return issued_invoices().filter(kid=kid).first()


def company_invoices(*, company: Company, include_drafts: bool = False) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(company=company)
    if not include_drafts:
        invoices = invoices.filter(state=InvoiceState.ISSUED)
    return with_balance(invoices).select_related("credited_invoice").order_by("-issue_date", "-number", "-pk")
