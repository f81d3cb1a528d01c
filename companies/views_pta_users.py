"""The PTA admin's page for the PTA's users: roles, invitations, removing access.

It lives in companies, not tenants, because a PTA's users include its
contact persons: inviting one names their companies, and removing one
revokes their company links (companies.ContactPerson), which tenants,
a floor below, cannot know about.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from companies import selectors, services
from core.forms import add_validation_error
from tenants import selectors as tenant_selectors
from tenants import services as tenant_services
from tenants.forms import InvitationForm
from tenants.http import AuthenticatedRequest
from tenants.models import Membership, Role
from tenants.permissions import pta_admin_required


@pta_admin_required
@require_http_methods(["GET", "POST"])
def pta_users(request: AuthenticatedRequest):
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
def membership_remove(request: AuthenticatedRequest, pk: int):
    membership = get_object_or_404(Membership, pk=pk, tenant=request.tenant)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove your own access."))
    else:
        services.membership_revoke(membership=membership)
        messages.success(request, _("Access removed for %(user)s.") % {"user": membership.user.email})
    return redirect("pta_users")
