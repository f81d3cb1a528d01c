"""Reads of corporate-ticket applications: whether a company takes them, what
an applicant is offered (each ticket type's price and the applicant's own
share), a company's applications, and what waits for a contact person
(Min side) or for the PTA's staff ("I dag")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.models import Company, CompanyStatus, ContactPerson
from core.attention import Attention, Severity
from core.dates import today as oslo_today
from employees.models import Employee, EmployeeStatus
from tenants.models import User
from tickets import rules, selectors
from tickets.models import (
    AgreementProduct,
    Application,
    ApplicationSettings,
    ApplicationState,
    TicketPrice,
    TicketType,
)

#: How many months ahead an applicant may choose to start.
START_MONTHS = 6
#: Staff hear of applications nobody has decided on after this long.
WAITING_TOO_LONG = timedelta(days=3)


def application_settings_for(*, company: Company) -> ApplicationSettings:
    """The company's application settings; made with a new link key the first time."""
    found, _created = ApplicationSettings.objects.get_or_create(company=company)
    return found


def company_for_key(*, key: str) -> Company | None:
    """The company whose application link has this key (None for an unknown or retired key)."""
    found = ApplicationSettings.objects.select_related("company").filter(key=key).first()
    return found.company if found else None


def closed_reason(*, company: Company, day: date | None = None) -> str | None:
    """Why the company takes no applications on `day` (None: it takes them). It takes them as a
    member with an agreement in force that includes the corporate ticket. One query."""
    day = day or oslo_today()
    if company.status != CompanyStatus.MEMBER:
        return _("%(company)s has no active agreement on corporate tickets.") % {"company": company.name}
    terms = (
        AgreementProduct.objects.filter(
            agreement__company=company, product__national_product__code=selectors.CORPORATE_TICKET
        )
        .filter(Q(agreement__start_date__isnull=True) | Q(agreement__start_date__lte=day))
        .filter(Q(agreement__end_date__isnull=True) | Q(agreement__end_date__gte=day))
    )
    if not terms.exists():
        return _("%(company)s has no active agreement on corporate tickets.") % {"company": company.name}
    return None


def start_months(*, day: date | None = None) -> list[date]:
    """The months an applicant may start in: next month and the five after it."""
    month = rules.next_month(day or oslo_today())
    months = []
    for _i in range(START_MONTHS):
        months.append(month)
        month = rules.next_month(month)
    return months


@dataclass(frozen=True)
class Offer:
    """A ticket type as an applicant sees it for a month: the ordinary price P, what the
    company pays C, the applicant's own share D (the payroll deduction) and the taxable
    benefit B that is added to the applicant's income."""

    ticket_type: TicketType
    ordinary: Decimal
    company_price: Decimal
    employee_share: Decimal
    taxable_benefit: Decimal

    def rounded(self, name: str) -> Decimal:
        return rules.round_ore(getattr(self, name))


def offers(*, company: Company, month: date) -> list[Offer]:
    """Each ticket type the PTA offers with a price in `month`, with the company's subsidy
    applied. Three queries. The zone of the employer's contribution does not change the
    applicant's share, so a company whose zone is unknown is figured as zone I."""
    month = rules.first_of_month(month)
    subsidy = selectors.corporate_ticket_subsidy(company=company)
    zone = selectors.company_zone(company=company, year=month.year) or "I"
    prices = {price.ticket_type_id: price for price in TicketPrice.objects.on(month)}
    found = []
    for ticket_type in TicketType.objects.active().order_by("name"):
        price = prices.get(ticket_type.pk)
        if price is None:
            continue
        try:
            figures = selectors.figures_for(company=company, price=price, subsidy=subsidy, zone=zone, month=month)
        except (ValidationError, rules.NoRulePeriod):  # a type the rules refuse for the month is not offered
            continue
        found.append(
            Offer(
                ticket_type=ticket_type,
                ordinary=figures.ordinary,
                company_price=figures.company_price,
                employee_share=figures.payroll_deduction,
                taxable_benefit=figures.taxable_benefit,
            )
        )
    return found


def matching_employee(*, company: Company, email: str, employee_number: str, first_name: str, last_name: str):
    """The employee on the company's list the applicant is: by work e-mail, or by employee
    number and name (case aside). Leavers are not matched. One query."""
    match = Q(email__iexact=email.strip()) if email.strip() else Q(pk__in=[])
    if employee_number.strip():
        match |= Q(
            employee_number__iexact=employee_number.strip(),
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
        )
    return (
        Employee.objects.filter(match, company=company)
        .exclude(status=EmployeeStatus.LEFT)
        .order_by("-email", "pk")  # the e-mail match first
        .first()
    )


def waiting_application(*, company: Company, email: str) -> Application | None:
    return Application.objects.filter(company=company, email__iexact=email, state=ApplicationState.WAITING).first()


def company_applications(*, company: Company, state: str | None = None) -> QuerySet[Application]:
    """The company's applications, the waiting ones first, oldest first; then the decided, newest first."""
    rows = Application.objects.filter(company=company).select_related("ticket_type", "employee")
    if state:
        return rows.filter(state=state).order_by("created_at", "pk")
    return rows.order_by("-created_at", "-pk")


def approvers(*, company: Company) -> QuerySet[User]:
    """The company's contact persons who may approve ticket applications (active users)."""
    user_ids = ContactPerson.objects.filter(company=company, can_approve_tickets=True).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk")


def waiting_count(*, company: Company) -> int:
    return Application.objects.filter(company=company, state=ApplicationState.WAITING).count()


def _applications_url(company_pk: int) -> str:
    return reverse("ticket_applications:company_applications", args=[company_pk])


def application_next_steps(*, company: Company, contact: ContactPerson, user: User) -> list[Attention]:
    """Min side: the applications waiting for a contact person who may approve them. One query."""
    if not contact.can_approve_tickets:
        return []
    waiting = Application.objects.filter(company=company, state=ApplicationState.WAITING).aggregate(
        count=Count("pk"), since=Min("created_at")
    )
    if not waiting["count"]:
        return []
    return [
        Attention(
            kind="ticket_applications_waiting",
            title=ngettext(
                "%(count)d ticket application waits for your approval",
                "%(count)d ticket applications wait for your approval",
                waiting["count"],
            )
            % {"count": waiting["count"]},
            url=_applications_url(company.pk),
            since=waiting["since"],
            detail=_("Approve or reject them; the employee gets an e-mail either way."),
        )
    ]


def applications_waiting_too_long(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """I dag: companies with applications nobody has decided on for more than three days, the
    oldest first (the adviser may remind the contact persons). One query, at most `limit`."""
    companies = (
        Company.objects.filter(
            ticket_applications__state=ApplicationState.WAITING,
            ticket_applications__created_at__lt=timezone.now() - WAITING_TOO_LONG,
        )
        .annotate(waiting=Count("ticket_applications"), since=Min("ticket_applications__created_at"))
        .only("id", "name", "adviser_id")
        .order_by("since")
    )
    if mine:
        companies = companies.filter(adviser=user)
    return [
        Attention(
            kind="ticket_applications_waiting",
            title=ngettext(
                "%(count)d ticket application has waited more than three days",
                "%(count)d ticket applications have waited more than three days",
                company.waiting,
            )
            % {"count": company.waiting},
            url=_applications_url(company.pk),
            company=company.name,
            adviser_id=company.adviser_id,
            since=company.since,
            severity=Severity.INFO,
        )
        for company in companies[:limit]
    ]
