from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import selectors
from companies.models import CompanyStatus
from companies.permissions import get_company_for_user
from companies.services import contact_person_link_from_invitation, membership_revoke
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants import views as tenant_views
from tenants.forms import InvitationForm
from tenants.models import Membership, Role
from tenants.permissions import contact_required, pta_admin_required, staff_required


@staff_required
@require_GET
def staff_start(request):
    return render(request, "companies/staff_start.html", selectors.staff_start_figures(user=request.user))


@staff_required
@require_GET
def company_list(request):
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    page = Paginator(selectors.company_list(search=search, status=status), 50).get_page(request.GET.get("page"))
    # htmx search-as-you-type swaps only the results partial.
    template = "companies/company_list.html#results" if request.htmx else "companies/company_list.html"
    return render(
        request,
        template,
        {"page": page, "search": search, "status": status, "statuses": CompanyStatus.choices},
    )


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
            return render(request, "errors/404.html", status=404)
    return render(request, "companies/minside_home.html", {"companies": companies, "company": company})


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    return tenant_views.invitation_accept(request, token, on_accepted=contact_person_link_from_invitation)


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
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
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
        membership_revoke(membership=membership)
        messages.success(request, _("Access removed for %(user)s.") % {"user": membership.user.email})
    return redirect("pta_users")


@staff_required
@require_GET
def company_detail(request, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    return render(
        request,
        "companies/company_detail.html",
        {"company": company, "tab": "overview", **selectors.company_overview(company=company)},
    )


@staff_required
@require_GET
def company_contacts(request, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    return render(
        request,
        "companies/company_contacts.html",
        {"company": company, "tab": "contacts", "contacts": selectors.contact_person_list(company=company)},
    )


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
