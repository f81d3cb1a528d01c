"""The PTA's catalogue pages: products and prices, ticket types and theirs
(lists for staff, changes for PTA admins), and a company's agreement products
with the employer's subsidy (staff), plus its card on the company overview."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.models import Agreement, Company, EmployerZone
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user, is_staff
from core.charts import bar_chart
from core.dates import OSLO, today
from core.forms import add_validation_error, confirmed
from core.paging import list_page
from tenants.http import AuthenticatedRequest
from tenants.models import Role
from tenants.permissions import pta_admin_required, staff_required
from tickets import payroll, rules, selectors, services
from tickets.forms import (
    AgreementProductForm,
    PriceForm,
    ProductForm,
    TicketForm,
    TicketPriceForm,
    TicketTypeForm,
)
from tickets.models import AgreementProduct, Product, Ticket, TicketState, TicketType
from tickets.views_terms import terms_elsewhere

# --- Products ------------------------------------------------------------------------------


@staff_required
@require_GET
def product_list(request: AuthenticatedRequest):
    day = today()
    return render(
        request,
        "tickets/product_list.html",
        {
            "products": selectors.product_list(day=day),
            "to_adopt": selectors.base_package_to_adopt(),
            "day": day,
            "may_edit": request.membership.role == Role.PTA_ADMIN,
        },
    )


@pta_admin_required
@require_http_methods(["GET", "POST"])
def product_create(request: AuthenticatedRequest):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(data=form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("“%(name)s” is added. Give it a price.") % {"name": product.name})
            return redirect("tickets:product_edit", pk=product.pk)
    return render(request, "tickets/product_form.html", {"form": form, "product": None})


@pta_admin_required
@require_POST
def base_package_adopt(request: AuthenticatedRequest):
    adopted = services.base_package_adopt()
    if adopted:
        messages.success(
            request,
            _("Adopted from the base package: %(names)s.") % {"names": ", ".join(p.name for p in adopted)},
        )
    else:
        messages.info(request, _("The PTA has every product of the base package already."))
    return redirect("tickets:product_list")


def _get_product(pk: int) -> Product:
    """A product of this PTA (the schema holds no other PTA's): 404 otherwise."""
    return get_object_or_404(Product.objects.select_related("national_product"), pk=pk)


@pta_admin_required
@require_http_methods(["GET", "POST"])
def product_edit(request: AuthenticatedRequest, pk: int):
    product = _get_product(pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        product.refresh_from_db()
        try:
            services.product_update(product=product, data=form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("tickets:product_edit", pk=product.pk)
    return render(
        request,
        "tickets/product_form.html",
        {"form": form, "product": product, "prices": product.prices.order_by("-valid_from"), "day": today()},
    )


@pta_admin_required
@require_http_methods(["GET", "POST"])
def price_add(request: AuthenticatedRequest, pk: int):
    product = _get_product(pk)
    form = PriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_add(product=product, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("The price of “%(name)s” is saved.") % {"name": product.name})
            return redirect("tickets:product_edit", pk=product.pk)
    return render(
        request,
        "tickets/price_form.html",
        {
            "form": form,
            "owner": product,
            "back": reverse("tickets:product_edit", args=[product.pk]),
            "periods": product.prices.order_by("-valid_from"),
        },
    )


# --- Ticket types --------------------------------------------------------------------------


@staff_required
@require_GET
def ticket_type_list(request: AuthenticatedRequest):
    day = today()
    return render(
        request,
        "tickets/ticket_type_list.html",
        {
            "ticket_types": selectors.ticket_type_list(day=day),
            "day": day,
            "may_edit": request.membership.role == Role.PTA_ADMIN,
        },
    )


def _get_ticket_type(pk: int) -> TicketType:
    return get_object_or_404(TicketType, pk=pk)


@pta_admin_required
@require_http_methods(["GET", "POST"])
def ticket_type_create(request: AuthenticatedRequest):
    return _ticket_type_form(request, None)


@pta_admin_required
@require_http_methods(["GET", "POST"])
def ticket_type_edit(request: AuthenticatedRequest, pk: int):
    return _ticket_type_form(request, _get_ticket_type(pk))


def _ticket_type_form(request: AuthenticatedRequest, ticket_type: TicketType | None):
    form = TicketTypeForm(request.POST or None, instance=ticket_type)
    if request.method == "POST" and form.is_valid():
        if ticket_type is not None:
            ticket_type.refresh_from_db()
        try:
            saved = services.ticket_type_save(data=form.cleaned_data, ticket_type=ticket_type)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("tickets:ticket_type_edit", pk=saved.pk)
    prices = ticket_type.prices.order_by("-valid_from") if ticket_type else []
    return render(
        request,
        "tickets/ticket_type_form.html",
        {"form": form, "ticket_type": ticket_type, "prices": prices, "day": today()},
    )


@pta_admin_required
@require_http_methods(["GET", "POST"])
def ticket_price_add(request: AuthenticatedRequest, pk: int):
    ticket_type = _get_ticket_type(pk)
    form = TicketPriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_price_add(ticket_type=ticket_type, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("The price of “%(name)s” is saved.") % {"name": ticket_type.name})
            return redirect("tickets:ticket_type_edit", pk=ticket_type.pk)
    return render(
        request,
        "tickets/price_form.html",
        {
            "form": form,
            "owner": ticket_type,
            "back": reverse("tickets:ticket_type_edit", args=[ticket_type.pk]),
            "periods": ticket_type.prices.order_by("-valid_from"),
            "ticket": True,
        },
    )


# --- A company's agreement products ------------------------------------------------------------


def _agreement_of(company: Company) -> Agreement | None:
    return Agreement.objects.filter(company=company).first()


def _zone_label(company: Company) -> str | None:
    """The zone's name, e.g. Zone I (set on the company, or its municipality's this year); None when unknown."""
    zone = selectors.company_zone(company=company, year=today().year)
    return EmployerZone(zone).label if zone else None


def _get_agreement_product_for_user(request: CompanyRequest, company_pk: int, pk: int):
    """The company (staff of this PTA; another PTA's company is 404) and its agreement's row `pk` (404)."""
    company = get_company_for_user(request, company_pk, staff_only=True)
    row = get_object_or_404(
        AgreementProduct.objects.select_related("product", "agreement"), pk=pk, agreement__company=company
    )
    return company, row


@staff_required
@require_http_methods(["GET", "POST"])
def agreement_products(request: CompanyRequest, company_pk: int):
    """The agreement's products with their subsidies, and a form to add one."""
    company = get_company_for_user(request, company_pk, staff_only=True)
    agreement = _agreement_of(company)
    form = AgreementProductForm(request.POST or None)
    if request.method == "POST" and agreement is not None and form.is_valid():
        try:
            row = services.agreement_product_save(agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("“%(name)s” is in the agreement.") % {"name": row.product.name})
            return redirect("tickets:agreement_products", company_pk=company.pk)
    return render(
        request,
        "tickets/agreement_products.html",
        {
            "company": company,
            "agreement": agreement,
            "rows": selectors.agreement_product_list(agreement=agreement) if agreement else [],
            "form": form,
            "terms_elsewhere": terms_elsewhere(request, company.org_number).exists(),
            "zone": _zone_label(company),
            "tab": "overview",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def agreement_product_edit(request: CompanyRequest, company_pk: int, pk: int):
    company, row = _get_agreement_product_for_user(request, company_pk, pk)
    initial = {"product": row.product, "subsidy_percent": row.subsidy_percent, "subsidy_amount": row.subsidy_amount}
    form = AgreementProductForm(request.POST or None, initial=initial, current=row.product)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_product_save(agreement=row.agreement, agreement_product=row, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("tickets:agreement_products", company_pk=company.pk)
    return render(
        request,
        "tickets/agreement_product_form.html",
        {"company": company, "row": row, "form": form, "tab": "overview"},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def agreement_product_remove(request: CompanyRequest, company_pk: int, pk: int):
    company, row = _get_agreement_product_for_user(request, company_pk, pk)
    back = reverse("tickets:agreement_products", args=[company.pk])
    if not confirmed(request):
        return render(
            request,
            "companies/company_confirm.html",
            {
                "company": company,
                "tab": "overview",
                "question": _("Take “%(name)s” out of the agreement?") % {"name": row.product.name},
                "consequences": [_("The product and its subsidy are no longer part of the company's agreement.")],
                "confirm_label": _("Take it out"),
                "cancel_url": back,
            },
        )
    services.agreement_product_remove(agreement_product=row)
    messages.success(request, _("“%(name)s” is no longer in the agreement.") % {"name": row.product.name})
    return redirect(back)


@staff_required
@require_GET
def agreement_products_card(request: CompanyRequest, company_pk: int):
    """The agreement's products and subsidies, and the company's zone, on the company overview."""
    company = get_company_for_user(request, company_pk, staff_only=True)
    agreement = _agreement_of(company)
    return render(
        request,
        "tickets/cards/agreement_products.html",
        {
            "company": company,
            "agreement": agreement,
            "rows": selectors.agreement_product_list(agreement=agreement) if agreement else [],
            "zone": _zone_label(company),
        },
    )


# --- Corporate tickets ---------------------------------------------------------------------------

TICKET_PAGE_SIZE = 100
TREND_MONTHS = 12


@company_member_required
@require_GET
def company_tickets(request: CompanyRequest, company_pk: int):
    """The company's corporate tickets, a page at a time (the company page's tab): staff, and the
    company's own contact persons (another company is 404)."""
    company = get_company_for_user(request, company_pk)
    page = list_page(request, selectors.company_ticket_list(company=company), param="page", per_page=TICKET_PAGE_SIZE)
    return render(
        request,
        "tickets/company_tickets.html",
        {
            "company": company,
            "tab": "tickets",
            "page": page,
            "counts": selectors.ticket_counts(company=company),
            "contact_person": getattr(request, "contact_person", None),
            "this_month": f"{today():%Y-%m}",
            "month_start": rules.first_of_month(today()),
            "may_change": _may_change_tickets(request),
            "is_staff": is_staff(request),
        },
    )


def _may_change_tickets(request: CompanyRequest) -> bool:
    """Staff, or a contact person (found by get_company_for_user) with the right can_approve_tickets."""
    contact = getattr(request, "contact_person", None)
    return is_staff(request) or (contact is not None and contact.can_approve_tickets)


def _get_company_for_ticket_changes(request: CompanyRequest, company_pk: int) -> Company:
    """The company, for one who may change its tickets: staff, or its contact persons with the right
    can_approve_tickets (403 without it); another company's contact person and another PTA are 404."""
    return get_company_for_user(request, company_pk, right="can_approve_tickets")


def _get_ticket_for_user(request: CompanyRequest, company_pk: int, pk: int) -> tuple[Company, Ticket]:
    """The company (as _get_company_for_ticket_changes) and its ticket `pk` (404 for another's)."""
    company = _get_company_for_ticket_changes(request, company_pk)
    ticket = get_object_or_404(Ticket.objects.select_related("employee", "ticket_type"), pk=pk, company=company)
    return company, ticket


#: The employees offered on the new-ticket page at most; a search by name or number finds the others.
TICKET_CANDIDATES_MAX = 200


def _employee_name(ticket: Ticket) -> str:
    return f"{ticket.employee.first_name} {ticket.employee.last_name}"


@company_member_required
@require_http_methods(["GET", "POST"])
def ticket_create(request: CompanyRequest, company_pk: int):
    """A new corporate ticket for one of the company's employees, from next month or later. The
    employees offered are those who may have one (selectors.ticket_candidates), at most
    TICKET_CANDIDATES_MAX of them; a search (?q=, a GET form: no JavaScript) narrows the list."""
    company = _get_company_for_ticket_changes(request, company_pk)
    search = request.GET.get("q", "").strip()[:100]
    found = list(selectors.ticket_candidates(company=company, search=search)[: TICKET_CANDIDATES_MAX + 1])
    candidates = found[:TICKET_CANDIDATES_MAX]
    first_month = rules.next_month(today())
    form = TicketForm(request.POST or None, company=company, candidates=candidates, first_month=first_month)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                employee=data["employee"],
                ticket_type=data["ticket_type"],
                starts=data["starts"],
                zones=data["zones"] or None,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has a corporate ticket, “%(type)s”, from %(month)s.")
                % {
                    "name": _employee_name(ticket),
                    "type": ticket.ticket_type.name,
                    "month": date_format(ticket.starts, "F Y"),
                },
            )
            return redirect("tickets:company_tickets", company_pk=company.pk)
    return render(
        request,
        "tickets/ticket_form.html",
        {
            "company": company,
            "tab": "tickets",
            "form": form,
            "search": search,
            "shown": len(candidates),
            "more": len(found) > TICKET_CANDIDATES_MAX,
        },
    )


def _ticket_change(request: CompanyRequest, company: Company, ticket: Ticket, *, confirm: dict, change, done: str):
    """The confirmation page of a change to a ticket (templates/_confirm.html); once confirmed, the
    change (a service call) and back to the tab, with `done` or the service's refusal as a message."""
    back = reverse("tickets:company_tickets", args=[company.pk])
    if not confirmed(request):
        return render(
            request,
            "companies/company_confirm.html",
            {"company": company, "tab": "tickets", "cancel_url": back, **confirm},
        )
    try:
        change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(back)


@company_member_required
@require_http_methods(["GET", "POST"])
def ticket_cancel(request: CompanyRequest, company_pk: int, pk: int):
    """Cancel a ticket that has not started (services.ticket_cancel), after a confirmation."""
    company, ticket = _get_ticket_for_user(request, company_pk, pk)
    names = {"name": _employee_name(ticket), "type": ticket.ticket_type.name}
    return _ticket_change(
        request,
        company,
        ticket,
        confirm={
            "question": _("Cancel the corporate ticket of %(name)s?") % names,
            "consequences": [
                _("The ticket “%(type)s” from %(month)s will not start.")
                % {**names, "month": date_format(ticket.starts, "F Y")}
            ],
            "confirm_label": _("Cancel the ticket"),
        },
        change=lambda: services.ticket_cancel(ticket=ticket),
        done=_("The corporate ticket of %(name)s is cancelled.") % names,
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def ticket_end(request: CompanyRequest, company_pk: int, pk: int):
    """End a running ticket after this month (services.ticket_end), after a confirmation."""
    company, ticket = _get_ticket_for_user(request, company_pk, pk)
    this_month = rules.first_of_month(today())
    last = max(min(ticket.ends or this_month, this_month), ticket.starts)
    names = {"name": _employee_name(ticket), "month": date_format(last, "F Y")}
    return _ticket_change(
        request,
        company,
        ticket,
        confirm={
            "question": _("End the corporate ticket of %(name)s after this month?") % names,
            "consequences": [
                _("The ticket's last month is %(month)s; it ends at the roll-over into the month after.") % names
            ],
            "confirm_label": _("End the ticket"),
        },
        change=lambda: services.ticket_end(ticket=ticket),
        done=_("The corporate ticket of %(name)s ends after %(month)s.") % names,
    )


@company_member_required
@require_GET
def payroll_report(request: CompanyRequest, company_pk: int):
    """The company's payroll and benefit-tax report for a month (?month=YYYY-MM, default this one) as a
    CSV or Excel file (?format=csv|xlsx): staff, and any of the company's own contact persons (no
    contact-person right is about payroll; they see the company's tickets already). Another
    company or PTA is 404. A bad month or a report that cannot be made goes back to the tab with why.
    A month that has begun is stored as reported the first time (tickets.payroll.payroll_report)."""
    company = get_company_for_user(request, company_pk)
    back = redirect("tickets:company_tickets", company_pk=company.pk)
    raw_month = request.GET.get("month") or f"{today():%Y-%m}"
    fmt = request.GET.get("format") or payroll.CSV
    try:
        month = payroll.parse_month(raw_month)
    except ValueError:
        message = _("“%(month)s” is not a month: choose one as YYYY-MM, e.g. 2026-09.")
        messages.error(request, message % {"month": raw_month})
        return back
    if fmt not in payroll.FORMATS:
        messages.error(request, _("Choose CSV or Excel."))
        return back
    try:
        report = payroll.payroll_report(company=company, month=month, user=request.user)
        content = payroll.report_file(report, fmt=fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    except rules.NoRulePeriod:
        messages.error(request, _("There are no payroll rules for %(month)s.") % {"month": f"{month:%m.%Y}"})
        return back
    response = HttpResponse(content, content_type=payroll.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{payroll.filename(company, month, fmt)}"'
    return response


@company_member_required
@require_GET
def company_tickets_card(request: CompanyRequest, company_pk: int):
    """The company's tickets by state, on Min side, with a link to the list."""
    company = get_company_for_user(request, company_pk)
    return render(
        request,
        "tickets/cards/company_tickets.html",
        {"company": company, "counts": selectors.ticket_counts(company=company)},
    )


@staff_required
@require_GET
def ticket_overview(request: AuthenticatedRequest):
    """The PTA's corporate tickets: how many in each state, and how many ran in
    each of the last twelve months, as a chart and a table. Two queries."""
    months = selectors.ticket_trend(until=today(), count=TREND_MONTHS)
    return render(
        request,
        "tickets/ticket_overview.html",
        {
            "counts": selectors.ticket_counts(),
            "states": TicketState.choices,
            "months": months,
            "first": months[0],
            "last": months[-1],
            "chart": bar_chart([(date_format(m.month, "M"), m.running) for m in months]),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def payroll_recalculate(request: CompanyRequest, company_pk: int):
    """Recalculate a month whose payroll report is stored as reported (?month=YYYY-MM): staff, after a
    confirmation; the stored figures are replaced by what the report says now
    (payroll.payroll_report_recalculate). A month not stored, or not begun, goes back to the tab."""
    company = get_company_for_user(request, company_pk, staff_only=True)
    back = reverse("tickets:company_tickets", args=[company.pk])
    raw_month = request.GET.get("month", "")
    try:
        month = payroll.parse_month(raw_month)
    except ValueError:
        message = _("“%(month)s” is not a month: choose one as YYYY-MM, e.g. 2026-09.")
        messages.error(request, message % {"month": raw_month})
        return redirect(back)
    shown = {"month": f"{month:%m.%Y}"}
    stored = selectors.payroll_report_stored(company=company, month=month)
    if stored is None or month > rules.first_of_month(today()):
        messages.info(
            request,
            _("The payroll report of %(month)s is not stored: it is stored when it is first downloaded.") % shown,
        )
        return redirect(back)
    if not confirmed(request):
        reported_on = timezone.localtime(stored.created_at, OSLO)
        return render(
            request,
            "companies/company_confirm.html",
            {
                "company": company,
                "tab": "tickets",
                "question": _("Recalculate the payroll report of %(month)s?") % shown,
                "consequences": [
                    _(
                        "The figures reported on %(day)s are replaced by what the report says now, with today's "
                        "prices, subsidy, zone and employee list."
                    )
                    % {"day": f"{reported_on:%d.%m.%Y}"},
                    _("Files downloaded before keep the old figures: correct the payroll system if they differ."),
                ],
                "confirm_label": _("Recalculate"),
                "cancel_url": back,
            },
        )
    try:
        payroll.payroll_report_recalculate(company=company, month=month, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except rules.NoRulePeriod:
        messages.error(request, _("There are no payroll rules for %(month)s.") % shown)
    else:
        messages.success(
            request, _("The payroll report of %(month)s is recalculated: the stored figures are replaced.") % shown
        )
    return redirect(back)
