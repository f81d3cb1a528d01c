"""Writes of corporate-ticket applications, the employee's way to a ticket
without an account:

1. On the company's application link, the employee gives a work e-mail
   (verification_request). A one-time link goes there by mail.
2. The link opens the application form (verification_check). The employee
   gives name, mobile number, ticket type, zones and first month, sees the
   price and their own monthly share, and accepts the terms
   (application_submit). The link is used up.
3. An applicant found on the employee list (work e-mail, or employee number
   and name) is approved at once where the company says so
   (ApplicationSettings.auto_approve); the others wait on Min side for a
   contact person with the right to approve or reject them
   (application_approve, application_reject, applications_approve).

Approving makes the ticket (tickets.services.ticket_create), adding the
applicant to the employee list first if they are not on it. Every step
e-mails the applicant and the contact persons, through the outbox, in the
transaction of the step (tickets.notifications sends them).

The link's token is never stored (EmailVerification.token).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from core import outbox
from core.dates import today as oslo_today
from core.validators import normalise_phone
from employees.models import Employee
from tenants.models import User
from tickets import rules, selectors_applications, services, tasks
from tickets.models import (
    Application,
    ApplicationSettings,
    ApplicationState,
    ApplicationStep,
    EmailVerification,
    TicketType,
    new_application_key,
)

#: At most this many links to one address of one company an hour (a typo'd retry, not a flood).
LINKS_PER_HOUR = 3


# --- The e-mail link -------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("“%(value)s” is not a valid e-mail address.") % {"value": email}}) from None
    return email


def verification_request(*, company: Company, email: str) -> EmailVerification | None:
    """Send a one-time link to `email` for an application to `company`. Returns the new
    verification row, or None when enough links went to that address in the last hour
    (the page says the same either way). ValidationError for an invalid address or a
    company that takes no applications."""
    email = _clean_email(email)
    reason = selectors_applications.closed_reason(company=company)
    if reason:
        raise ValidationError(reason)
    now = timezone.now()
    with transaction.atomic():
        recent = EmailVerification.objects.filter(
            company=company, email__iexact=email, created_at__gte=now - timedelta(hours=1)
        ).count()
        if recent >= LINKS_PER_HOUR:
            return None
        verification = EmailVerification.objects.create(
            company=company,
            email=email,
            token_hash="pending:" + secrets.token_hex(16),  # the token needs the row's id: set just below
            expires_at=now + timedelta(hours=settings.TICKET_APPLICATION_LINK_HOURS),
        )
        verification.token_hash = _token_hash(verification.token())
        verification.save(update_fields=["token_hash"])
        outbox.enqueue(task=tasks.send_application_link, args=[verification.pk], key=f"verification:{verification.pk}")
    return verification


class LinkError(ValidationError):
    """The e-mail link cannot be used: unknown, expired or used already (the message says which)."""


def verification_check(*, company: Company, token: str) -> EmailVerification:
    """The verification row of a link that may still be used, or LinkError saying why not."""
    verification = EmailVerification.objects.filter(company=company, token_hash=_token_hash(token or "")).first()
    if verification is None:
        raise LinkError(_("The link is not valid. Ask for a new one below."))
    if verification.used_at is not None:
        raise LinkError(_("The link has been used already: an application was sent with it. Ask for a new one below."))
    if verification.expires_at <= timezone.now():
        raise LinkError(_("The link has expired. Ask for a new one below."))
    return verification


# --- Applying ----------------------------------------------------------------------------------


def _refuse_duplicate(*, company: Company, email: str, employee: Employee | None) -> None:
    if selectors_applications.waiting_application(company=company, email=email) is not None:
        raise ValidationError(
            _(
                "An application from %(email)s is already waiting for approval. "
                "You will get an e-mail when it is decided."
            )
            % {"email": email}
        )
    if employee is not None and employee.tickets.live().exists():
        raise ValidationError(_("You have a corporate ticket already. Ask your employer if it should be changed."))


def application_submit(*, verification: EmailVerification, data: dict, today: date | None = None) -> Application:
    """Send an application with the verified e-mail. `data`: first_name, last_name,
    employee_number (may be empty), mobile, ticket_type (a TicketType), zones, starts
    (the 1st of a month offered) and accept_terms (True).

    Refused, naming the field: a link already used or expired, a company that takes no
    applications, a duplicate (an application waiting or a live ticket), an invalid
    mobile number, a ticket type not offered or without a price that month, a month not
    offered, terms not accepted. Nothing is stored then. Otherwise the application is
    stored with the prices shown, the link is used up, and it is approved at once if the
    applicant is on the employee list and the company approves those automatically."""
    company = verification.company
    today = today or oslo_today()
    reason = selectors_applications.closed_reason(company=company, day=today)
    if reason:
        raise ValidationError(reason)
    errors: dict[str, str] = {}
    first_name, last_name = (data.get(key, "").strip() for key in ("first_name", "last_name"))
    for key, value in (("first_name", first_name), ("last_name", last_name)):
        if not value:
            errors[key] = _("Fill in your name.")
    try:
        mobile = normalise_phone(data.get("mobile", ""))
    except ValidationError as exc:
        errors["mobile"] = exc.messages[0]
    else:
        if not mobile:
            errors["mobile"] = _("Give your mobile number: the ticket comes to it.")
    starts = data.get("starts")
    if starts not in selectors_applications.start_months(day=today):
        errors["starts"] = _("Choose a month from next month on.")
    ticket_type: TicketType | None = data.get("ticket_type")
    offer = None
    if ticket_type is None or not ticket_type.is_active:
        errors["ticket_type"] = _("Choose one of the tickets offered.")
    elif "starts" not in errors:
        offer = next(
            (o for o in selectors_applications.offers(company=company, month=starts) if o.ticket_type == ticket_type),
            None,
        )
        if offer is None:
            errors["ticket_type"] = _("%(ticket)s has no price for %(month)s: choose another ticket or month.") % {
                "ticket": ticket_type.name,
                "month": f"{starts:%m.%Y}",
            }
    if not data.get("accept_terms"):
        errors["accept_terms"] = _("Accept the terms to apply.")
    if errors:
        raise ValidationError(errors)
    zones = (data.get("zones") or "").strip() or ticket_type.zones
    if not zones:
        raise ValidationError({"zones": _("Give the zones you travel in.")})
    employee_number = data.get("employee_number", "").strip()
    employee = selectors_applications.matching_employee(
        company=company,
        email=verification.email,
        employee_number=employee_number,
        first_name=first_name,
        last_name=last_name,
    )
    with transaction.atomic():
        # The link is used once: the conditional UPDATE lets one of two submits at once through.
        claimed = EmailVerification.objects.filter(
            pk=verification.pk, used_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
        if not claimed:
            raise LinkError(_("The link has been used already: an application was sent with it. Ask for a new one."))
        _refuse_duplicate(company=company, email=verification.email, employee=employee)
        application = Application(
            company=company,
            email=verification.email,
            first_name=first_name,
            last_name=last_name,
            employee_number=employee_number,
            mobile=mobile,
            ticket_type=ticket_type,
            zones=zones,
            starts=starts,
            ordinary_price=rules.round_ore(offer.ordinary),
            company_price=rules.round_ore(offer.company_price),
            employee_share=rules.round_ore(offer.employee_share),
            terms_accepted_at=timezone.now(),
            employee=employee,
        )
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:  # the same address applied in between
            raise ValidationError(
                _("An application from %(email)s is already waiting for approval.") % {"email": verification.email}
            ) from None
        _notify(application, ApplicationStep.SUBMITTED)
        auto = ApplicationSettings.objects.filter(company=company, auto_approve=True).exists()
        if employee is not None and auto:
            _approve(application=application, user=None, today=today)
    return application


# --- Deciding ---------------------------------------------------------------------------------


def _notify(application: Application, step: str) -> None:
    outbox.enqueue(
        task=tasks.send_application_mails,
        args=[application.pk, step],
        key=f"application:{application.pk}:{step}",
    )


def _employee_for(application: Application) -> Employee:
    """The applicant on the employee list: the one matched, matched now, or added from the application."""
    if application.employee_id:
        return application.employee
    employee = selectors_applications.matching_employee(
        company=application.company,
        email=application.email,
        employee_number=application.employee_number,
        first_name=application.first_name,
        last_name=application.last_name,
    )
    if employee is not None:
        return employee
    employee = Employee(
        company=application.company,
        first_name=application.first_name,
        last_name=application.last_name,
        email=application.email,
        mobile=application.mobile,
        employee_number=application.employee_number,
    )
    try:
        employee.full_clean()
    except ValidationError as exc:
        raise ValidationError(
            _("%(name)s cannot be added to the employee list: %(why)s")
            % {"name": application.full_name, "why": " ".join(exc.messages)}
        ) from None
    employee.save()
    return employee


def _approve(*, application: Application, user: User | None, today: date) -> Application:
    """Make the ticket and mark the application approved (inside the caller's transaction)."""
    employee = _employee_for(application)
    starts = max(application.starts, rules.next_month(today))
    ticket = services.ticket_create(
        employee=employee, ticket_type=application.ticket_type, starts=starts, zones=application.zones, today=today
    )
    ticket.mobile = application.mobile
    ticket.save(update_fields=["mobile"])
    if not employee.mobile:
        employee.mobile = application.mobile
        employee.save(update_fields=["mobile", "updated_at"])
    application.employee = employee
    application.ticket = ticket
    application.state = ApplicationState.APPROVED
    application.approved_automatically = user is None
    application.decided_by = user
    application.decided_at = timezone.now()
    application.save(
        update_fields=["employee", "ticket", "state", "approved_automatically", "decided_by", "decided_at"]
    )
    _notify(application, ApplicationStep.APPROVED)
    return application


def _locked_waiting(application: Application) -> Application:
    locked = Application.objects.select_for_update(of=("self",)).select_related("company", "ticket_type", "employee")
    locked = locked.filter(pk=application.pk).first()
    if locked is None or locked.state != ApplicationState.WAITING:
        raise ValidationError(
            _("The application from %(name)s has been decided already.") % {"name": application.full_name}
        )
    return locked


def application_approve(*, application: Application, user: User, today: date | None = None) -> Application:
    """Approve a waiting application: the applicant gets a ticket from the month applied for
    (next month, if that has passed), and is added to the employee list if not on it.
    ValidationError, naming the applicant, when it is decided already or the ticket cannot be made."""
    with transaction.atomic():
        locked = _locked_waiting(application)
        try:
            with transaction.atomic():
                return _approve(application=locked, user=user, today=today or oslo_today())
        except ValidationError as exc:
            raise ValidationError(
                _("%(name)s: %(why)s") % {"name": locked.full_name, "why": " ".join(exc.messages)}
            ) from None


def application_reject(*, application: Application, user: User, reason: str) -> Application:
    """Reject a waiting application with a reason, which the applicant reads in the e-mail."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so that the employee knows.")})
    with transaction.atomic():
        locked = _locked_waiting(application)
        locked.state = ApplicationState.REJECTED
        locked.reason = reason
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        _notify(locked, ApplicationStep.REJECTED)
    return locked


@dataclass
class BulkResult:
    approved: list[Application] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one message per application, naming the applicant


def applications_approve(*, company: Company, ids: list[int], user: User, today: date | None = None) -> BulkResult:
    """Approve a selection of the company's waiting applications, each on its own: one that
    cannot be approved is named in `refused` and the others go through."""
    result = BulkResult()
    for application in Application.objects.filter(company=company, pk__in=ids).order_by("created_at", "pk"):
        try:
            result.approved.append(application_approve(application=application, user=user, today=today))
        except ValidationError as exc:
            result.refused.append(" ".join(exc.messages))
    return result


# --- The company's link -----------------------------------------------------------------------


def application_settings_update(*, company: Company, auto_approve: bool) -> ApplicationSettings:
    found = selectors_applications.application_settings_for(company=company)
    found.auto_approve = auto_approve
    found.save(update_fields=["auto_approve", "updated_at"])
    return found


def application_link_renew(*, company: Company) -> ApplicationSettings:
    """A new key for the company's application link: the old link and its QR code stop working."""
    found = selectors_applications.application_settings_for(company=company)
    found.key = new_application_key()
    found.save(update_fields=["key", "updated_at"])
    return found
