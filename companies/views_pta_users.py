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
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from companies import selectors, services
from core.forms import add_validation_error, confirmed
from tenants import selectors as tenant_selectors
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
            services.user_invite(
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
@require_http_methods(["GET", "POST"])
def membership_remove(request: AuthenticatedRequest, pk: int):
    """Confirm (GET, or a POST without the confirmation), then remove a user's access to this PTA."""
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, tenant=request.tenant)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove your own access."))
        return redirect("pta_users")
    person = membership.user.name_with_email()
    if not confirmed(request):
        names = {"person": person, "pta": request.tenant.name, "role": membership.get_role_display()}
        consequences = [
            _("%(person)s can no longer sign in to %(pta)s as %(role)s. This takes effect at once.") % names
        ]
        if membership.role == Role.CONTACT:
            consequences.append(_("Their links to the companies they are a contact person for go too."))
        return render(
            request,
            "companies/membership_confirm_remove.html",
            {
                "question": _("Remove the access of %(person)s?") % names,
                "consequences": consequences,
                "confirm_label": _("Remove access"),
                "cancel_url": reverse("pta_users"),
            },
        )
    services.membership_revoke(membership=membership)
    messages.success(request, _("Access removed for %(user)s.") % {"user": person})
    return redirect("pta_users")
