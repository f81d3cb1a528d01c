"""Reads of invoicing: what an invoice still owes, its payment status, the
lists of the pages. Balances are computed in SQL (subqueries), never per row
in Python."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
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
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.models import Company, ContactPerson
from core.attention import Attention, Severity
from core.dates import today as oslo_today
from invoicing.models import Invoice, InvoiceKind, InvoiceRun, InvoiceState, Payment, PaymentStatus
from tenants.models import User

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


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


def companies_over_credit_limit(
    *, company_ids: set[int], pending: dict[int, Decimal] | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Of `company_ids`, those that owe (with `pending`, e.g. their drafts, added) more than their
    agreement's credit limit: id -> (what they would owe, the limit). Two queries."""
    limits = dict(
        Company.objects.filter(pk__in=company_ids, agreement__credit_limit__isnull=False).values_list(
            "pk", "agreement__credit_limit"
        )
    )
    if not limits:
        return {}
    balances: dict[int, Decimal] = {}
    for company_id, balance in with_balance(issued_invoices().filter(company_id__in=limits)).values_list(
        "company_id", "balance"
    ):
        balances[company_id] = balances.get(company_id, ZERO) + balance
    for company_id, amount in (pending or {}).items():
        balances[company_id] = balances.get(company_id, ZERO) + amount
    return {pk: (balances[pk], limit) for pk, limit in limits.items() if balances.get(pk, ZERO) > limit}


# --- What needs doing (config.composition) ------------------------------------------------------


def drafts_to_review(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """I dag: the runs with drafts nobody has issued yet, the oldest month first. One query."""
    runs = (
        InvoiceRun.objects.filter(invoices__state=InvoiceState.DRAFT)
        .annotate(drafts=Count("invoices"))
        .order_by("month")
    )
    if mine:
        runs = runs.filter(invoices__company__adviser=user)
    return [
        Attention(
            kind="invoice_drafts",
            title=ngettext(
                "%(count)d draft invoice of %(month)s to review and issue",
                "%(count)d draft invoices of %(month)s to review and issue",
                run.drafts,
            )
            % {"count": run.drafts, "month": date_format(run.month, "F Y")},
            url=reverse("invoicing:run_detail", args=[f"{run.month:%Y-%m}"]),
            since=run.started_at,
            severity=Severity.INFO,
        )
        for run in runs[:limit]
    ]


def overdue_next_steps(*, company: Company, contact: ContactPerson, user: User) -> list[Attention]:
    """Min side: the company's overdue invoices, for a contact person who may see invoices. Two queries."""
    if not contact.can_see_invoices:
        return []
    overdue = list(overdue_invoices(today=oslo_today()).filter(company=company).values_list("balance", "due_date"))
    if not overdue:
        return []
    return [
        Attention(
            kind="invoices_overdue",
            title=ngettext("%(count)d invoice is overdue", "%(count)d invoices are overdue", len(overdue))
            % {"count": len(overdue)},
            url=reverse("invoicing:company_invoices", args=[company.pk]),
            since=min(due for _balance, due in overdue),
            detail=_("%(amount)s is due. Pay with the KID on the invoice.")
            % {"amount": number_format(sum((b for b, _d in overdue), ZERO), 2, force_grouping=True)},
            severity=Severity.WARNING,
        )
    ]
