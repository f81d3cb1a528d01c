"""Invoices, credit notes, the number series, payments and reminders of one PTA.

An issued invoice (or credit note) is a legal document: never edited, never
deleted. The database says so (triggers refuse an UPDATE or DELETE of an
issued row and of its lines); everything that changes after issue (its PDF
file, its delivery, payments, reminders) lives in rows of its own.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.imports import UploadedImport
from core.models import user_fk

#: What the run writes into an invoice line for VAT (EN 16931 BT-151).
VAT_CATEGORIES = {"S": "standard rate", "Z": "zero rated", "E": "exempt", "O": "not subject to VAT"}


class KidMethod(models.TextChoices):
    MOD10 = "mod10", _("MOD10 (Luhn)")
    MOD11 = "mod11", _("MOD11")


class InvoiceSettings(models.Model):
    """The PTA's invoicing settings (one row per schema): the KID, terms, the
    seller's address as the invoice shows it, reminders and the accounts of
    the accounting export. The seller's name, organisation number, bank
    account and logo are the PTA's own (tenants.Pta)."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    kid_method = models.CharField(_("KID check digit"), max_length=5, choices=KidMethod.choices, default="mod10")
    kid_length = models.PositiveSmallIntegerField(
        _("KID length"), default=10, help_text=_("Digits, the check digit included (5 to 25).")
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=14)
    seller_address = models.CharField(_("postal address"), max_length=200, blank=True)
    seller_postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    seller_city = models.CharField(_("city"), max_length=80, blank=True)
    seller_phone = models.CharField(_("phone"), max_length=20, blank=True)
    first_reminder_days = models.PositiveSmallIntegerField(_("first reminder (days after the due date)"), default=7)
    second_reminder_days = models.PositiveSmallIntegerField(_("second reminder (days after the first)"), default=14)
    receivable_account = models.CharField(_("account: customers"), max_length=10, default="1500")
    revenue_account_25 = models.CharField(_("account: sales at 25 % VAT"), max_length=10, default="3000")
    revenue_account_12 = models.CharField(_("account: sales at 12 % VAT"), max_length=10, default="3010")
    revenue_account_0 = models.CharField(_("account: sales without VAT"), max_length=10, default="3100")
    vat_account_25 = models.CharField(_("account: output VAT 25 %"), max_length=10, default="2700")
    vat_account_12 = models.CharField(_("account: output VAT 12 %"), max_length=10, default="2701")
    bank_account_ledger = models.CharField(_("account: bank"), max_length=10, default="1920")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoice settings")
        constraints = [
            models.CheckConstraint(condition=Q(singleton=1), name="one_invoice_settings_row"),
            models.CheckConstraint(condition=Q(kid_length__gte=5, kid_length__lte=25), name="kid_length_5_to_25"),
        ]

    def __str__(self) -> str:
        return "invoice settings"


class InvoiceNumberSeries(models.Model):
    """The next invoice number of the PTA (one row per schema). Issuing locks
    this row (SELECT ... FOR UPDATE) in its transaction, so numbers are taken
    one at a time and a rolled-back issue gives its number back: gapless."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    next_number = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=1), name="one_number_series_row")]

    def __str__(self) -> str:
        return f"next invoice number {self.next_number}"


class InvoiceRun(models.Model):
    """The drafts of one month. Created once per month (unique), completed
    when every company's drafts are made; a run that stopped half-way resumes
    where it stopped (each invoice group is made once, `Invoice.group_key`)."""

    month = models.DateField(_("month"), unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = user_fk(_("started by"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    pdf_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invoice run")
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="invoice_run_month_is_a_first")]

    def __str__(self) -> str:
        return f"invoice run {self.month:%Y-%m}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class PaymentStatus(models.TextChoices):
    """What an issued invoice's payments come to (invoicing.selectors.with_balance)."""

    OPEN = "open", _("Not paid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERPAID = "overpaid", _("Overpaid")
    CREDITED = "credited", _("Credited")


# The function both triggers share: an issued invoice, and the lines of one, are final.
_REFUSE_ISSUED = """
    RAISE EXCEPTION 'invoice % is issued: it is never changed or deleted', {invoice_id}
        USING ERRCODE = 'integrity_constraint_violation';
"""


class Invoice(models.Model):
    """An invoice or a credit note to one company (or one of its locations or
    departments). A draft is made by the month's run and may be remade or
    deleted; issuing it gives it the next number of the series, its KID, its
    dates and the buyer's details as they are then, and from then on the row
    is final (the triggers below)."""

    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    state = models.CharField(_("state"), max_length=6, choices=InvoiceState.choices, default=InvoiceState.DRAFT)
    run = models.ForeignKey(InvoiceRun, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    #: Within a run: "company", "location:<id>", "department:<id>" or "none" (the company's
    #: employees with no location or department); a run makes each group once.
    group_key = models.CharField(max_length=40, blank=True)
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="invoices"
    )
    location = models.ForeignKey(
        "companies.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    department = models.ForeignKey(
        "companies.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    credited_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    number = models.PositiveBigIntegerField(_("number"), null=True, blank=True, unique=True)
    kid = models.CharField(_("KID"), max_length=25, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    issue_date = models.DateField(_("invoice date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # The buyer as invoiced (copied from the company and its agreement when
    # drafted, again when issued; then kept as it was).
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_org_number = models.CharField(_("organisation number"), max_length=9)
    buyer_address = models.CharField(_("postal address"), max_length=200, blank=True)
    buyer_postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    buyer_city = models.CharField(_("city"), max_length=80, blank=True)
    buyer_reference = models.CharField(_("buyer's reference"), max_length=60, blank=True)
    buyer_email = models.EmailField(_("invoice e-mail"), blank=True)
    buyer_ehf_address = models.CharField(_("EHF address"), max_length=20, blank=True)
    # The seller as invoiced (copied from the PTA and the invoice settings when issued).
    seller_name = models.CharField(max_length=200, blank=True)
    seller_org_number = models.CharField(max_length=9, blank=True)
    seller_vat_registered = models.BooleanField(default=True)
    seller_address = models.CharField(max_length=200, blank=True)
    seller_postcode = models.CharField(max_length=4, blank=True)
    seller_city = models.CharField(max_length=80, blank=True)
    seller_email = models.EmailField(blank=True)
    seller_phone = models.CharField(max_length=20, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=11, blank=True)
    note = models.TextField(_("note"), blank=True)
    net_total = models.DecimalField(_("amount excl. VAT"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    vat_total = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    gross_total = models.DecimalField(_("total incl. VAT"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = user_fk(_("issued by"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "company", "group_key"],
                condition=Q(run__isnull=False),
                name="one_invoice_per_group_per_run",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state="draft", number__isnull=True)
                    | Q(state="issued", number__isnull=False, issue_date__isnull=False, due_date__isnull=False)
                ),
                name="issued_invoices_have_number_and_dates",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="credit_notes_refer_to_an_invoice",
            ),
            models.UniqueConstraint(fields=["kid"], condition=~Q(kid=""), name="kid_unique"),
            models.CheckConstraint(
                condition=Q(net_total__gte=0, vat_total__gte=0, gross_total__gte=0), name="invoice_totals_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state"], name="invoice_company_state"),
            models.Index(fields=["state", "due_date"], name="invoice_state_due"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="issued_invoice_is_final",
                level=pgtrigger.Row,
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__state="issued"),
                func=_REFUSE_ISSUED.format(invoice_id="OLD.id"),
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return f"{self.get_kind_display()} {self.number}"
        return f"{self.get_kind_display()} draft-{self.pk}"

    @property
    def is_issued(self) -> bool:
        return self.state == InvoiceState.ISSUED

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def payment_status_label(self) -> str:
        """The label of `payment_status`, where invoicing.selectors.with_balance annotated it."""
        return str(dict(PaymentStatus.choices).get(getattr(self, "payment_status", ""), ""))

    @property
    def label(self) -> str:
        """The number, or draft-ID for a draft (as the invoice_run command prints it)."""
        return str(self.number) if self.number else f"draft-{self.pk}"


class InvoiceLine(models.Model):
    """One line: quantity x unit price (excl. VAT, up to 4 decimals) = the net
    amount, rounded to 2 decimals (EN 16931). Credit note lines are positive
    amounts too, as UBL writes them; the kind says which way they go."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("description"), max_length=200)
    product = models.ForeignKey(
        "tickets.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    ticket_type = models.ForeignKey(
        "tickets.TicketType", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price excl. VAT"), max_digits=14, decimal_places=4)
    net_amount = models.DecimalField(_("amount excl. VAT"), max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=2)
    vat_category = models.CharField(max_length=1, default="S")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    #: On a credit note: the invoice line it credits.
    credited_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines"
    )

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoice_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="invoice_line_price_not_negative"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="issued_invoice_lines_are_final",
                level=pgtrigger.Row,
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func="""
                    IF EXISTS (SELECT 1 FROM invoicing_invoice
                               WHERE id = COALESCE(OLD.invoice_id, NEW.invoice_id) AND state = 'issued') THEN
                        RAISE EXCEPTION 'invoice % is issued: its lines are never changed',
                            COALESCE(OLD.invoice_id, NEW.invoice_id)
                            USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.position} of invoice {self.invoice_id}"


class BillableItem(models.Model):
    """An add-on or a billable activity sold to a company on a day: the run of
    that day's month puts it on the company's invoice, once (`invoice_line`)."""

    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.CASCADE, related_name="billable_items"
    )
    location = models.ForeignKey(
        "companies.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "companies.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product = models.ForeignKey(
        "tickets.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="billable_items"
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    day = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=Decimal(1))
    unit_price = models.DecimalField(
        _("unit price excl. VAT"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Empty: the product's price on the day."),
    )
    invoice_line = models.OneToOneField(
        InvoiceLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="billable_item"
    )
    # The done, billable activity this item bills (activities.Activity), once.
    activity = models.OneToOneField(
        "activities.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="billable_item"
    )
    created_by = user_fk(_("added by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("add-on")
        verbose_name_plural = _("add-ons")
        ordering = ["-day", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="billable_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.product_id} x {self.quantity} on {self.day}"


class InvoiceFile(models.Model):
    """The rendered PDF of an issued invoice (rendered once: the invoice never changes)."""

    invoice = models.OneToOneField(Invoice, on_delete=models.CASCADE, related_name="file")
    pdf = models.FileField(upload_to="invoices/")
    rendered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"PDF of invoice {self.invoice_id}"


class DeliveryMethod(models.TextChoices):
    EMAIL = "email", _("E-mail with PDF")
    EHF = "ehf", _("EHF")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class InvoiceDelivery(models.Model):
    """How an issued invoice went to the buyer: one row per invoice, sent once."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="delivery")
    method = models.CharField(_("delivery"), max_length=5, choices=DeliveryMethod.choices)
    address = models.CharField(_("address"), max_length=254)
    backend = models.CharField(max_length=40, blank=True)
    state = models.CharField(_("state"), max_length=6, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"delivery of invoice {self.invoice_id} ({self.state})"


class PaymentFormat(models.TextChoices):
    CSV = "csv", _("CSV (KID, amount, date)")
    OCR = "ocr", _("Nets OCR giro")


class PaymentImport(models.Model):
    """One imported bank payment file. The same file (by its SHA-256) is imported once."""

    sha256 = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=3, choices=PaymentFormat.choices)
    payments = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    imported_by = user_fk(_("imported by"), null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"payment file {self.original_name}"


class PaymentState(models.TextChoices):
    MATCHED = "matched", _("Matched")
    UNMATCHED = "unmatched", _("Unmatched")
    ASSIGNED = "assigned", _("Assigned by hand")


class Payment(models.Model):
    """A payment received, matched to an invoice on its KID, or waiting for an
    adviser to assign it (unmatched)."""

    payment_import = models.ForeignKey(
        PaymentImport, null=True, blank=True, on_delete=models.PROTECT, related_name="rows"
    )
    row = models.PositiveIntegerField(default=0)
    kid = models.CharField(_("KID"), max_length=25, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    state = models.CharField(_("state"), max_length=9, choices=PaymentState.choices)
    assigned_by = user_fk(_("assigned by"), null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(state="unmatched", invoice__isnull=True) | ~Q(state="unmatched") & Q(invoice__isnull=False),
                name="matched_payments_have_an_invoice",
            ),
        ]
        indexes = [models.Index(fields=["state"], name="payment_state")]

    def __str__(self) -> str:
        return f"payment {self.amount} on {self.paid_on}"


class Reminder(models.Model):
    """A reminder (purring) of an overdue invoice: one per invoice and stage, mailed once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    stage = models.PositiveSmallIntegerField()
    amount_due = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    address = models.CharField(max_length=254, blank=True)
    refused = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["invoice", "stage"]
        constraints = [models.UniqueConstraint(fields=["invoice", "stage"], name="one_reminder_per_stage")]

    def __str__(self) -> str:
        return f"reminder {self.stage} of invoice {self.invoice_id}"


class PaymentUpload(UploadedImport):
    """One upload of a bank payment file, from preview to confirmation (the steps and the shared
    fields are core.imports'). Confirming it makes the PaymentImport and its payments, all or
    nothing; the file is deleted then, the counts and errors stay."""

    COUNTS = ("matched", "unmatched")

    sha256 = models.CharField(max_length=64, blank=True)
    format = models.CharField(max_length=3, choices=PaymentFormat.choices, blank=True)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    payment_import = models.ForeignKey(
        PaymentImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )

    class Meta(UploadedImport.Meta):
        verbose_name = _("payment upload")
