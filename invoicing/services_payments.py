"""Writes of payments: importing a bank payment file, matching its payments on KID, and an
adviser assigning an unmatched payment to an invoice.

Rules:
- A file is imported once: its SHA-256 is unique in PaymentImport. The same file again changes
  nothing, and the result says when it was imported.
- A file with any row error imports nothing; the errors are reported row by row.
- Otherwise the PaymentImport and all its payments are made in one transaction. Each payment is
  matched on its KID to an issued invoice (state MATCHED) or left UNMATCHED for an adviser.
- The upload is stored and previewed first (PaymentUpload, core.imports' steps): the preview
  shows the counts, the total, what is matched and the errors; confirming it runs the import,
  checking again against the database as it is then.
- An unmatched payment may be assigned by hand to an issued invoice, once (state ASSIGNED).
- Every refusal is a ValidationError with a message for the user and changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import imports
from core.files import clean_filename
from core.importing import RowError
from invoicing import payments as parsing
from invoicing import selectors
from invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceState,
    Payment,
    PaymentImport,
    PaymentState,
    PaymentUpload,
)
from invoicing.services import invoice_settings
from tenants.models import User

#: What an imported payment did to its invoice.
PAID = selectors.PaymentStatus.PAID
PARTLY_PAID = selectors.PaymentStatus.PARTLY_PAID
OVERPAID = selectors.PaymentStatus.OVERPAID
UNMATCHED = "unmatched"

#: Extensions of payment files the upload takes (an OCR file is often .txt, .ocr or .dat).
PAYMENT_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".ocr", ".dat")


@dataclass
class PaymentOutcome:
    row: int
    kid: str
    amount: Decimal
    paid_on: object
    invoice_id: int | None
    invoice_number: int | None
    outcome: str  # PAID, PARTLY_PAID, OVERPAID or UNMATCHED
    balance: Decimal | None = None


@dataclass
class PaymentImportResult:
    format: str = ""
    payment_import: PaymentImport | None = None
    #: The earlier import of the same file, when it was imported before (nothing changed).
    already_imported: PaymentImport | None = None
    errors: list[RowError] = field(default_factory=list)
    outcomes: list[PaymentOutcome] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return self.payment_import is not None

    @property
    def message(self) -> str:
        if self.already_imported is not None:
            return _("This file was imported on %(date)s already; nothing was changed.") % {
                "date": formats.date_format(timezone.localtime(self.already_imported.imported_at), "d.m.Y")
            }
        if self.errors:
            return _("The file has errors; nothing was imported.")
        count = len(self.outcomes)
        return ngettext("%(count)s payment was imported.", "%(count)s payments were imported.", count) % {
            "count": count
        }

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.outcomes if item.outcome == outcome)


def file_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _read(content: bytes, filename: str) -> parsing.PaymentFile:
    return parsing.read_payments(content, filename, kid_method=invoice_settings().kid_method)


def _already(sha256: str) -> PaymentImport | None:
    return PaymentImport.objects.filter(sha256=sha256).first()


def payment_outcomes(payments: list[Payment]) -> list[PaymentOutcome]:
    """What each payment did to its invoice, by the invoice's balance after the import."""
    invoice_ids = {payment.invoice_id for payment in payments if payment.invoice_id}
    invoices = {i.pk: i for i in selectors.with_balance(Invoice.objects.filter(pk__in=invoice_ids))}
    outcomes = []
    for payment in payments:
        invoice = invoices.get(payment.invoice_id)
        if invoice is None:
            outcome, balance = UNMATCHED, None
        else:
            balance = invoice.balance
            outcome = OVERPAID if balance < 0 else PAID if balance == 0 else PARTLY_PAID
        outcomes.append(
            PaymentOutcome(
                row=payment.row,
                kid=payment.kid,
                amount=payment.amount,
                paid_on=payment.paid_on,
                invoice_id=payment.invoice_id,
                invoice_number=invoice.number if invoice is not None else None,
                outcome=outcome,
                balance=balance,
            )
        )
    return outcomes


def payment_file_import(*, content: bytes, filename: str, user: User | None = None) -> PaymentImportResult:
    """Import a payment file: once per file (SHA-256), all or nothing, each payment matched on KID.
    Returns what was done (PaymentImportResult: the import, the errors or the earlier import, and
    per payment paid / partly paid / overpaid / unmatched)."""
    sha256 = file_sha256(content)
    earlier = _already(sha256)
    if earlier is not None:
        return PaymentImportResult(format=earlier.format, already_imported=earlier)
    parsed = _read(content, filename)
    result = PaymentImportResult(format=parsed.format)
    if parsed.errors:
        result.errors = parsed.errors
        return result
    try:
        with transaction.atomic():
            payment_import = PaymentImport.objects.create(
                sha256=sha256,
                original_name=clean_filename(filename),
                format=parsed.format,
                payments=len(parsed.rows),
                total=parsed.total,
                imported_by=user,
            )
            invoices = {
                invoice.kid: invoice
                for invoice in selectors.issued_invoices().filter(kid__in={row.kid for row in parsed.rows})
            }
            rows = []
            for row in parsed.rows:
                invoice = invoices.get(row.kid)
                rows.append(
                    Payment(
                        payment_import=payment_import,
                        row=row.row,
                        kid=row.kid,
                        amount=row.amount,
                        paid_on=row.paid_on,
                        reference=row.reference,
                        invoice=invoice,
                        state=PaymentState.MATCHED if invoice is not None else PaymentState.UNMATCHED,
                    )
                )
            created = Payment.objects.bulk_create(rows)
    except IntegrityError:
        # The same file imported at the same moment by someone else (the unique SHA-256).
        earlier = _already(sha256)
        if earlier is None:
            raise
        return PaymentImportResult(format=earlier.format, already_imported=earlier)
    result.payment_import = payment_import
    result.outcomes = payment_outcomes(created)
    return result


# --- Upload, preview, confirm ------------------------------------------------------------------


def validate_payment_upload(upload) -> None:
    name = (upload.name or "").lower()
    if not name.endswith(PAYMENT_EXTENSIONS):
        raise ValidationError(_("Upload a CSV, XLSX or OCR (.txt, .ocr, .dat) file."))
    if upload.size > imports.MAX_IMPORT_SIZE:
        raise ValidationError(_("The file is larger than 20 MB."))


def _preview(parsed: parsing.PaymentFile) -> dict:
    """Counts, the total and the matches as the preview shows them (JSON on the upload row)."""
    matched, unmatched, samples = 0, 0, []
    for row in parsed.rows:
        invoice = selectors.invoice_by_kid(kid=row.kid)
        matched += invoice is not None
        unmatched += invoice is None
        samples.append(
            {
                "row": row.row,
                "kid": row.kid,
                "amount": str(row.amount),
                "paid_on": row.paid_on.isoformat(),
                "reference": row.reference,
                "invoice": invoice.number if invoice is not None else None,
            }
        )
    return {"matched": matched, "unmatched": unmatched, "rows": samples}


def payment_upload_create(*, content: bytes, filename: str, user_id: int | None) -> PaymentUpload:
    """Store an uploaded payment file (imports/<schema>/) and preview it: the counts, the total,
    what matches an invoice and the errors row by row are kept on the upload row; nothing else is
    written. ValidationError, storing nothing, for a file over 20 MB or one that is no table."""
    if len(content) > imports.MAX_IMPORT_SIZE:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    parsed = _read(content, filename)
    unreadable = [error.message for error in parsed.errors if error.row == 0]
    if unreadable:
        raise ValidationError({"file": unreadable})
    preview = _preview(parsed)
    sha256 = file_sha256(content)
    earlier = _already(sha256)
    if earlier is not None:
        preview["already_imported"] = timezone.localtime(earlier.imported_at).date().isoformat()
    upload = PaymentUpload(
        created_by_id=user_id,
        original_name=clean_filename(filename),
        status=imports.ImportStatus.PREVIEWED,
        sha256=sha256,
        format=parsed.format,
        matched=preview["matched"],
        unmatched=preview["unmatched"],
        amount=parsed.total,
        total=len(parsed.rows),
        error_count=len(parsed.errors),
        errors=imports.stored_errors(parsed.errors),
        preview=preview,
    )
    imports.store_file(upload, content=content, filename=filename)
    return upload


def payment_upload_confirm(*, upload: PaymentUpload, user: User | None = None) -> PaymentImportResult:
    """Import a previewed upload, once: under its row lock, read the stored file again and import
    it (payment_file_import), then mark the upload done and delete its file. Confirming an upload
    that is no longer previewed changes nothing (the result names the import it made).
    ValidationError if its preview found errors."""
    with transaction.atomic():
        locked = PaymentUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != imports.ImportStatus.PREVIEWED:
            return PaymentImportResult(format=locked.format, already_imported=locked.payment_import)
        if locked.error_count:
            raise ValidationError(_("The file has errors. Correct them and upload it again; nothing was imported."))
        with locked.file.open("rb") as stored:
            content = stored.read()
        result = payment_file_import(content=content, filename=locked.original_name, user=user)
        if result.errors:
            # The database changed since the preview (a KID method changed): nothing was imported.
            raise ValidationError([str(error) for error in result.errors[:20]])
        locked.status = imports.ImportStatus.DONE
        locked.finished_at = timezone.now()
        locked.payment_import = result.payment_import or result.already_imported
        imports.forget_file(locked)
        locked.save(update_fields=["status", "finished_at", "payment_import", "file"])
    return result


def purge_unconfirmed_uploads(*, before: datetime) -> int:
    """Uploads nobody confirmed, with their files (for a daily purge)."""
    return imports.purge_unconfirmed(PaymentUpload, before=before)


# --- Assigning by hand -------------------------------------------------------------------------


def payment_assign(*, payment: Payment, invoice: Invoice, user: User | None) -> Payment:
    """Assign an unmatched payment to an issued invoice (state ASSIGNED, by whom and when).
    ValidationError, changing nothing, for a payment already matched or assigned, or an invoice
    that is not an issued invoice (a draft or a credit note)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.state != PaymentState.UNMATCHED:
            raise ValidationError(
                _("This payment is already matched to invoice %(number)s.")
                % {"number": locked.invoice.number if locked.invoice_id else "?"},
                code="matched",
            )
        target = Invoice.objects.filter(pk=invoice.pk).first()
        if target is None or target.state != InvoiceState.ISSUED or target.kind != InvoiceKind.INVOICE:
            raise ValidationError(_("A payment can only be assigned to an issued invoice."), code="not_issued")
        locked.invoice = target
        locked.state = PaymentState.ASSIGNED
        locked.assigned_by = user
        locked.assigned_at = timezone.now()
        locked.save(update_fields=["invoice", "state", "assigned_by", "assigned_at"])
    return locked
