"""The PDFs of a run, and delivering issued invoices to their buyers.

Rules:
- A run's PDFs are rendered in the worker (invoicing.tasks.render_run_pdfs, queued through
  core.outbox): each missing PDF is rendered and stored in a transaction of its own, so the
  progress (stored PDFs / issued invoices of the run, one SQL count) moves as they are made and
  a second run of the task renders only what is missing.
- An issued invoice is delivered once: by EHF when the buyer has an EHF address, else by e-mail
  with the PDF to the buyer's invoice e-mail. There is one InvoiceDelivery row per invoice; asking
  again returns it and queues nothing, unless it failed, which queues it again.
- The delivery task claims the row with a conditional UPDATE (queued -> sent) in the transaction
  that sends, so it sends at most once; a failure rolls the claim back and is recorded (error,
  attempts). An OSError (the mail server or the transmission could not be reached) is raised again
  for Celery to retry with backoff; on the last attempt, or for any other error, the delivery is
  marked failed.
- Refusals are ValidationErrors naming the invoice, and change nothing.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox
from invoicing import pdf
from invoicing.models import DeliveryMethod, DeliveryState, Invoice, InvoiceDelivery, InvoiceRun, InvoiceState
from tenants.emails import refusal_reply

logger = logging.getLogger(__name__)

# Task names (this module is imported by invoicing.tasks, so it names them instead of importing them).
RENDER_RUN_PDFS = "invoicing.tasks.render_run_pdfs"
DELIVER_INVOICE = "invoicing.tasks.deliver_invoice"


# --- A run's PDFs -------------------------------------------------------------------------------


def run_pdfs_request(*, run: InvoiceRun) -> InvoiceRun:
    """Ask the worker to render the run's missing PDFs (safe to ask again: it renders what is missing)."""
    with transaction.atomic():
        run.pdf_requested_at = timezone.now()
        InvoiceRun.objects.filter(pk=run.pk).update(pdf_requested_at=run.pdf_requested_at)
        outbox.enqueue(task=RENDER_RUN_PDFS, args=[run.pk], key=f"invoicing.run_pdfs:{run.pk}")
    return run


def run_pdf_progress(*, run: InvoiceRun) -> tuple[int, int]:
    """(stored PDFs, issued invoices) of the run, in one query."""
    counts = Invoice.objects.filter(run_id=run.pk, state=InvoiceState.ISSUED).aggregate(
        total=Count("pk"), stored=Count("file")
    )
    return counts["stored"], counts["total"]


def run_pdfs_render(*, run_id: int) -> int:
    """Render and store the missing PDFs of the run's issued invoices, one at a time, each committed
    on its own. Returns how many were rendered now."""
    ids = list(
        Invoice.objects.filter(run_id=run_id, state=InvoiceState.ISSUED, file__isnull=True)
        .order_by("number")
        .values_list("pk", flat=True)
    )
    rendered = 0
    for invoice_id in ids:
        invoice = Invoice.objects.select_related("credited_invoice").filter(pk=invoice_id).first()
        if invoice is None or hasattr(invoice, "file"):
            continue
        with transaction.atomic():
            pdf.invoice_pdf(invoice)
        rendered += 1
    return rendered


# --- Delivery -----------------------------------------------------------------------------------


def _method_and_address(invoice: Invoice) -> tuple[str, str]:
    if invoice.buyer_ehf_address:
        return DeliveryMethod.EHF, invoice.buyer_ehf_address
    if invoice.buyer_email:
        return DeliveryMethod.EMAIL, invoice.buyer_email
    raise ValidationError(
        _("Invoice %(number)s cannot be sent: the buyer has neither an EHF address nor an invoice e-mail.")
        % {"number": invoice.number}
    )


def invoice_deliver(*, invoice: Invoice) -> InvoiceDelivery:
    """Queue the delivery of an issued invoice (EHF if the buyer has an EHF address, else e-mail),
    once. Returns its delivery row; a delivery that exists is returned as it is (and queued again
    only if it failed). ValidationError for a draft or a buyer with no address."""
    if not invoice.is_issued:
        raise ValidationError(_("A draft cannot be sent: issue the invoice first."))
    method, address = _method_and_address(invoice)
    with transaction.atomic():
        Invoice.objects.select_for_update().filter(pk=invoice.pk).values_list("pk").first()  # one at a time
        delivery = InvoiceDelivery.objects.select_for_update().filter(invoice_id=invoice.pk).first()
        if delivery is not None and delivery.state != DeliveryState.FAILED:
            return delivery
        if delivery is None:
            delivery = InvoiceDelivery.objects.create(
                invoice=invoice,
                method=method,
                address=address[:254],
                backend=settings.INVOICE_TRANSMISSION_BACKEND if method == DeliveryMethod.EHF else "",
            )
        else:
            delivery.state, delivery.error = DeliveryState.QUEUED, ""
            delivery.save(update_fields=["state", "error"])
        outbox.enqueue(task=DELIVER_INVOICE, args=[delivery.pk], key=f"invoicing.delivery:{delivery.pk}")
    return delivery


@dataclass
class DeliverResult:
    deliveries: list[InvoiceDelivery] = field(default_factory=list)
    refused: list[tuple[Invoice, str]] = field(default_factory=list)


def invoices_deliver(*, invoices: Iterable[Invoice]) -> DeliverResult:
    """invoice_deliver for each invoice, each in its own transaction; refusals are collected, not raised."""
    result = DeliverResult()
    for invoice in invoices:
        try:
            result.deliveries.append(invoice_deliver(invoice=invoice))
        except ValidationError as error:
            result.refused.append((invoice, " ".join(error.messages)))
    return result


def _send(delivery: InvoiceDelivery) -> None:
    invoice = delivery.invoice
    if delivery.method == DeliveryMethod.EHF:
        from invoicing import ehf, transmission  # ehf: the EHF document, written by its own module

        message_id = transmission.backend().send(invoice=invoice, xml=ehf.invoice_xml(invoice))
        logger.info("invoice %s sent as EHF: %s", invoice.pk, message_id)
    else:
        from invoicing import notifications

        notifications.invoice_email(invoice, to=delivery.address).send()


def delivery_send(*, delivery_id: int, final: bool = False) -> InvoiceDelivery | None:
    """Send a queued delivery, at most once. Returns the row as it is after, or None if unknown."""
    error: BaseException | None = None
    try:
        with transaction.atomic():
            claimed = InvoiceDelivery.objects.filter(pk=delivery_id, state=DeliveryState.QUEUED).update(
                state=DeliveryState.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, error=""
            )
            if claimed:
                delivery = InvoiceDelivery.objects.select_related("invoice__credited_invoice").get(pk=delivery_id)
                _send(delivery)
    except smtplib.SMTPRecipientsRefused as refusal:
        reply, for_good = refusal_reply(refusal)
        _record_failure(delivery_id, reply, failed=for_good or final)
        if not for_good and not final:
            raise
        return InvoiceDelivery.objects.filter(pk=delivery_id).first()
    except OSError as failure:
        _record_failure(delivery_id, f"{type(failure).__name__}: {failure}", failed=final)
        if not final:
            raise
        error = failure
    except Exception as failure:  # a bug or a refused document: not worth trying again
        logger.exception("delivery %s failed", delivery_id)
        _record_failure(delivery_id, f"{type(failure).__name__}: {failure}", failed=True)
        error = failure
    if error is not None:
        logger.warning("delivery %s failed for good: %s", delivery_id, error)
    return InvoiceDelivery.objects.filter(pk=delivery_id).first()


def _record_failure(delivery_id: int, error: str, *, failed: bool) -> None:
    """After the claim was rolled back: count the attempt, keep the error; failed for good, or queued to retry."""
    InvoiceDelivery.objects.filter(pk=delivery_id, state=DeliveryState.QUEUED).update(
        attempts=F("attempts") + 1,
        error=error[:500],
        state=DeliveryState.FAILED if failed else DeliveryState.QUEUED,
    )
