"""The one rule for reaching a company: staff of this PTA reach every company
of the PTA; a contact person reaches only the companies they are named for
(anything else is 404, so existence is not revealed), and only with the
right the view asks for (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from companies.models import Company, ContactPerson
from tenants.http import AuthenticatedRequest
from tenants.models import Role
from tenants.permissions import STAFF, role_required

company_member_required = role_required(Role.PTA_ADMIN, Role.ADVISER, Role.CONTACT)

RIGHTS = ("can_edit_employees", "can_approve_tickets", "can_see_invoices")


class CompanyRequest(AuthenticatedRequest):
    """A request for a company page: get_company_for_user sets `contact_person`
    for contact persons (None for staff)."""

    contact_person: ContactPerson | None


def is_staff(request: AuthenticatedRequest) -> bool:
    return request.membership is not None and request.membership.role in STAFF


def get_company_for_user(
    request: CompanyRequest, pk: int, *, right: str | None = None, staff_only: bool = False
) -> Company:
    """Return the company if the signed-in user may see it (and holds `right`, for contact persons)."""
    if is_staff(request):
        try:
            return Company.objects.get(pk=pk)
        except Company.DoesNotExist:
            raise Http404 from None
    if staff_only or request.membership is None or request.membership.role != Role.CONTACT:
        raise PermissionDenied
    contact = getattr(request, "contact_person", None)
    if contact is None or contact.company_id != pk:  # a card on a page that found it already reuses it
        contact = ContactPerson.objects.select_related("company").filter(user=request.user, company_id=pk).first()
    if contact is None:
        raise Http404
    if right is not None:
        assert right in RIGHTS, right
        if not getattr(contact, right):
            raise PermissionDenied
    request.contact_person = contact
    return contact.company
