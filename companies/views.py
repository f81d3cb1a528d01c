from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import importing, selectors, services
from companies.forms import (
    AgreementForm,
    CompanyFilterForm,
    CompanyForm,
    ContactInviteForm,
    DepartmentForm,
    FileForm,
    LocationForm,
    RightsForm,
    StatusForm,
)
from companies.models import Agreement, ContactPerson, Department, Location
from companies.permissions import get_company_for_user
from core.forms import add_validation_error
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants import views as tenant_views
from tenants.forms import InvitationForm
from tenants.models import Invitation, Membership, Role
from tenants.permissions import contact_required, pta_admin_required, staff_required

IMPORT_SESSION_KEY = "company_import"


@staff_required
@require_GET
def company_list(request):
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
def company_create(request):
    form = CompanyForm(request.POST or None, tenant=request.tenant)
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
@require_http_methods(["GET", "POST"])
def company_import(request):
    """Bulk onboarding: upload → preview → confirm. Nothing is written before confirming."""
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(IMPORT_SESSION_KEY)
        if not pending:
            messages.error(request, _("Upload the file again."))
            return redirect("companies:import")
        result = importing.company_import_apply(
            data=pending["data"].encode("latin-1"), filename=pending["filename"], user_id=request.user.pk
        )
        del request.session[IMPORT_SESSION_KEY]
        if result.errors:
            return render(request, "companies/company_import.html", {"form": FileForm(), "result": result})
        messages.success(request, _("Import done: %(summary)s") % {"summary": result.summary()})
        return redirect("companies:list")
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = importing.company_import_preview(data=data, filename=upload.name)
        if not result.errors:
            # Bytes kept as latin-1 text in the session until the adviser confirms.
            request.session[IMPORT_SESSION_KEY] = {"data": data.decode("latin-1"), "filename": upload.name}
    return render(request, "companies/company_import.html", {"form": form, "result": result})


@staff_required
@require_GET
def company_detail(request, pk: int):
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
def company_edit(request, pk: int):
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
def company_status(request, pk: int):
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
def agreement_edit(request, pk: int):
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


def _add_from_overview(request, form, add) -> None:
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
def location_add(request, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    _add_from_overview(
        request, LocationForm(request.POST), lambda data: services.location_add(company=company, data=data)
    )
    return redirect("companies:detail", pk=company.pk)


@staff_required
@require_POST
def department_add(request, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    _add_from_overview(
        request, DepartmentForm(request.POST), lambda data: services.department_add(company=company, name=data["name"])
    )
    return redirect("companies:detail", pk=company.pk)


@staff_required
@require_POST
def location_remove(request, pk: int, location_pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    get_object_or_404(Location, pk=location_pk, company=company).delete()
    return redirect("companies:detail", pk=company.pk)


@staff_required
@require_POST
def department_remove(request, pk: int, department_pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    get_object_or_404(Department, pk=department_pk, company=company).delete()
    return redirect("companies:detail", pk=company.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def company_contacts(request, pk: int):
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


def _get_contact(request, pk: int, contact_pk: int) -> ContactPerson:
    company = get_company_for_user(request, pk, staff_only=True)
    return get_object_or_404(ContactPerson, pk=contact_pk, company=company)


@staff_required
@require_POST
def contact_rights(request, pk: int, contact_pk: int):
    contact = _get_contact(request, pk, contact_pk)
    form = RightsForm(request.POST)
    form.is_valid()
    services.contact_person_set_rights(contact=contact, rights=form.cleaned_data)
    messages.success(request, _("Rights saved."))
    return redirect("companies:contacts", pk=pk)


@staff_required
@require_POST
def contact_remove(request, pk: int, contact_pk: int):
    contact = _get_contact(request, pk, contact_pk)
    services.contact_person_remove(contact=contact, tenant=request.tenant)
    messages.success(request, _("Access removed."))
    return redirect("companies:contacts", pk=pk)


@staff_required
@require_GET
def company_history(request, pk: int):
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
def minside_home(request):
    companies = list(selectors.companies_for_contact(user=request.user))
    if not companies:
        return render(request, "companies/minside_home.html", {"companies": [], "company": None})
    wanted = request.GET.get("company")
    company = companies[0]
    if wanted:
        # Only the contact person's own companies can be chosen; anything else is 404.
        company = next((c for c in companies if str(c.pk) == wanted), None)
        if company is None:
            return render(request, "404.html", status=404)
    contact = ContactPerson.objects.get(user=request.user, company=company)
    return render(
        request,
        "companies/minside_home.html",
        {
            "companies": companies,
            "company": company,
            "contact_person": contact,
            "tab": "overview",
            "unread_threads": selectors.unread_thread_count(user=request.user, company_ids=[company.pk]),
            **selectors.minside_overview(company=company, user=request.user),
        },
    )


# --- Users of the PTA, invitations ------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    return tenant_views.invitation_accept(request, token, on_accepted=services.contact_person_link_from_invitation)


@pta_admin_required
@require_http_methods(["GET", "POST"])
def pta_users(request):
    """Users and roles of this PTA, and inviting new ones."""
    form = InvitationForm(
        request.POST or None,
        roles=[Role.PTA_ADMIN, Role.ADVISER, Role.CONTACT],
        companies=selectors.company_choices(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            tenant_services.invitation_create(
                tenant=request.tenant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                company_ids=form.cleaned_data.get("companies", []),
                invited_by=request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("pta_users")
    return render(
        request,
        "companies/pta_users.html",
        {
            "form": form,
            "memberships": tenant_selectors.membership_list(tenant=request.tenant),
            "invitations": tenant_selectors.invitation_pending_list(tenant=request.tenant),
        },
    )


@pta_admin_required
@require_POST
def membership_remove(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, tenant=request.tenant)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove your own access."))
    else:
        services.membership_revoke(membership=membership)
        messages.success(request, _("Access removed for %(user)s.") % {"user": membership.user.email})
    return redirect("pta_users")
