"""The e-mails of corporate-ticket applications, run by tickets.tasks: the
one-time link to the applicant, and each step's mail to the applicant and to
the company's contact persons who may approve. Links are built from the
PTA's own domain (tenants.emails.tenant_url).

Each mail of a step goes to an address at most once (ApplicationMail, claimed
in the transaction that sends it, as companies.notifications does for
users), so a retried task sends only what is missing. A permanent refusal
(5xx) is recorded and not tried again; a temporary one (4xx) is raised once
the others are sent, so that the task retries.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.emails import refusal_reply, send_templated_mail, stable_message_id, tenant_url
from tenants.models import User
from tickets import selectors_applications
from tickets.models import Application, ApplicationMail, ApplicationState, ApplicationStep, EmailVerification

logger = logging.getLogger(__name__)


def _url(name: str, *args) -> str:
    return tenant_url(connection.tenant, reverse(name, args=args, urlconf=settings.ROOT_URLCONF))


def application_link_send(*, verification_id: int) -> int:
    """Mail the one-time link of a verification row, once (EmailVerification.mailed_at). Returns 1 if sent."""
    with transaction.atomic():
        verification = (
            EmailVerification.objects.select_for_update()
            .select_related("company")
            .filter(pk=verification_id, mailed_at__isnull=True)
            .first()
        )
        if verification is None:
            return 0
        key = selectors_applications.application_settings_for(company=verification.company).key
        context = {
            "tenant": connection.tenant,
            "company": verification.company,
            "url": _url("ticket_applications:apply", key, verification.token()),
            "hours": settings.TICKET_APPLICATION_LINK_HOURS,
        }
        try:
            send_templated_mail(
                template="ticket_application_link",
                to=[verification.email],
                context=context,
                message_id=stable_message_id("ticket-application-link", verification.pk),
            )
        except smtplib.SMTPRecipientsRefused as refusal:
            if refusal_reply(refusal)[1]:
                logger.warning("application link %s: the mail server refused the address for good", verification.pk)
            else:
                raise
        EmailVerification.objects.filter(pk=verification.pk).update(mailed_at=timezone.now())
    return 1


def _send_once(*, application: Application, step: str, addresses: Iterable[str], send: Callable[[str, str], None]):
    sent = 0
    deferred: dict[str, tuple[int, bytes]] = {}
    for address in addresses:
        try:
            with transaction.atomic():
                _row, created = ApplicationMail.objects.get_or_create(
                    application=application, step=step, address=address
                )
                if not created:
                    continue
                send(address, stable_message_id("ticket-application", application.pk, step, address))
        except smtplib.SMTPRecipientsRefused as refusal:
            reply, for_good = refusal_reply(refusal)
            if for_good:
                logger.warning("application %s %s: the mail server refused an address for good", application.pk, step)
                ApplicationMail.objects.get_or_create(
                    application=application, step=step, address=address, defaults={"refused": reply}
                )
            else:
                deferred.update(refusal.recipients)
            continue
        sent += 1
    if deferred:
        raise smtplib.SMTPRecipientsRefused(deferred)
    return sent


def application_mails_send(*, application_id: int, step: str) -> int:
    """The e-mails of one step of an application, each once. Returns how many were sent.

    - submitted: the applicant hears it is received, and the contact persons who may
      approve that it waits for them (nothing when it was approved at once: the
      approved step says so);
    - approved: the applicant hears when the ticket starts; the contact persons that it
      was approved (automatically, or by whom), except the one who approved it;
    - rejected: the applicant reads the reason; the contact persons hear it was rejected,
      except the one who rejected it."""
    application = (
        Application.objects.select_related("company", "ticket_type", "ticket").filter(pk=application_id).first()
    )
    if application is None:
        return 0
    if step == ApplicationStep.SUBMITTED and application.approved_automatically:
        return 0
    company = application.company
    decider = User.objects.filter(pk=application.decided_by_id).first() if application.decided_by_id else None
    context = {
        "tenant": connection.tenant,
        "company": company,
        "application": application,
        "applications_url": _url("ticket_applications:company_applications", company.pk),
        "decided_by": _decider_name(application, decider),
    }
    contacts = [user.email for user in selectors_applications.approvers(company=company) if user != decider]
    applicant_template = {
        ApplicationStep.SUBMITTED: "ticket_application_received",
        ApplicationStep.APPROVED: "ticket_application_approved",
        ApplicationStep.REJECTED: "ticket_application_rejected",
    }[step]
    contact_template = (
        "ticket_application_to_approve" if step == ApplicationStep.SUBMITTED else "ticket_application_decided"
    )
    if step == ApplicationStep.SUBMITTED and application.state != ApplicationState.WAITING:
        contacts = []  # decided before the mail went: the decision's own mail tells them

    def send(address: str, message_id: str) -> None:
        template = applicant_template if address == application.email else contact_template
        send_templated_mail(template=template, to=[address], context=context, message_id=message_id)

    # The applicant first; a contact person who applied themself gets the applicant's mail.
    addresses = [application.email, *[address for address in contacts if address.lower() != application.email.lower()]]
    return _send_once(application=application, step=step, addresses=addresses, send=send)


def _decider_name(application: Application, decider: User | None) -> str:
    if application.approved_automatically:
        return _("automatically, as the applicant is on the employee list")
    if decider is None:
        return ""
    return decider.get_full_name() or decider.email
