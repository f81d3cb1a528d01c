"""The invoicing pages: the month's runs (drafts, review, issue), an invoice and
its credit notes, downloads, a company's invoices and ledger (staff, and on
Min side the contact persons who may see invoices), add-ons, settings."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.permissions import CompanyRequest, company_member_required, get_company_for_user, is_staff
from core.dates import today
from core.forms import add_validation_error, confirmed
from core.paging import list_page
from invoicing import forms, ledger, selectors, services, services_delivery, views_delivery
from invoicing.models import BillableItem, Invoice, InvoiceKind, InvoiceRun, InvoiceState
from tenants.http import AuthenticatedRequest
from tenants.permissions import pta_admin_required, staff_required

RUN_PAGE_SIZE = 100


def _run_for_month(month: str) -> InvoiceRun:
    first = forms.parse_month(month)
    if first is None:
        raise Http404
    return get_object_or_404(InvoiceRun, month=first)


def _run_url(run: InvoiceRun) -> str:
    return reverse("invoicing:run_detail", args=[f"{run.month:%Y-%m}"])


def _get_invoice_for_user(request: CompanyRequest, pk: int) -> Invoice:
    """The invoice for staff; for a contact person of its company with the right to see invoices,
    only when issued (a draft is 404, another company's 404, without the right 403)."""
    invoice = get_object_or_404(Invoice.objects.select_related("company", "credited_invoice"), pk=pk)
    if is_staff(request):
        return invoice
    get_company_for_user(request, invoice.company_id, right="can_see_invoices")
    if not invoice.is_issued:
        raise Http404
    return invoice


# --- Runs -------------------------------------------------------------------------------------


@staff_required
@require_GET
def index(request: AuthenticatedRequest):
    """The runs, the newest first, with their drafts, issued invoices and totals; a form to start one."""
    runs = selectors.run_list().annotate(
        drafts=Count("invoices", filter=Q(invoices__state=InvoiceState.DRAFT)),
        issued=Count("invoices", filter=Q(invoices__state=InvoiceState.ISSUED)),
        total=Sum("invoices__gross_total"),
    )
    form = forms.RunStartForm(initial={"month": f"{services.previous_month(today()):%Y-%m}"})
    return render(request, "invoicing/index.html", {"runs": runs, "form": form})


@staff_required
@require_POST
def run_start(request: AuthenticatedRequest):
    """Draft a month's invoices (again: only what the run has not drafted yet)."""
    form = forms.RunStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["month"]))
        return redirect("invoicing:index")
    try:
        result = services.invoice_run(month=form.cleaned_data["month"], user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("invoicing:index")
    messages.success(
        request,
        ngettext("%(count)d draft made.", "%(count)d drafts made.", len(result.created))
        % {"count": len(result.created)},
    )
    return redirect(_run_url(result.run))


@staff_required
@require_GET
def run_detail(request: AuthenticatedRequest, month: str):
    """A run's invoices (drafts to review and issue, issued ones to deliver), a page at a time, with
    what would stop a draft being issued and the companies over their credit limit."""
    run = _run_for_month(month)
    invoices = (
        run.invoices.select_related("company__agreement", "location", "department", "delivery", "file")
        .annotate(line_count=Count("lines"))
        .order_by("state", "buyer_name", "pk")
    )
    page = list_page(request, invoices, param="page", per_page=RUN_PAGE_SIZE)
    settings = services.invoice_settings()
    rows = [
        (invoice, [] if invoice.is_issued else services.issue_problems(invoice, settings=settings)) for invoice in page
    ]
    pending: dict[int, Decimal] = {}
    for invoice in page:
        if not invoice.is_issued:
            pending[invoice.company_id] = pending.get(invoice.company_id, Decimal(0)) + invoice.gross_total
    counts = run.invoices.aggregate(
        drafts=Count("pk", filter=Q(state=InvoiceState.DRAFT)),
        issued=Count("pk", filter=Q(state=InvoiceState.ISSUED)),
        total=Sum("gross_total"),
    )
    return render(
        request,
        "invoicing/run_detail.html",
        {
            "run": run,
            "page": page,
            "rows": rows,
            "counts": counts,
            "pdf": views_delivery.pdf_progress_context(run) if counts["issued"] else None,
            "over_limit": selectors.companies_over_credit_limit(
                company_ids={i.company_id for i in page}, pending=pending
            ),
        },
    )


@staff_required
@require_POST
def run_issue(request: AuthenticatedRequest, month: str):
    """Issue the ticked drafts of the run, or all of them (`all`); each refusal is named, the rest go through."""
    run = _run_for_month(month)
    drafts = list(run.invoices.filter(state=InvoiceState.DRAFT).order_by("buyer_name", "pk"))
    chosen = drafts if request.POST.get("all") else forms.selected_ids(request.POST, invoices=drafts)
    if not chosen:
        messages.error(request, _("Tick the drafts to issue, or issue them all."))
        return redirect(_run_url(run))
    result = services.invoices_issue(invoices=chosen, user=request.user)
    _report_issue(request, result)
    return redirect(_run_url(run))


@staff_required
@require_POST
def run_deliver(request: AuthenticatedRequest, month: str):
    """Send the run's issued invoices that have not gone (or failed): EHF where the buyer has an EHF
    address, else e-mail with the PDF; each through the worker, once. Refusals are named."""
    run = _run_for_month(month)
    waiting = run.invoices.filter(state=InvoiceState.ISSUED).exclude(delivery__state__in=["queued", "sent"])
    result = services_delivery.invoices_deliver(invoices=list(waiting.order_by("number")))
    if result.deliveries:
        messages.success(
            request,
            ngettext("%(count)d invoice is being sent.", "%(count)d invoices are being sent.", len(result.deliveries))
            % {"count": len(result.deliveries)},
        )
    elif not result.refused:
        messages.info(request, _("Every issued invoice of the run is sent already."))
    for _invoice, reason in result.refused:
        messages.error(request, reason)
    return redirect(_run_url(run))


def _report_issue(request, result: services.IssueResult) -> None:
    if result.issued:
        messages.success(
            request,
            ngettext("%(count)d invoice issued.", "%(count)d invoices issued.", len(result.issued))
            % {"count": len(result.issued)},
        )
    for _invoice, reasons in result.refused:
        messages.error(request, " ".join(reasons))


@staff_required
@require_GET
def run_accounting(request: AuthenticatedRequest, month: str):
    """The run's accounting export (CSV): accounts and SAF-T VAT codes per document."""
    run = _run_for_month(month)
    response = HttpResponse(
        ledger.accounting_csv(run=run, settings=services.invoice_settings()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="regnskap-{run.month:%Y-%m}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- One invoice ------------------------------------------------------------------------------


@never_cache
@company_member_required
@require_GET
def invoice_detail(request: CompanyRequest, pk: int):
    """An invoice or credit note: lines, totals, what is paid, credit notes, reminders, delivery."""
    invoice = _get_invoice_for_user(request, pk)
    balance = selectors.invoice_with_balance(pk=invoice.pk)
    return render(
        request,
        "invoicing/invoice_detail.html",
        {
            "invoice": invoice,
            "balance": balance,
            "lines": invoice.lines.all(),
            "totals": services.invoice_totals(invoice),
            "payments": invoice.payments.all(),
            "credit_notes": invoice.credit_notes.filter(state=InvoiceState.ISSUED),
            "reminders": invoice.reminders.all(),
            "delivery": getattr(invoice, "delivery", None),
            "problems": [] if invoice.is_issued else services.issue_problems(invoice),
            "is_staff": is_staff(request),
            "company": invoice.company,
            "tab": "invoices",
        },
    )


@staff_required
@require_POST
def invoice_issue(request: AuthenticatedRequest, pk: int):
    invoice = get_object_or_404(Invoice, pk=pk)
    _report_issue(request, services.invoices_issue(invoices=[invoice], user=request.user))
    return redirect("invoicing:invoice_detail", invoice.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def draft_delete(request: AuthenticatedRequest, pk: int):
    """Delete a draft after a confirmation (the next run of its month drafts it again)."""
    invoice = get_object_or_404(Invoice, pk=pk, state=InvoiceState.DRAFT)
    back = reverse("invoicing:invoice_detail", args=[invoice.pk])
    if request.method == "POST" and confirmed(request):
        run = invoice.run
        services.draft_delete(invoice=invoice)
        messages.success(request, _("The draft is deleted."))
        return redirect(_run_url(run) if run else reverse("invoicing:index"))
    return render(
        request,
        "invoicing/confirm.html",
        {
            "question": _("Delete draft %(label)s?") % {"label": invoice.label},
            "consequences": [_("Running the month again drafts it anew, with what is true then.")],
            "confirm_label": _("Delete the draft"),
            "cancel_url": back,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def invoice_credit(request: AuthenticatedRequest, pk: int):
    """Credit an issued invoice in full or in part: a credit note, issued at once, numbered in the series."""
    invoice = get_object_or_404(
        Invoice.objects.select_related("company"), pk=pk, state=InvoiceState.ISSUED, kind=InvoiceKind.INVOICE
    )
    lines = list(invoice.lines.all())
    form = forms.CreditForm(request.POST or None, lines=lines, credited=services.credited_quantities(invoice))
    if request.method == "POST" and form.is_valid():
        try:
            note = services.credit_note_create(
                invoice=invoice, quantities=form.quantities(), reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Credit note %(number)s is issued.") % {"number": note.number})
            return redirect("invoicing:invoice_detail", note.pk)
    return render(
        request,
        "invoicing/credit_form.html",
        {"invoice": invoice, "form": form, "company": invoice.company, "tab": "invoices"},
    )


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@company_member_required
@require_GET
def invoice_pdf(request: CompanyRequest, pk: int):
    """The PDF: staff (a draft too, marked as one), and the company's contact persons with the right."""
    invoice = _get_invoice_for_user(request, pk)
    from invoicing import pdf  # the PDF module renders with WeasyPrint; loaded when first asked for

    name = "kreditnota" if invoice.is_credit_note else "faktura"
    return _download(pdf.invoice_pdf(invoice), content_type="application/pdf", filename=f"{name}-{invoice.label}.pdf")


@company_member_required
@require_GET
def invoice_ehf(request: CompanyRequest, pk: int):
    """The EHF document (PEPPOL BIS Billing 3.0) of an issued invoice or credit note."""
    invoice = _get_invoice_for_user(request, pk)
    if not invoice.is_issued:
        raise Http404
    from invoicing import ehf

    name = "kreditnota" if invoice.is_credit_note else "faktura"
    return _download(ehf.invoice_xml(invoice), content_type="application/xml", filename=f"{name}-{invoice.number}.xml")


# --- A company's invoices ---------------------------------------------------------------------


@company_member_required
@require_GET
def company_invoices(request: CompanyRequest, company_pk: int):
    """The company page's invoices tab: its invoices and credit notes with their status and downloads,
    the ledger and the credit limit; for staff also drafts and add-ons. Contact persons need the right."""
    staff = is_staff(request)
    company = get_company_for_user(request, company_pk, right=None if staff else "can_see_invoices")
    invoices = selectors.company_invoices(company=company, include_drafts=staff)
    return render(
        request,
        "invoicing/company_invoices.html",
        {
            "company": company,
            "tab": "invoices",
            "page": list_page(request, invoices, param="page", per_page=50),
            "ledger": ledger.company_ledger(company=company),
            "standing": ledger.credit_standing(company=company),
            "items": company.billable_items.select_related("product", "invoice_line__invoice")[:50] if staff else [],
            "is_staff": staff,
            "contact_person": getattr(request, "contact_person", None),
        },
    )


@company_member_required
@require_GET
def company_invoices_card(request: CompanyRequest, company_pk: int):
    """Min side: what the company owes, how many invoices are overdue and the latest invoice. Three queries."""
    company = get_company_for_user(request, company_pk, right=None if is_staff(request) else "can_see_invoices")
    return render(
        request,
        "invoicing/cards/company_invoices.html",
        {
            "company": company,
            "standing": ledger.credit_standing(company=company),
            "overdue": selectors.overdue_invoices(today=today()).filter(company=company).count(),
            "latest": selectors.issued_invoices().filter(company=company).order_by("-number").first(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def billable_add(request: CompanyRequest, company_pk: int):
    """Add an add-on or a billable activity: the run of its month puts it on the invoice."""
    company = get_company_for_user(request, company_pk, staff_only=True)
    form = forms.BillableItemForm(request.POST or None, company=company, initial={"day": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.billable_item_add(item=form.instance, user=request.user)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The add-on is added; the run of its month invoices it."))
            return redirect("invoicing:company_invoices", company.pk)
    return render(request, "invoicing/billable_form.html", {"company": company, "form": form, "tab": "invoices"})


@staff_required
@require_http_methods(["GET", "POST"])
def billable_remove(request: CompanyRequest, company_pk: int, pk: int):
    company = get_company_for_user(request, company_pk, staff_only=True)
    item = get_object_or_404(BillableItem, pk=pk, company=company)
    back = reverse("invoicing:company_invoices", args=[company.pk])
    if request.method == "POST" and confirmed(request):
        try:
            services.billable_item_remove(item=item)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The add-on is removed."))
        return redirect(back)
    return render(
        request,
        "companies/company_confirm.html",
        {
            "company": company,
            "tab": "invoices",
            "question": _("Remove the add-on?"),
            "consequences": [f"{item.description or item.product.name}, {item.day:%d.%m.%Y}"],
            "confirm_label": _("Remove"),
            "cancel_url": back,
        },
    )


# --- Settings ---------------------------------------------------------------------------------


@pta_admin_required
@require_http_methods(["GET", "POST"])
def invoice_settings(request: AuthenticatedRequest):
    """The PTA's invoice settings: KID, terms, the seller's address, reminders, accounts, numbering."""
    settings = services.invoice_settings()
    open_ = services.numbering_open()
    form = forms.InvoiceSettingsForm(
        request.POST or None,
        instance=settings,
        next_number=services.next_number(),
        numbering_open=open_,
        pta=request.tenant,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_settings_save(
                settings=form.instance,
                next_number=form.cleaned_data.get("next_number") if open_ else None,
                org_number=form.cleaned_data["org_number"],
                bank_account=form.cleaned_data["bank_account"],
                vat_registered=form.cleaned_data["vat_registered"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("The invoice settings are saved."))
            return redirect("invoicing:settings")
    return render(
        request,
        "invoicing/settings.html",
        {"form": form, "pta": request.tenant, "numbering_open": open_, "next_number": services.next_number()},
    )
