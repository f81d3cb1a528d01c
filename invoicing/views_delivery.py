"""Rendering a run's PDFs (started by a POST, followed by an htmx-polled progress fragment) and
sending an issued invoice to its buyer. Staff only (PTA administrators and advisers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from invoicing import services_delivery
from invoicing.models import DeliveryMethod, DeliveryState, Invoice, InvoiceRun
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required

#: How often the progress fragment polls, in seconds.
POLL_SECONDS = 2


def _next_url(request: AuthenticatedRequest, fallback: str = "/") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _run_url(request: AuthenticatedRequest, run: InvoiceRun) -> str:
    try:
        return reverse("invoicing:run_detail", args=[f"{run.month:%Y-%m}"])
    except NoReverseMatch:
        return _next_url(request)


@require_POST
@staff_required
def run_pdfs_start(request: AuthenticatedRequest, run_pk: int):
    run = get_object_or_404(InvoiceRun, pk=run_pk)
    services_delivery.run_pdfs_request(run=run)
    messages.success(request, _("The PDFs of the run are being made. You may leave the page; they are made anyway."))
    return redirect(_run_url(request, run))


@require_GET
@staff_required
def run_pdf_progress(request: AuthenticatedRequest, run_pk: int):
    run = get_object_or_404(InvoiceRun, pk=run_pk)
    response = render(request, "invoicing/delivery/run_pdf_progress.html", pdf_progress_context(run))
    response["Cache-Control"] = "private, no-store"
    return response


def pdf_progress_context(run: InvoiceRun) -> dict:
    """What the run's PDF progress fragment shows (also included in the run's page)."""
    done, total = services_delivery.run_pdf_progress(run=run)
    finished = done >= total
    return {
        "run": run,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 100,
        "finished": finished,
        "polling": bool(run.pdf_requested_at) and not finished,
        "poll_seconds": POLL_SECONDS,
    }


@require_POST
@staff_required
def invoice_send(request: AuthenticatedRequest, pk: int):
    invoice = get_object_or_404(Invoice.objects.select_related("credited_invoice"), pk=pk)
    try:
        fallback = reverse("invoicing:invoice_detail", args=[invoice.pk])
    except NoReverseMatch:
        fallback = "/"
    try:
        delivery = services_delivery.invoice_deliver(invoice=invoice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_next_url(request, fallback))
    values = {"number": invoice.number, "address": delivery.address}
    if delivery.state == DeliveryState.SENT:
        messages.info(request, _("Invoice %(number)s was sent already (to %(address)s).") % values)
    elif delivery.method == DeliveryMethod.EHF:
        messages.success(request, _("Invoice %(number)s is being sent as EHF to %(address)s.") % values)
    else:
        messages.success(request, _("Invoice %(number)s is being sent by e-mail to %(address)s.") % values)
    return redirect(_next_url(request, fallback))
