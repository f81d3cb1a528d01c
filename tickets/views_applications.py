"""Corporate-ticket applications.

The employee's pages need no account (mobile first, under /soknad/ on the
PTA's host, which config.middleware leaves open): the company's link asks
for the work e-mail, the one-time link from the mail opens the form, and a
receipt ends it. The key in the link is the company's
(ApplicationSettings.key); an unknown or retired key is 404.

The company's pages (its tickets tab): the applications, approving one or
a selection and rejecting with a reason (staff, and the company's contact
persons with the right to approve ticket applications), and the link with
its QR code (any of the company's contact persons may share it; changing
the settings or making a new link needs the right).
"""

from __future__ import annotations

import io

import segno
from allauth.core import ratelimit
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from companies.models import Company
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user, is_staff
from core.dates import today
from core.forms import add_validation_error, confirmed
from core.paging import list_page
from tenants.emails import tenant_url
from tenants.http import TenantRequest
from tickets import selectors_applications as selectors
from tickets import services_applications as services
from tickets.forms_applications import ApplicationForm, ApplicationSettingsForm, EmailForm, RejectForm
from tickets.models import Application, ApplicationState

RECEIPT_SESSION_KEY = "ticket_application_receipt"
DECIDED_PAGE_SIZE = 50
APPROVE_RIGHT = "can_approve_tickets"


def _company_for_key(key: str) -> Company:
    company = selectors.company_for_key(key=key)
    if company is None:
        raise Http404
    return company


def _apply_url(request, key: str) -> str:
    return tenant_url(request.tenant, reverse("ticket_applications:start", args=[key]))


# --- The employee's pages ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: TenantRequest, key: str):
    """The company's application link: who it is for, and the work e-mail to send the form's link to."""
    company = _company_for_key(key)
    closed = selectors.closed_reason(company=company)
    form = EmailForm(request.POST or None)
    status = 200
    if request.method == "POST" and not closed and form.is_valid():
        # allauth's rate limit (settings.ACCOUNT_RATE_LIMITS), by client address, so that the page
        # cannot be used to flood mailboxes.
        if not ratelimit.consume(request, action="ticket_application_link"):
            form.add_error(None, _("Too many links were asked for from your network. Try again in an hour."))
            status = 429
        else:
            try:
                services.verification_request(company=company, email=form.cleaned_data["email"])
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                return redirect("ticket_applications:link_sent", key=key)
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "tickets/applications/start.html",
        {"company": company, "form": form, "closed": closed, "key": key},
        status=status,
    )


@never_cache
@require_GET
def link_sent(request: TenantRequest, key: str):
    company = _company_for_key(key)
    return render(request, "tickets/applications/link_sent.html", {"company": company, "key": key})


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: TenantRequest, key: str, token: str):
    """The application form behind the one-time link: the prices and the applicant's own share
    are shown with each ticket before they accept. Sending it uses the link up."""
    company = _company_for_key(key)
    try:
        verification = services.verification_check(company=company, token=token)
    except services.LinkError as exc:
        return render(
            request,
            "tickets/applications/link_invalid.html",
            {"company": company, "key": key, "why": " ".join(exc.messages)},
            status=410,
        )
    closed = selectors.closed_reason(company=company)
    months = selectors.start_months()
    month = months[0]
    if request.method == "POST" and request.POST.get("starts"):
        month = next((m for m in months if m.isoformat() == request.POST["starts"]), month)
    offers = selectors.offers(company=company, month=month)
    form = ApplicationForm(request.POST or None, offers=offers, months=months, initial={"starts": month.isoformat()})
    if request.method == "POST" and not closed and form.is_valid():
        try:
            application = services.application_submit(verification=verification, data=form.cleaned_for_service())
        except services.LinkError as exc:
            return render(
                request,
                "tickets/applications/link_invalid.html",
                {"company": company, "key": key, "why": " ".join(exc.messages)},
                status=410,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            request.session[RECEIPT_SESSION_KEY] = application.pk
            return redirect("ticket_applications:receipt", key=key)
    return render(
        request,
        "tickets/applications/apply.html",
        {
            "company": company,
            "verification": verification,
            "form": form,
            "offers": offers,
            "month": month,
            "closed": closed,
            "key": key,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_GET
def receipt(request: TenantRequest, key: str):
    """What happened to the application just sent (only in the browser that sent it)."""
    company = _company_for_key(key)
    application = (
        Application.objects.select_related("ticket_type", "ticket")
        .filter(pk=request.session.get(RECEIPT_SESSION_KEY) or 0, company=company)
        .first()
    )
    if application is None:
        return redirect("ticket_applications:start", key=key)
    return render(request, "tickets/applications/receipt.html", {"company": company, "application": application})


# --- The company's pages --------------------------------------------------------------------


def _may_decide(request: CompanyRequest) -> bool:
    contact = getattr(request, "contact_person", None)
    return is_staff(request) or bool(contact and contact.can_approve_tickets)


@company_member_required
@require_http_methods(["GET", "POST"])
def company_applications(request: CompanyRequest, company_pk: int):
    """The company's ticket applications: those waiting, with approve and reject (a selection can
    be approved at once), then those decided. Staff and contact persons with the right."""
    company = get_company_for_user(request, company_pk, right=APPROVE_RIGHT)
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("application") if value.isdigit()]
        if not ids:
            messages.error(request, _("Choose the applications to approve."))
        else:
            result = services.applications_approve(company=company, ids=ids, user=request.user)
            if result.approved:
                count = len(result.approved)
                messages.success(
                    request,
                    ngettext("%(count)d application approved.", "%(count)d applications approved.", count)
                    % {"count": count},
                )
            for refusal in result.refused:
                messages.error(request, refusal)
        return redirect("ticket_applications:company_applications", company_pk=company.pk)
    waiting = list(selectors.company_applications(company=company, state=ApplicationState.WAITING))
    decided = list_page(
        request,
        selectors.company_applications(company=company).exclude(state=ApplicationState.WAITING),
        param="page",
        per_page=DECIDED_PAGE_SIZE,
    )
    return render(
        request,
        "tickets/applications/company_applications.html",
        {"company": company, "tab": "tickets", "waiting": waiting, "decided": decided},
    )


def _get_waiting(company: Company, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("ticket_type"), pk=pk, company=company, state=ApplicationState.WAITING
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def application_approve(request: CompanyRequest, company_pk: int, pk: int):
    company = get_company_for_user(request, company_pk, right=APPROVE_RIGHT)
    application = _get_waiting(company, pk)
    back = reverse("ticket_applications:company_applications", args=[company.pk])
    if confirmed(request):
        try:
            services.application_approve(application=application, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s's application is approved.") % {"name": application.full_name},
            )
        return redirect(back)
    return render(
        request,
        "tickets/applications/decide.html",
        {"company": company, "tab": "tickets", "application": application, "approve": True, "back": back},
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def application_reject(request: CompanyRequest, company_pk: int, pk: int):
    company = get_company_for_user(request, company_pk, right=APPROVE_RIGHT)
    application = _get_waiting(company, pk)
    back = reverse("ticket_applications:company_applications", args=[company.pk])
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_reject(application=application, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s's application is rejected.") % {"name": application.full_name},
            )
            return redirect(back)
    return render(
        request,
        "tickets/applications/decide.html",
        {"company": company, "tab": "tickets", "application": application, "form": form, "back": back},
        status=400 if form.errors else 200,
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def application_link(request: CompanyRequest, company_pk: int):
    """The company's application link and QR code to print or share, and whether applicants on
    the employee list are approved automatically (changed by those with the right)."""
    company = get_company_for_user(request, company_pk)
    settings_row = selectors.application_settings_for(company=company)
    may_change = _may_decide(request)
    form = ApplicationSettingsForm(request.POST or None, initial={"auto_approve": settings_row.auto_approve})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            services.application_settings_update(company=company, auto_approve=form.cleaned_data["auto_approve"])
            messages.success(request, _("The setting is saved."))
            return redirect("ticket_applications:application_link", company_pk=company.pk)
    return render(
        request,
        "tickets/applications/application_link.html",
        {
            "company": company,
            "tab": "tickets",
            "url": _apply_url(request, settings_row.key),
            "form": form,
            "may_change": may_change,
            "closed": selectors.closed_reason(company=company),
            "waiting": selectors.waiting_count(company=company),
            "today": today(),
        },
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def application_link_renew(request: CompanyRequest, company_pk: int):
    company = get_company_for_user(request, company_pk, right=APPROVE_RIGHT)
    back = reverse("ticket_applications:application_link", args=[company.pk])
    if confirmed(request):
        services.application_link_renew(company=company)
        messages.success(request, _("The company has a new application link. The old link and QR code no longer work."))
        return redirect(back)
    return render(
        request,
        "tickets/applications/renew_confirm.html",
        {
            "company": company,
            "tab": "tickets",
            "consequences": [
                _("The link and QR code you have shared or printed stop working."),
                _("Applications already sent are kept."),
            ],
            "confirm_label": _("Make a new link"),
            "cancel_url": back,
        },
    )


@company_member_required
@require_GET
def application_qr(request: CompanyRequest, company_pk: int, fmt: str):
    """The application link as a QR code, SVG (for print) or PNG, to download."""
    company = get_company_for_user(request, company_pk)
    key = selectors.application_settings_for(company=company).key
    qr = segno.make(_apply_url(request, key), error="m")
    out = io.BytesIO()
    if fmt == "svg":
        qr.save(out, kind="svg", scale=10, border=4, title=_("Apply for a corporate ticket"))
        content_type = "image/svg+xml"
    else:
        qr.save(out, kind="png", scale=10, border=4)
        content_type = "image/png"
    response = HttpResponse(out.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="soknad-bedriftsbillett-{company.org_number}.{fmt}"'
    return response
