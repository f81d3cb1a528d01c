"""The payment pages, for PTA staff: the imported payment files and the last payments, the upload
of a bank file (upload → preview → confirm → result, core.imports' steps), the unmatched payments
an adviser assigns to an invoice, and the overdue invoices with their reminders.

Every view checks the role first (staff_required: anonymous → login, anyone else → 403), then
finds its object in the PTA's own schema (another PTA's id, or an unknown one, is 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.dates import today
from core.forms import add_validation_error
from core.imports import ImportStatus
from core.paging import list_page
from invoicing import payments as parsing
from invoicing import selectors, services_payments
from invoicing.forms_payments import AssignForm, PaymentFileForm
from invoicing.models import Invoice, Payment, PaymentImport, PaymentState, PaymentUpload, Reminder
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required

RECENT_IMPORTS = 20
RECENT_PAYMENTS = 20


def _get_upload_for_user(request: AuthenticatedRequest, pk: int) -> PaymentUpload:
    return get_object_or_404(PaymentUpload, pk=pk)


def _get_payment_for_user(request: AuthenticatedRequest, pk: int) -> Payment:
    return get_object_or_404(Payment, pk=pk)


def _outcome_labels() -> dict[str, str]:
    return {
        services_payments.PAID: _("Paid"),
        services_payments.PARTLY_PAID: _("Partly paid"),
        services_payments.OVERPAID: _("Overpaid"),
        services_payments.UNMATCHED: _("Unmatched"),
    }


@staff_required
@require_GET
def payments_index(request: AuthenticatedRequest):
    return render(
        request,
        "invoicing/payments/index.html",
        {
            "imports": PaymentImport.objects.select_related("imported_by")[:RECENT_IMPORTS],
            "payments": Payment.objects.select_related("invoice").order_by("-created_at", "-pk")[:RECENT_PAYMENTS],
            "unmatched_count": Payment.objects.filter(state=PaymentState.UNMATCHED).count(),
            "states": PaymentState,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def payment_upload(request: AuthenticatedRequest):
    form = PaymentFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            payment_upload = services_payments.payment_upload_create(
                content=upload.read(), filename=upload.name, user_id=request.user.pk
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            return redirect("invoicing_payments:upload_preview", pk=payment_upload.pk)
    return render(request, "invoicing/payments/upload.html", {"form": form})


@staff_required
@require_GET
def payment_upload_preview(request: AuthenticatedRequest, pk: int):
    """The preview of an upload; once it is confirmed, what the import did to each invoice."""
    upload = _get_upload_for_user(request, pk)
    context = {
        "upload": upload,
        "errors": list_page(
            request,
            upload.errors,
            param="errors_page",
            shown=lambda error: {**error, "label": parsing.field_label(error["field"])},
        ),
        "labels": _outcome_labels(),
    }
    if upload.status == ImportStatus.DONE:
        rows = list(upload.payment_import.rows.order_by("row", "pk")) if upload.payment_import else []
        context["outcomes"] = list_page(request, services_payments.payment_outcomes(rows), param="page")
        return render(request, "invoicing/payments/result.html", context)
    context["rows"] = list_page(request, upload.preview.get("rows", []), param="page")
    return render(request, "invoicing/payments/preview.html", context)


@staff_required
@require_POST
def payment_upload_confirm(request: AuthenticatedRequest, pk: int):
    upload = _get_upload_for_user(request, pk)
    try:
        result = services_payments.payment_upload_confirm(upload=upload, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        (messages.warning if result.already_imported else messages.success)(request, result.message)
    return redirect("invoicing_payments:upload_preview", pk=upload.pk)


def _unmatched_page(request: AuthenticatedRequest, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    page = list_page(
        request, Payment.objects.filter(state=PaymentState.UNMATCHED).order_by("paid_on", "pk"), param="page"
    )
    items = [(payment, bound.get(payment.pk) or AssignForm(prefix=f"p{payment.pk}")) for payment in page]
    return render(request, "invoicing/payments/unmatched.html", {"page": page, "items": items}, status=status)


@staff_required
@require_GET
def payments_unmatched(request: AuthenticatedRequest):
    return _unmatched_page(request)


@staff_required
@require_POST
def payment_assign(request: AuthenticatedRequest, pk: int):
    payment = _get_payment_for_user(request, pk)
    form = AssignForm(request.POST, prefix=f"p{payment.pk}")
    if form.is_valid():
        invoice = Invoice.objects.filter(number=form.cleaned_data["invoice_number"]).first()
        if invoice is None:
            form.add_error("invoice_number", _("There is no invoice with this number."))
        else:
            try:
                services_payments.payment_assign(payment=payment, invoice=invoice, user=request.user)
            except ValidationError as exc:
                if payment.state != PaymentState.UNMATCHED:
                    messages.error(request, " ".join(exc.messages))
                    return redirect("invoicing_payments:unmatched")
                add_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The payment of NOK %(amount)s is assigned to invoice %(number)s.")
                    % {"amount": payment.amount, "number": invoice.number},
                )
                return redirect("invoicing_payments:unmatched")
    if payment.state != PaymentState.UNMATCHED:
        messages.error(request, _("This payment is not unmatched any more."))
        return redirect("invoicing_payments:unmatched")
    return _unmatched_page(request, bound={payment.pk: form}, status=400)


@staff_required
@require_GET
def invoices_overdue(request: AuthenticatedRequest):
    invoices = (
        selectors.overdue_invoices(today=today())
        .select_related("company")
        .prefetch_related(Prefetch("reminders", queryset=Reminder.objects.order_by("stage")))
    )
    return render(request, "invoicing/payments/overdue.html", {"page": list_page(request, invoices, param="page")})
