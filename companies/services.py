from __future__ import annotations

from django.db import transaction

from companies.models import Company, ContactPerson
from tenants.models import Invitation, Membership, Role, User


def contact_person_link_from_invitation(user: User, invitation: Invitation) -> None:
    """Limit a new contact person to the companies named in their invitation.

    Runs inside tenants.services.invitation_accept's transaction, on the
    tenant's own host.
    """
    if invitation.role != Role.CONTACT:
        return
    for company in Company.objects.filter(pk__in=invitation.company_ids):
        ContactPerson.objects.get_or_create(user=user, company=company)


def membership_revoke(*, membership: Membership) -> None:
    """Remove a user's access to this PTA at once, with their company links."""
    with transaction.atomic():
        ContactPerson.objects.filter(user_id=membership.user_id).delete()
        membership.delete()
