"""A company's ledger (invoices, credit notes, payments and the balance after
each) and the accounting export of a run. Reads only."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from companies.models import Company
from invoicing import rules
from invoicing.models import Invoice, InvoiceKind, InvoiceRun, InvoiceSettings, InvoiceState, Payment
from invoicing.selectors import ZERO, company_balance

#: SAF-T's standard VAT codes of output VAT (Skatteetaten's SAF-T Financial code list):
#: 3 sales at 25 %, 31 at 15 %, 33 at 12 %, 6 sales outside the VAT act (EN 16931 "E" on our
#: invoices: exempt); 0 no VAT treatment (a seller not registered for VAT, "O").
SAFT_CODES = {("S", Decimal("25.00")): "3", ("S", Decimal("15.00")): "31", ("S", Decimal("12.00")): "33"}


def saft_code(*, category: str, rate: Decimal) -> str:
    if category == "E":
        return "6"
    if category == "O":
        return "0"
    return SAFT_CODES[(category, Decimal(rate).quantize(Decimal("0.01")))]


@dataclass(frozen=True)
class LedgerEntry:
    day: date
    kind: str  # "invoice", "credit_note", "payment"
    text: str
    invoice: Invoice | None
    debit: Decimal
    credit: Decimal
    balance: Decimal


def company_ledger(*, company: Company) -> list[LedgerEntry]:
    """The company's issued invoices and credit notes and the payments on them, by date, with the
    balance after each (positive: the company owes). Two queries."""
    documents = list(
        Invoice.objects.filter(company=company, state=InvoiceState.ISSUED).select_related("credited_invoice")
    )
    payments = list(Payment.objects.filter(invoice__company=company).select_related("invoice"))
    rows: list[tuple[date, int, str, str, Invoice | None, Decimal, Decimal]] = []
    for doc in documents:
        if doc.kind == InvoiceKind.INVOICE:
            rows.append((doc.issue_date, doc.number, "invoice", str(doc.number), doc, doc.gross_total, ZERO))
        else:
            credited = doc.credited_invoice.number if doc.credited_invoice else ""
            rows.append(
                (doc.issue_date, doc.number, "credit_note", f"{doc.number} ({credited})", doc, ZERO, doc.gross_total)
            )
    for payment in payments:
        rows.append(
            (payment.paid_on, 0, "payment", payment.kid or payment.reference, payment.invoice, ZERO, payment.amount)
        )
    rows.sort(key=lambda row: (row[0], row[2] == "payment", row[1]))
    balance = ZERO
    entries = []
    for day, _number, kind, text, invoice, debit, credit in rows:
        balance += debit - credit
        entries.append(
            LedgerEntry(day=day, kind=kind, text=text, invoice=invoice, debit=debit, credit=credit, balance=balance)
        )
    return entries


@dataclass(frozen=True)
class CreditStanding:
    balance: Decimal
    limit: Decimal | None

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.balance > self.limit


def credit_standing(*, company: Company) -> CreditStanding:
    agreement = getattr(company, "agreement", None)
    return CreditStanding(balance=company_balance(company=company), limit=agreement.credit_limit if agreement else None)


# --- The accounting export ----------------------------------------------------------------------

EXPORT_HEADER = [
    "voucher",
    "date",
    "type",
    "customer_org_number",
    "customer",
    "account",
    "vat_code",
    "vat_rate",
    "debit",
    "credit",
    "text",
]


def run_documents(*, run: InvoiceRun) -> QuerySet[Invoice]:
    """The run's issued invoices and the issued credit notes of them, by number."""
    return (
        Invoice.objects.filter(Q(run=run) | Q(credited_invoice__run=run), state=InvoiceState.ISSUED)
        .prefetch_related("lines")
        .order_by("number")
    )


def _revenue_account(settings: InvoiceSettings, category: str, rate: Decimal) -> str:
    if category != "S":
        return settings.revenue_account_0
    return settings.revenue_account_25 if rate >= 25 else settings.revenue_account_12


def _vat_account(settings: InvoiceSettings, rate: Decimal) -> str:
    return settings.vat_account_25 if rate >= 25 else settings.vat_account_12


def accounting_rows(*, run: InvoiceRun, settings: InvoiceSettings) -> list[list[str]]:
    """One voucher per document, balanced: the customer's account is debited the total (credited for
    a credit note), sales and output VAT credited per VAT rate with their SAF-T codes."""
    rows = []
    for doc in run_documents(run=run):
        sign = 1 if doc.kind == InvoiceKind.INVOICE else -1
        base = [str(doc.number), doc.issue_date.isoformat(), doc.kind, doc.buyer_org_number, doc.buyer_name]

        def entry(account: str, code: str, rate: str, amount: Decimal, text: str, *, base=base, sign=sign) -> list:
            amount = amount * sign
            debit, credit = (amount, ZERO) if amount >= 0 else (ZERO, -amount)
            return [*base, account, code, rate, f"{debit:.2f}", f"{credit:.2f}", text]

        rows.append(
            entry(settings.receivable_account, "", "", doc.gross_total, f"{doc.get_kind_display()} {doc.number}")
        )
        totals = rules.totals((line.vat_category, line.vat_rate, line.net_amount) for line in doc.lines.all())
        for sub in totals.subtotals:
            code = saft_code(category=sub.category, rate=sub.rate)
            rate = f"{sub.rate:.2f}"
            rows.append(entry(_revenue_account(settings, sub.category, sub.rate), code, rate, -sub.taxable, "sales"))
            if sub.vat:
                rows.append(entry(_vat_account(settings, sub.rate), code, rate, -sub.vat, "output VAT"))
    return rows


def accounting_csv(*, run: InvoiceRun, settings: InvoiceSettings) -> bytes:
    """The run's accounting export: UTF-8 with BOM, semicolons, amounts with a decimal point."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    writer.writerows(accounting_rows(run=run, settings=settings))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
