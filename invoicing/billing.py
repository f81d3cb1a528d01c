"""What a month bills: the lines of each company's invoice (or each location's
or department's, as the agreement says), read in a few set-based queries.

- Corporate tickets: the tickets that travelled in the month (the payroll
  report's tickets, tickets.Ticket.objects.travelling_in: months are whole, a
  ticket runs from its first month to its last, and a month of leave pauses
  it), counted by ticket type and zones, at the company price of the month
  (tickets.TicketPrice, including 12 % VAT) less its VAT.
- Products of the agreement priced per employee per month (the membership
  fee): the employees on the list in the month (not left, started by its last
  day, not ended before its first), at the product's price that month.
- Products of the agreement priced per ticket per month: the month's tickets.
- Add-ons and billable activities (invoicing.BillableItem) dated in the month
  and not yet invoiced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from companies.models import Agreement, Company, InvoiceGrouping
from employees.models import Employee, EmployeeStatus
from invoicing import rules
from invoicing.models import BillableItem
from tenants.models import ProductUnit
from tickets.models import AgreementProduct, Price, Ticket, TicketPrice, TicketType
from tickets.selectors import CORPORATE_TICKET

COMPANY = "company"
NONE = "none"


def last_day(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class LineSpec:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    product_id: int | None = None
    ticket_type_id: int | None = None
    billable_item_id: int | None = None
    credited_line_id: int | None = None
    period_start: date | None = None
    period_end: date | None = None

    @property
    def net_amount(self) -> Decimal:
        return rules.line_amount(quantity=self.quantity, unit_price=self.unit_price)


@dataclass
class Group:
    company_id: int
    key: str  # COMPANY, NONE, "location:<id>" or "department:<id>"
    lines: list[LineSpec] = field(default_factory=list)

    def add(self, line: LineSpec) -> None:
        """Add a line; the same thing at the same price (tickets of one type and zones, a fee) from
        several locations or departments of one invoice is one line with the quantities added."""
        if line.billable_item_id is None:
            for index, other in enumerate(self.lines):
                if other.billable_item_id is None and _same_thing(other, line):
                    self.lines[index] = replace(other, quantity=other.quantity + line.quantity)
                    return
        self.lines.append(line)

    @property
    def location_id(self) -> int | None:
        return int(self.key.split(":")[1]) if self.key.startswith("location:") else None

    @property
    def department_id(self) -> int | None:
        return int(self.key.split(":")[1]) if self.key.startswith("department:") else None


def _same_thing(a: LineSpec, b: LineSpec) -> bool:
    return (a.description, a.unit_price, a.vat_rate, a.product_id, a.ticket_type_id, a.period_start) == (
        b.description,
        b.unit_price,
        b.vat_rate,
        b.product_id,
        b.ticket_type_id,
        b.period_start,
    )


def _group_key(grouping: str, location_id: int | None, department_id: int | None) -> str:
    if grouping == InvoiceGrouping.LOCATION:
        return f"location:{location_id}" if location_id else NONE
    if grouping == InvoiceGrouping.DEPARTMENT:
        return f"department:{department_id}" if department_id else NONE
    return COMPANY


def _in_force(month: date) -> Q:
    end = last_day(month)
    return (Q(start_date__isnull=True) | Q(start_date__lte=end)) & (Q(end_date__isnull=True) | Q(end_date__gte=month))


def month_groups(*, month: date, company_ids: set[int] | None = None) -> list[Group]:
    """Every invoice group of `month` (the 1st) with at least one line, by company
    name then key. ValidationError naming the ticket type when one has no price."""
    end = last_day(month)
    groupings = dict(Agreement.objects.values_list("company_id", "invoice_grouping"))
    groups: dict[tuple[int, str], Group] = {}

    def add(company_id: int, location_id: int | None, department_id: int | None, line: LineSpec) -> None:
        key = _group_key(groupings.get(company_id, InvoiceGrouping.COMPANY), location_id, department_id)
        groups.setdefault((company_id, key), Group(company_id=company_id, key=key)).add(line)

    tickets = Ticket.objects.travelling_in(month)
    employees = Employee.objects.exclude(status=EmployeeStatus.LEFT).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=end), Q(end_date__isnull=True) | Q(end_date__gte=month)
    )
    if company_ids is not None:
        tickets = tickets.filter(company_id__in=company_ids)
        employees = employees.filter(company_id__in=company_ids)

    ticket_rows = list(
        tickets.values("company_id", "employee__location_id", "employee__department_id", "ticket_type_id", "zones")
        .annotate(n=Count("pk"))
        .order_by("company_id", "ticket_type__name", "zones")
    )
    prices = {p.ticket_type_id: p for p in TicketPrice.objects.on(month).select_related("ticket_type")}
    tickets_per_group: dict[tuple[int, int | None, int | None], int] = defaultdict(int)
    for row in ticket_rows:
        price = prices.get(row["ticket_type_id"])
        if price is None:
            name = TicketType.objects.filter(pk=row["ticket_type_id"]).values_list("name", flat=True).first()
            raise ValidationError(
                _("The ticket type “%(ticket)s” has no price for %(month)s.")
                % {"ticket": name, "month": f"{month:%m.%Y}"}
            )
        vat_rate = Decimal("12.00")
        description = _("Corporate ticket %(type)s") % {"type": price.ticket_type.name}
        if row["zones"]:
            zones = row["zones"]
            description += f", {zones}" if "sone" in zones.lower() else f", {_('zones')} {zones}"
        line = LineSpec(
            description=description,
            quantity=Decimal(row["n"]),
            unit_price=rules.net_unit_price(gross=price.company, vat_rate=vat_rate),
            vat_rate=vat_rate,
            ticket_type_id=row["ticket_type_id"],
            period_start=month,
            period_end=end,
        )
        where = (row["company_id"], row["employee__location_id"], row["employee__department_id"])
        add(*where, line)
        tickets_per_group[where] += row["n"]

    _monthly_products(month=month, end=end, employees=employees, tickets_per_group=tickets_per_group, add=add)
    _billable_items(month=month, end=end, company_ids=company_ids, add=add)

    names = dict(Company.objects.filter(pk__in={c for c, _k in groups}).values_list("pk", "name"))
    return sorted(groups.values(), key=lambda g: (names.get(g.company_id, ""), g.company_id, g.key))


def _monthly_products(*, month, end, employees, tickets_per_group, add) -> None:
    terms = list(
        AgreementProduct.objects.filter(
            product__unit__in=[ProductUnit.PER_EMPLOYEE_MONTH, ProductUnit.PER_TICKET_MONTH],
            agreement__in=Agreement.objects.filter(_in_force(month)),
        )
        .exclude(product__national_product__code=CORPORATE_TICKET)
        .select_related("product", "agreement")
    )
    if not terms:
        return
    prices = {p.product_id: p.amount for p in Price.objects.on(month).filter(product__in={t.product_id for t in terms})}
    per_employee = {t.agreement.company_id for t in terms if t.product.unit == ProductUnit.PER_EMPLOYEE_MONTH}
    staff: dict[tuple[int, int | None, int | None], int] = defaultdict(int)
    for row in (
        employees.filter(company_id__in=per_employee)
        .values("company_id", "location_id", "department_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        staff[(row["company_id"], row["location_id"], row["department_id"])] += row["n"]
    for term in terms:
        product = term.product
        if product.pk not in prices:
            raise ValidationError(
                _("The product “%(product)s” has no price for %(month)s.")
                % {"product": product.name, "month": f"{month:%m.%Y}"}
            )
        counts = staff if product.unit == ProductUnit.PER_EMPLOYEE_MONTH else tickets_per_group
        for (company_id, location_id, department_id), n in sorted(counts.items(), key=lambda i: str(i[0])):
            if company_id != term.agreement.company_id or not n:
                continue
            add(
                company_id,
                location_id,
                department_id,
                LineSpec(
                    description=product.name,
                    quantity=Decimal(n),
                    unit_price=prices[product.pk],
                    vat_rate=product.vat_rate,
                    product_id=product.pk,
                    period_start=month,
                    period_end=end,
                ),
            )


def _billable_items(*, month, end, company_ids, add) -> None:
    items = BillableItem.objects.filter(invoice_line__isnull=True, day__gte=month, day__lte=end).select_related(
        "product"
    )
    if company_ids is not None:
        items = items.filter(company_id__in=company_ids)
    items = list(items.order_by("day", "pk"))
    prices = {
        (p.product_id, p.valid_from): p
        for p in Price.objects.filter(product__in={i.product_id for i in items}).order_by("valid_from")
    }
    for item in items:
        unit_price = item.unit_price
        if unit_price is None:
            unit_price = next(
                (p.amount for p in prices.values() if p.product_id == item.product_id and p.covers(item.day)), None
            )
        if unit_price is None:
            raise ValidationError(
                _("The product “%(product)s” has no price on %(day)s.")
                % {"product": item.product.name, "day": f"{item.day:%d.%m.%Y}"}
            )
        add(
            item.company_id,
            item.location_id,
            item.department_id,
            LineSpec(
                description=item.description or item.product.name,
                quantity=item.quantity,
                unit_price=unit_price,
                vat_rate=item.product.vat_rate,
                product_id=item.product_id,
                billable_item_id=item.pk,
                period_start=item.day,
                period_end=item.day,
            ),
        )
