"""Writes of invoicing: the month's run of drafts, issuing, credit notes.

Rules:
- A run is made once per month; each invoice group (a company, or one of its
  locations or departments) is drafted once per run, in its own transaction,
  so a run that stopped half-way resumes with the groups it had not made, and
  a second run of the month makes nothing new.
- Issuing takes the next number of the PTA's series by locking its one row
  (InvoiceNumberSeries) in the issuing transaction: concurrent issues wait
  for each other, a refused or rolled-back issue gives its number back, so
  numbers are gapless. The KID is made from the number (invoicing.kid).
- An issued invoice is final (the database refuses changes); a mistake is
  put right by a credit note, which takes its number from the same series.
- Every refusal is a ValidationError naming the invoice and what is wrong,
  and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.models import Company
from core.dates import today as oslo_today
from invoicing import billing, kid, rules
from invoicing.activities_billing import activities_bill
from invoicing.models import (
    BillableItem,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceNumberSeries,
    InvoiceRun,
    InvoiceSettings,
    InvoiceState,
)
from tenants.models import User

logger = logging.getLogger(__name__)


def invoice_settings() -> InvoiceSettings:
    """The PTA's settings row (made by the migration; made here if a test removed it)."""
    return InvoiceSettings.objects.get_or_create(singleton=1)[0]


BUYER_FIELDS = (
    "buyer_name",
    "buyer_org_number",
    "buyer_address",
    "buyer_postcode",
    "buyer_city",
    "buyer_reference",
    "buyer_email",
    "buyer_ehf_address",
)


def _buyer_fields(company: Company) -> dict:
    agreement = getattr(company, "agreement", None)
    return {
        "buyer_name": company.name,
        "buyer_org_number": company.org_number,
        "buyer_address": company.postal_address,
        "buyer_postcode": company.postcode,
        "buyer_city": company.municipality,
        "buyer_reference": agreement.invoice_reference if agreement else "",
        "buyer_email": agreement.invoice_email if agreement else "",
        "buyer_ehf_address": agreement.ehf_address if agreement else "",
    }


def _line_rows(lines: Sequence[billing.LineSpec], *, seller_vat_registered: bool) -> list[InvoiceLine]:
    """The lines as rows (not saved, no invoice yet); without VAT registration every line is "O" at 0 %."""
    return [
        InvoiceLine(
            position=position,
            description=line.description[:200],
            product_id=line.product_id,
            ticket_type_id=line.ticket_type_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            net_amount=line.net_amount,
            vat_rate=line.vat_rate if seller_vat_registered else Decimal("0.00"),
            vat_category=rules.vat_category(vat_rate=line.vat_rate, seller_vat_registered=seller_vat_registered),
            period_start=line.period_start,
            period_end=line.period_end,
            credited_line_id=line.credited_line_id,
        )
        for position, line in enumerate(lines, start=1)
    ]


def _invoice_with_lines(*, lines: Sequence[billing.LineSpec], seller_vat_registered: bool, **fields) -> Invoice:
    """Create the invoice with its totals and its lines in three statements (in the caller's transaction)."""
    rows = _line_rows(lines, seller_vat_registered=seller_vat_registered)
    totals = rules.totals((row.vat_category, row.vat_rate, row.net_amount) for row in rows)
    invoice = Invoice.objects.create(net_total=totals.net, vat_total=totals.vat, gross_total=totals.gross, **fields)
    for row in rows:
        row.invoice = invoice
    InvoiceLine.objects.bulk_create(rows)
    for line, row in zip(lines, rows, strict=True):
        if line.billable_item_id:
            BillableItem.objects.filter(pk=line.billable_item_id, invoice_line__isnull=True).update(invoice_line=row)
    return invoice


def draft_create(
    *,
    company: Company,
    lines: Sequence[billing.LineSpec],
    period_start: date,
    period_end: date,
    run: InvoiceRun | None = None,
    group_key: str = "",
    location_id: int | None = None,
    department_id: int | None = None,
) -> Invoice:
    """A draft invoice with `lines`. ValidationError without lines."""
    if not lines:
        raise ValidationError(_("An invoice needs at least one line."))
    with transaction.atomic():
        return _invoice_with_lines(
            lines=lines,
            seller_vat_registered=connection.tenant.vat_registered,
            company=company,
            run=run,
            group_key=group_key,
            location_id=location_id,
            department_id=department_id,
            period_start=period_start,
            period_end=period_end,
            **_buyer_fields(company),
        )


# --- The month's run --------------------------------------------------------------------


@dataclass
class RunResult:
    run: InvoiceRun
    created: list[Invoice] = field(default_factory=list)
    existing: list[Invoice] = field(default_factory=list)

    @property
    def invoices(self) -> list[Invoice]:
        return sorted(self.created + self.existing, key=lambda i: (i.buyer_name, i.pk))


def invoice_run(*, month: date, user: User | None = None, company_ids: Iterable[int] | None = None) -> RunResult:
    """Draft the invoices of `month` (any day of it) that the run has not drafted yet.

    Safe to run again: the run row is made once (unique month), and each group
    is drafted once in its own transaction (the unique run/company/group), so a
    crash leaves the groups made before it and a rerun makes the rest. Add-ons
    are taken by the first invoice that bills them. ValidationError, naming the
    ticket type or product, when a price of the month is missing: nothing new is
    drafted then."""
    month = month.replace(day=1)
    run, _created = InvoiceRun.objects.get_or_create(month=month, defaults={"started_by": user})
    activities_bill(month_end=billing.last_day(month))  # done, billable activities become add-ons first
    with translation.override(django_settings.LANGUAGE_CODE):  # the lines' text is the invoice's: bokmål
        groups = billing.month_groups(month=month, company_ids=set(company_ids) if company_ids is not None else None)
    existing = {(i.company_id, i.group_key): i for i in run.invoices.all()}
    companies = Company.objects.select_related("agreement").in_bulk({g.company_id for g in groups})
    result = RunResult(run=run)
    end = billing.last_day(month)
    for group in groups:
        done = existing.get((group.company_id, group.key))
        if done is not None:
            result.existing.append(done)
            continue
        result.created.append(
            draft_create(
                company=companies[group.company_id],
                lines=group.lines,
                period_start=month,
                period_end=end,
                run=run,
                group_key=group.key,
                location_id=group.location_id,
                department_id=group.department_id,
            )
        )
    if company_ids is None and run.completed_at is None:
        run.completed_at = timezone.now()
        run.save(update_fields=["completed_at"])
    return result


def draft_delete(*, invoice: Invoice) -> None:
    """Remove a draft (the run makes it again, with what is true then); its add-ons are free again."""
    if invoice.is_issued:
        raise ValidationError(_("Invoice %(number)s is issued: it can only be credited.") % {"number": invoice.number})
    with transaction.atomic():
        BillableItem.objects.filter(invoice_line__invoice=invoice).update(invoice_line=None)
        invoice.delete()


# --- Issuing --------------------------------------------------------------------------------


def issue_problems(invoice: Invoice, *, settings: InvoiceSettings | None = None) -> list[str]:
    """What stops `invoice` being issued, in words (nothing: it can be issued). No query with `settings`."""
    pta = connection.tenant
    problems = []
    if not invoice.buyer_email and not invoice.buyer_ehf_address:
        problems.append(
            _("%(company)s has no invoice e-mail or EHF address: add one to the agreement.")
            % {"company": invoice.buyer_name}
        )
    if not pta.org_number:
        problems.append(_("The PTA has no organisation number: add it in the invoice settings."))
    if not pta.bank_account and invoice.kind == InvoiceKind.INVOICE:
        problems.append(_("The PTA has no bank account: add it in the invoice settings."))
    settings = settings or invoice_settings()
    if not (settings.seller_address and settings.seller_postcode and settings.seller_city):
        problems.append(_("The PTA's postal address is missing: add it in the invoice settings."))
    return problems


def invoice_totals(invoice: Invoice) -> rules.Totals:
    """The totals and the VAT subtotals per rate of an invoice's lines (as stored on it)."""
    return rules.totals(invoice.lines.values_list("vat_category", "vat_rate", "net_amount"))


def _seller_fields(settings: InvoiceSettings) -> dict:
    pta = connection.tenant
    return {
        "seller_name": pta.name,
        "seller_org_number": pta.org_number,
        "seller_vat_registered": pta.vat_registered,
        "seller_address": settings.seller_address,
        "seller_postcode": settings.seller_postcode,
        "seller_city": settings.seller_city,
        "seller_email": pta.contact_email,
        "seller_phone": settings.seller_phone,
        "bank_account": pta.bank_account,
    }


def _take_number() -> int:
    series = InvoiceNumberSeries.objects.select_for_update().get_or_create(singleton=1)[0]
    number = series.next_number
    InvoiceNumberSeries.objects.filter(singleton=1).update(next_number=number + 1)
    return number


def _issue_locked(*, invoice: Invoice, user: User | None, today: date) -> Invoice:
    """Issue `invoice` (locked by the caller, in its transaction)."""
    settings = invoice_settings()
    if invoice.company_id and invoice.kind == InvoiceKind.INVOICE:
        # The buyer as they are now (the draft may be days old).
        company = Company.objects.select_related("agreement").get(pk=invoice.company_id)
        for name, value in _buyer_fields(company).items():
            setattr(invoice, name, value)
    problems = issue_problems(invoice, settings=settings)
    if problems:
        raise ValidationError(
            [_("Invoice %(label)s: %(problem)s") % {"label": invoice.label, "problem": p} for p in problems]
        )
    number = _take_number()
    invoice.number = number
    if invoice.kind == InvoiceKind.INVOICE:
        invoice.kid = kid.for_number(number, length=settings.kid_length, method=settings.kid_method)
    invoice.issue_date = today
    invoice.due_date = today + timedelta(days=settings.payment_terms_days)
    for name, value in _seller_fields(settings).items():
        setattr(invoice, name, value)
    invoice.state = InvoiceState.ISSUED
    invoice.issued_at = timezone.now()
    invoice.issued_by = user
    invoice.save()
    return invoice


def invoice_issue(*, invoice: Invoice, user: User | None = None, today: date | None = None) -> Invoice:
    """Issue a draft: its number, KID, invoice and due dates, the buyer and seller as they are now.
    ValidationError, changing nothing, for an invoice already issued or a buyer with no address."""
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.is_issued:
            raise ValidationError(_("Invoice %(number)s is already issued.") % {"number": locked.number}, code="issued")
        return _issue_locked(invoice=locked, user=user, today=today or oslo_today())


@dataclass
class IssueResult:
    issued: list[Invoice] = field(default_factory=list)
    refused: list[tuple[Invoice, list[str]]] = field(default_factory=list)


def invoices_issue(*, invoices: Iterable[Invoice], user: User | None = None, today: date | None = None) -> IssueResult:
    """Issue each draft in its own transaction, in the order given; those refused are named with
    the reasons and the rest go through."""
    result = IssueResult()
    for invoice in invoices:
        try:
            result.issued.append(invoice_issue(invoice=invoice, user=user, today=today))
        except ValidationError as error:
            result.refused.append((invoice, error.messages))
    return result


# --- Credit notes ---------------------------------------------------------------------------


def credited_quantities(invoice: Invoice) -> dict[int, Decimal]:
    """How much of each line of `invoice` its credit notes have credited."""
    rows = (
        InvoiceLine.objects.filter(credited_line__invoice=invoice, invoice__state=InvoiceState.ISSUED)
        .values("credited_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["credited_line_id"]: row["quantity"] for row in rows}


def credit_note_create(
    *,
    invoice: Invoice,
    quantities: dict[int, Decimal] | None = None,
    reason: str,
    user: User | None = None,
    today: date | None = None,
) -> Invoice:
    """Credit an issued invoice in full (`quantities` None: what is not credited yet) or in part
    (line id -> quantity to credit), and issue the credit note at once, numbered in the same series.
    ValidationError, changing nothing, for a draft, nothing to credit, or more than was invoiced."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the invoice is credited.")})
    with transaction.atomic():
        original = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not original.is_issued or original.kind != InvoiceKind.INVOICE:
            raise ValidationError(_("Only an issued invoice can be credited."))
        done = credited_quantities(original)
        lines = list(original.lines.all())
        if quantities is None:
            quantities = {line.pk: line.quantity - done.get(line.pk, 0) for line in lines}
        by_id = {line.pk: line for line in lines}
        specs = []
        for line_id, quantity in quantities.items():
            line = by_id.get(line_id)
            if line is None:
                raise ValidationError(
                    _("Line %(line)s is not on invoice %(number)s.") % {"line": line_id, "number": original.number}
                )
            if quantity < 0:
                raise ValidationError(
                    _("Line %(position)s: a quantity to credit cannot be negative.") % {"position": line.position}
                )
            left = line.quantity - done.get(line.pk, 0)
            if quantity > left:
                raise ValidationError(
                    _("Line %(position)s: %(quantity)s is more than is left to credit (%(left)s).")
                    % {"position": line.position, "quantity": quantity.normalize(), "left": left.normalize()}
                )
            if quantity:
                specs.append(
                    billing.LineSpec(
                        description=line.description,
                        quantity=quantity,
                        unit_price=line.unit_price,
                        vat_rate=line.vat_rate,
                        product_id=line.product_id,
                        ticket_type_id=line.ticket_type_id,
                        period_start=line.period_start,
                        period_end=line.period_end,
                        credited_line_id=line.pk,
                    )
                )
        if not specs:
            raise ValidationError(_("Invoice %(number)s has nothing left to credit.") % {"number": original.number})
        note = _invoice_with_lines(
            lines=specs,
            seller_vat_registered=original.seller_vat_registered,
            kind=InvoiceKind.CREDIT_NOTE,
            company_id=original.company_id,
            location_id=original.location_id,
            department_id=original.department_id,
            credited_invoice=original,
            period_start=original.period_start,
            period_end=original.period_end,
            note=reason.strip(),
            **{name: getattr(original, name) for name in BUYER_FIELDS},
        )
        return _issue_locked(invoice=note, user=user, today=today or oslo_today())


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def run_is_complete(*, month: date) -> bool:
    return InvoiceRun.objects.filter(month=month, completed_at__isnull=False).exists()


def numbering_open() -> bool:
    """The series' next number may be set until the first invoice or credit note is issued."""
    return not Invoice.objects.filter(state=InvoiceState.ISSUED).exists()


def next_number() -> int:
    return InvoiceNumberSeries.objects.get_or_create(singleton=1)[0].next_number


def invoice_settings_save(
    *, settings: InvoiceSettings, next_number: int | None, org_number: str, bank_account: str, vat_registered: bool
) -> InvoiceSettings:
    """Save the settings, the PTA's organisation number, bank account and VAT registration (on the PTA's row), and the
    series' next number while no invoice is issued (else it is kept). Issued invoices keep the
    seller's details they were issued with."""
    with transaction.atomic():
        settings.full_clean()
        settings.save()
        pta = connection.tenant
        pta.org_number, pta.bank_account, pta.vat_registered = org_number, bank_account, vat_registered
        pta.full_clean(validate_unique=False)
        type(pta).objects.filter(pk=pta.pk).update(
            org_number=org_number, bank_account=bank_account, vat_registered=vat_registered
        )
        if next_number is not None:
            series = InvoiceNumberSeries.objects.select_for_update().get_or_create(singleton=1)[0]
            if numbering_open():
                series.next_number = next_number
                series.save(update_fields=["next_number"])
    return settings


def billable_item_add(*, item: BillableItem, user: User | None) -> BillableItem:
    """An add-on or billable activity for the run of its day's month."""
    item.created_by = user
    item.full_clean()
    item.save()
    return item


def billable_item_remove(*, item: BillableItem) -> None:
    """Remove an add-on not yet on an invoice (on a draft: delete the draft first; issued: credit it)."""
    if item.invoice_line_id:
        raise ValidationError(
            _("The add-on is on invoice %(label)s: delete the draft, or credit the issued invoice.")
            % {"label": item.invoice_line.invoice.label}
        )
    item.delete()
