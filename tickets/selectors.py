"""Reads of the PTA's catalogue: prices on a day, the lists, an agreement's
products, and the figures of one employee's corporate ticket for a month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from companies.models import Agreement, Company
from employees.models import Employee, EmployeeStatus
from tenants.models import NationalProduct
from tickets import rules, zones
from tickets.models import (
    LIVE_STATES,
    AgreementProduct,
    PayrollReport,
    Price,
    Product,
    Ticket,
    TicketPrice,
    TicketState,
    TicketType,
)

CORPORATE_TICKET = "corporate_ticket"  # the national product's code (tenants migration 0008)


def price_on(*, product: Product, day: date) -> Price | None:
    """The product's price period that covers `day`, or None (the exclusion constraint allows one at most)."""
    return Price.objects.on(day).filter(product=product).first()


def ticket_price_on(*, ticket_type: TicketType, day: date) -> TicketPrice | None:
    """The ticket type's price period that covers `day`, or None."""
    return TicketPrice.objects.on(day).filter(ticket_type=ticket_type).first()


def product_list(*, day: date) -> list[Product]:
    """Every product, the base package first (in the national order), each with `current`:
    its price period on `day`, or None. Two queries, however many products."""
    products = list(
        Product.objects.select_related("national_product")
        .prefetch_related(Prefetch("prices", queryset=Price.objects.on(day), to_attr="prices_on_day"))
        .order_by("national_product__position", "name")
    )
    return _with_current(products)


def ticket_type_list(*, day: date) -> list[TicketType]:
    """Every ticket type, each with `current`: its price period on `day`, or None. Two queries."""
    ticket_types = list(
        TicketType.objects.prefetch_related(
            Prefetch("prices", queryset=TicketPrice.objects.on(day), to_attr="prices_on_day")
        )
    )
    return _with_current(ticket_types)


def _with_current(rows: list) -> list:
    for row in rows:
        row.current = row.prices_on_day[0] if row.prices_on_day else None
    return rows


def base_package_to_adopt() -> list[NationalProduct]:
    """The national products still offered that this PTA has no product of."""
    adopted = Product.objects.filter(national_product__isnull=False).values_list("national_product_id", flat=True)
    return list(NationalProduct.objects.filter(is_active=True).exclude(pk__in=list(adopted)))


def corporate_ticket_product() -> Product | None:
    """The PTA's corporate ticket: its product adopted from the national one."""
    return Product.objects.filter(national_product__code=CORPORATE_TICKET).first()


def agreement_product_list(*, agreement: Agreement) -> QuerySet[AgreementProduct]:
    return AgreementProduct.objects.filter(agreement=agreement).select_related("product").order_by("product__name")


def company_zone(*, company: Company, year: int) -> str | None:
    """The company's zone of the employer's contribution: set on the company, else its municipality's in `year`."""
    return company.employer_zone or zones.zone_for_municipality(municipality=company.municipality, year=year)


def ticket_month_for(*, company: Company, ticket_type: TicketType, month: date) -> rules.TicketMonth:
    """The figures of one employee's corporate ticket of `ticket_type` at `company` in `month`.

    The month's prices are the ones valid on its first day; the subsidy is the
    one on the corporate ticket in the company's agreement (none without it).
    Raises ValidationError, naming what is missing, when the ticket type has no
    price that month or the company has no zone; and for figures the rules refuse.
    """
    month = month.replace(day=1)
    price = ticket_price_on(ticket_type=ticket_type, day=month)
    if price is None:
        raise ValidationError(
            {
                "ticket_type": _("%(ticket)s has no price for %(month)s.")
                % {"ticket": ticket_type, "month": f"{month:%m.%Y}"}
            }
        )
    zone = required_company_zone(company=company, year=month.year)
    subsidy = corporate_ticket_subsidy(company=company)
    return figures_for(company=company, price=price, subsidy=subsidy, zone=zone, month=month)


def required_company_zone(*, company: Company, year: int) -> str:
    """The company's zone (company_zone); ValidationError, naming what to set, when it is unknown."""
    zone = company_zone(company=company, year=year)
    if zone is None:
        raise ValidationError(
            {
                "employer_zone": _(
                    "The zone of %(company)s is unknown for the municipality “%(municipality)s”: set it on the company."
                )
                % {"company": company.name, "municipality": company.municipality}
            }
        )
    return zone


def corporate_ticket_subsidy(*, company: Company) -> rules.Subsidy | None:
    """The subsidy on the corporate ticket in the company's agreement (None without it): one query."""
    terms = (
        AgreementProduct.objects.filter(agreement__company=company, product__national_product__code=CORPORATE_TICKET)
        .only("subsidy_percent", "subsidy_amount")
        .first()
    )
    return terms.subsidy if terms else None


def figures_for(
    *, company: Company, price: TicketPrice, subsidy: rules.Subsidy | None, zone: str, month: date
) -> rules.TicketMonth:
    """rules.ticket_month for a price period; the rules' refusals as ValidationError."""
    try:
        return rules.ticket_month(
            ordinary=price.ordinary,
            company_price=price.company,
            subsidy=subsidy,
            zone=zone,
            finance=company.finance_sector,
            month=month,
        )
    except rules.TicketRuleError as exc:
        raise ValidationError({exc.field: exc.message}) from exc


# --- Corporate tickets ------------------------------------------------------------------------


def company_ticket_list(*, company: Company) -> QuerySet[Ticket]:
    """The company's tickets, live ones first, by employee name; employee and type in the same query."""
    live_first = Case(When(state__in=LIVE_STATES, then=Value(0)), default=Value(1))
    return (
        Ticket.objects.filter(company=company)
        .select_related("employee", "ticket_type")
        .order_by(live_first, "employee__last_name", "employee__first_name", "-starts", "pk")
    )


def ticket_counts(*, company: Company | None = None) -> dict[str, int]:
    """Tickets by state (every state, zero where none), of a company or the whole PTA: one query."""
    tickets = Ticket.objects.all() if company is None else Ticket.objects.filter(company=company)
    counted = dict(tickets.order_by().values_list("state").annotate(n=Count("pk")))
    return {state: counted.get(state, 0) for state in TicketState.values}


@dataclass(frozen=True)
class TicketMonthCount:
    month: date  # the 1st
    running: int  # active or paused in the month


def ticket_trend(*, until: date, count: int) -> list[TicketMonthCount]:
    """Tickets running in each of the `count` months up to `until`'s, oldest
    first, from their first and last months: one query (a count per month)."""
    months = [rules.first_of_month(until)]
    while len(months) < count:
        months.insert(0, rules.first_of_month(months[0] - timedelta(days=1)))
    running = Ticket.objects.exclude(state__in=[TicketState.PENDING, TicketState.CANCELLED])
    figures = running.aggregate(
        **{
            f"m{index}": Count("pk", filter=Q(starts__lte=month) & (Q(ends__isnull=True) | Q(ends__gte=month)))
            for index, month in enumerate(months)
        }
    )
    return [TicketMonthCount(month, figures[f"m{index}"]) for index, month in enumerate(months)]


def ticket_candidates(*, company: Company, search: str = "") -> QuerySet[Employee]:
    """The company's employees who may be given a corporate ticket: active or on leave, without a live
    ticket, by name; `search` narrows them by name (first, last or both) or employee number. One query
    (the live tickets are a NOT EXISTS); slice it for a list of choices."""
    live = Ticket.objects.live().filter(employee=OuterRef("pk"))
    employees = Employee.objects.filter(
        company=company, status__in=[EmployeeStatus.ACTIVE, EmployeeStatus.ON_LEAVE]
    ).exclude(Exists(live))
    search = search.strip()
    if search:
        matches = Q(first_name__icontains=search) | Q(last_name__icontains=search) | Q(employee_number__iexact=search)
        if " " in search:  # "Kari Nordmann", or "Nordmann Kari"
            first, _sep, last = search.rpartition(" ")
            matches |= Q(first_name__icontains=first, last_name__icontains=last)
            matches |= Q(first_name__icontains=last, last_name__icontains=first)
        employees = employees.filter(matches)
    return employees.only("pk", "first_name", "last_name", "employee_number", "status").order_by(
        "last_name", "first_name", "pk"
    )


def payroll_report_stored(*, company: Company, month: date) -> PayrollReport | None:
    """The company's payroll report of `month` (its 1st) as stored when first handed out, without its
    rows; None when it is not stored."""
    return PayrollReport.objects.filter(company=company, month=month).only("pk", "month", "created_at").first()
