from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import selectors, selectors_start, services
from companies.forms import (
    AgreementForm,
    CompanyFilterForm,
    CompanyForm,
    ContactInviteForm,
    DepartmentForm,
    LocationForm,
    RightsForm,
    StatusForm,
)
from companies.models import Agreement, Company, ContactPerson, Department, Location
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user
from core.dates import today
from core.forms import add_validation_error, confirmed
from tenants.handover import contact_regions
from tenants.http import AuthenticatedRequest
from tenants.models import Invitation
from tenants.permissions import contact_required, staff_required


@staff_required
@require_GET
def company_list(request: AuthenticatedRequest):
    form = CompanyFilterForm(request.GET or None, tenant=request.tenant)
    filters = form.cleaned_data if form.is_valid() else {}
    companies = selectors.company_list(
        search=filters.get("q", ""),
        status=filters.get("status", ""),
        adviser_id=filters.get("adviser"),
        municipality=filters.get("municipality", ""),
        size=filters.get("size", ""),
        sort=filters.get("sort") or "name",
    )
    page = Paginator(companies, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    # htmx search-as-you-type swaps only the results partial.
    template = "companies/company_list.html#results" if request.htmx else "companies/company_list.html"
    return render(
        request,
        template,
        {"page": page, "form": form, "sort": filters.get("sort") or "name", "query": query.urlencode()},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def company_create(request: AuthenticatedRequest):
    form = CompanyForm(request.POST or None, tenant=request.tenant, creator_id=request.user.pk)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["adviser_id"] = data.pop("adviser")
        try:
            company = services.company_create(data=data, user=request.user)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": company.name})
            return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/company_form.html", {"form": form})


@staff_required
@require_GET
def company_detail(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    return render(
        request,
        "companies/company_detail.html",
        {
            "company": company,
            "tab": "overview",
            "status_form": StatusForm(initial={"status": company.status}),
            "location_form": LocationForm(),
            "department_form": DepartmentForm(),
            **selectors.company_overview(company=company),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def company_edit(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    form = CompanyForm(request.POST or None, instance=company, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name != "adviser"}
        data["adviser_id"] = form.cleaned_data["adviser"]
        company.refresh_from_db()
        try:
            services.company_update(company=company, data=data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/company_form.html", {"form": form, "company": company})


@staff_required
@require_POST
def company_status(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.company_set_status(
            company=company,
            status=form.cleaned_data["status"],
            changed_on=form.cleaned_data["changed_on"],
            user=request.user,
        )
        messages.success(request, _("Status changed to %(status)s.") % {"status": company.get_status_display()})
    else:
        messages.error(request, _("Choose a valid status and date."))
    return redirect("companies:detail", pk=company.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    instance = Agreement.objects.filter(company=company).first()
    form = AgreementForm(request.POST or None, instance=instance, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_save(company=company, data=form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("The agreement is saved."))
            return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/agreement_form.html", {"form": form, "company": company, "tab": "overview"})


def _add_from_overview(request: AuthenticatedRequest, form, add) -> None:
    """Small forms on the overview tab: on error, say why in a message (the page redirects back)."""
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return
    try:
        add(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))


@staff_required
@require_POST
def location_add(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    _add_from_overview(
        request, LocationForm(request.POST), lambda data: services.location_add(company=company, data=data)
    )
    return redirect("companies:detail", pk=company.pk)


@staff_required
@require_POST
def department_add(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    _add_from_overview(
        request, DepartmentForm(request.POST), lambda data: services.department_add(company=company, name=data["name"])
    )
    return redirect("companies:detail", pk=company.pk)


def _confirm_page(
    request: CompanyRequest,
    company: Company,
    *,
    tab: str,
    question: str,
    consequences: list[str],
    confirm_label: str,
    cancel: str,
):
    """The confirmation page of a destructive action on a company (GET, or a POST without the
    confirmation: core.forms.confirmed); nothing has been changed when it is shown."""
    return render(
        request,
        "companies/company_confirm.html",
        {
            "company": company,
            "tab": tab,
            "question": question,
            "consequences": consequences,
            "confirm_label": confirm_label,
            "cancel_url": cancel,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def location_remove(request: CompanyRequest, pk: int, location_pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    location = get_object_or_404(Location, pk=location_pk, company=company)
    if not confirmed(request):
        return _confirm_page(
            request,
            company,
            tab="overview",
            question=_("Remove the location “%(name)s”?") % {"name": location.name},
            consequences=[_("Employees registered at this location stay on the list, with no location.")],
            confirm_label=_("Remove the location"),
            cancel=reverse("companies:detail", args=[company.pk]),
        )
    services.location_remove(location=location)
    messages.success(request, _("The location “%(name)s” is removed.") % {"name": location.name})
    return redirect("companies:detail", pk=company.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def department_remove(request: CompanyRequest, pk: int, department_pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    department = get_object_or_404(Department, pk=department_pk, company=company)
    if not confirmed(request):
        return _confirm_page(
            request,
            company,
            tab="overview",
            question=_("Remove the department “%(name)s”?") % {"name": department.name},
            consequences=[_("Employees registered in this department stay on the list, with no department.")],
            confirm_label=_("Remove the department"),
            cancel=reverse("companies:detail", args=[company.pk]),
        )
    services.department_remove(department=department)
    messages.success(request, _("The department “%(name)s” is removed.") % {"name": department.name})
    return redirect("companies:detail", pk=company.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def company_contacts(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    form = ContactInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            outcome = services.contact_person_add(
                tenant=request.tenant,
                company=company,
                email=data.pop("email"),
                rights=data,
                invited_by=request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            if isinstance(outcome, Invitation):
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": outcome.email})
            else:
                messages.success(request, _("The contact person now has access to this company."))
            return redirect("companies:contacts", pk=company.pk)
    return render(
        request,
        "companies/company_contacts.html",
        {
            "company": company,
            "tab": "contacts",
            "form": form,
            "contacts": selectors.contact_person_list(company=company),
            "invitations": selectors.contact_invitations_pending(tenant=request.tenant, company=company),
        },
    )


def _get_contact(request: CompanyRequest, pk: int, contact_pk: int) -> ContactPerson:
    company = get_company_for_user(request, pk, staff_only=True)
    contact = get_object_or_404(ContactPerson, pk=contact_pk, company=company)
    contact.company = company  # already read; spares the confirmation page a query
    return contact


@staff_required
@require_POST
def contact_rights(request: CompanyRequest, pk: int, contact_pk: int):
    contact = _get_contact(request, pk, contact_pk)
    form = RightsForm(request.POST)
    form.is_valid()
    services.contact_person_set_rights(contact=contact, rights=form.cleaned_data)
    messages.success(request, _("Rights saved."))
    return redirect("companies:contacts", pk=pk)


@staff_required
@require_http_methods(["GET", "POST"])
def contact_remove(request: CompanyRequest, pk: int, contact_pk: int):
    contact = _get_contact(request, pk, contact_pk)
    person = str(contact.user)  # the name, or the address of someone who has not given one
    if not confirmed(request):
        names = {"person": person, "company": contact.company.name, "pta": request.tenant.name}
        other_companies = ContactPerson.objects.filter(user_id=contact.user_id).exclude(pk=contact.pk).exists()
        return _confirm_page(
            request,
            contact.company,
            tab="contacts",
            question=_("Remove %(person)s’s access to %(company)s?") % names,
            consequences=[
                _("They can no longer see the company’s pages, employee list or messages. This takes effect at once."),
                _("Their access to their other companies stays.")
                if other_companies
                else _("This is their only company in %(pta)s, so their access to %(pta)s goes too.") % names,
            ],
            confirm_label=_("Remove access"),
            cancel=reverse("companies:contacts", args=[pk]),
        )
    services.contact_person_remove(contact=contact, tenant=request.tenant)
    messages.success(request, _("%(person)s no longer has access to this company.") % {"person": person})
    return redirect("companies:contacts", pk=pk)


@staff_required
@require_GET
def company_history(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    page = Paginator(selectors.company_history(company=company), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "companies/company_history.html",
        {"company": company, "tab": "history", "page": page, "rows": selectors.history_rows(page.object_list)},
    )


# --- Min side ---------------------------------------------------------------


@contact_required
@require_GET
def minside_home(request: CompanyRequest):
    """A contact person's start page for one of their companies; the cards
    come from the apps through config.composition.MINSIDE_CARDS."""
    companies = list(selectors.companies_for_contact(user=request.user))
    if not companies:
        return render(request, "companies/minside_home.html", {"companies": [], "company": None})
    wanted = request.GET.get("company")
    company = companies[0]
    if wanted:
        # Only the contact person's own companies can be chosen; anything else is 404.
        company = next((c for c in companies if str(c.pk) == wanted), None)
        if company is None:
            raise Http404
    request.contact_person = ContactPerson.objects.select_related("company").get(user=request.user, company=company)
    return render(
        request,
        "companies/minside_home.html",
        {
            "companies": companies,
            "company": company,
            "contact_person": request.contact_person,
            "tab": "overview",
            "agreement": selectors.company_agreement(company=company),
            "today": today(),
            "regions": contact_regions(user=request.user, current=request.tenant),
        },
    )


# --- Cards on the composed pages (config.composition) ------------------------


@company_member_required
@require_GET
def messages_card(request: CompanyRequest, pk: int):
    """Documents and messages, with the unread count, for Min side."""
    company = get_company_for_user(request, pk)
    unread = selectors.unread_thread_count(user=request.user, company_ids=[company.pk])
    return render(request, "companies/cards/messages.html", {"company": company, "unread_threads": unread})


@staff_required
@require_GET
def today_figures_card(request: AuthenticatedRequest):
    return render(request, "companies/cards/today_figures.html", {"status_counts": selectors.company_status_counts()})


@company_member_required
@require_GET
def adviser_card(request: CompanyRequest, pk: int):
    """The company's responsible adviser (name, e-mail, phone) for Min side, or
    the PTA's contact e-mail when the company has none."""
    company = get_company_for_user(request, pk)
    adviser = selectors_start.company_adviser(company=company)
    return render(request, "companies/cards/adviser.html", {"company": company, "adviser": adviser})


#: The adviser's own companies shown on "I dag"; the rest are a link to the list filtered to them.
MY_COMPANIES_SHOWN = 10


@staff_required
@require_GET
def today_my_companies_card(request: AuthenticatedRequest):
    """The companies the user is responsible adviser for, with their key figures."""
    my_companies = selectors_start.companies_of_adviser(user=request.user, limit=MY_COMPANIES_SHOWN)
    total = my_companies[0].total if my_companies else 0
    return render(
        request,
        "companies/cards/today_my_companies.html",
        {"my_companies": my_companies, "total": total, "more_companies": total > len(my_companies)},
    )
