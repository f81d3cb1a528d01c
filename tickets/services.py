"""Writes of the PTA's catalogue: products and their price periods, ticket
types and theirs, and the products and subsidies of a company's agreement.

Every service validates before it writes and writes in one transaction, so a
refused input stores nothing. Price periods are never edited in place: a price
change is a new period, and the open period before it is closed the day before
(only from the current month on, so a month already billed or reported keeps
its price). The database refuses overlapping periods as well (tickets.models).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from companies.models import Agreement
from core.dates import today as oslo_today
from employees.models import Employee, EmployeeStatus
from tenants.models import ProductUnit
from tickets import rules, selectors
from tickets.models import (
    AgreementProduct,
    Price,
    PricePeriod,
    Product,
    Ticket,
    TicketPrice,
    TicketState,
    TicketType,
)

MONTHLY_UNITS = (ProductUnit.PER_EMPLOYEE_MONTH, ProductUnit.PER_TICKET_MONTH)


def _nok(amount: Decimal) -> str:
    """An amount in a message as the reader writes it: NOK 1 234,50 in bokmål."""
    return _("NOK %(amount)s") % {"amount": number_format(rules.round_ore(amount), 2, force_grouping=True)}


def _day(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "…"


# --- Products ---------------------------------------------------------------------------


def _product_name_free(*, name: str, product: Product | None = None) -> None:
    clash = Product.objects.filter(name__iexact=name.strip())
    if product is not None and product.pk:
        clash = clash.exclude(pk=product.pk)
    if clash.exists():
        raise ValidationError({"name": _("The PTA already has a product named “%(name)s”.") % {"name": name}})


def product_create(*, data: dict) -> Product:
    """A local add-on (city bike, e-scooter, car sharing, ... or the PTA's own). Names are unique per PTA."""
    product = Product(
        **{key: data[key] for key in ("name", "description", "unit", "vat_rate", "is_active") if key in data}
    )
    _product_name_free(name=product.name)
    product.full_clean()
    product.save()
    return product


def product_update(*, product: Product, data: dict) -> Product:
    """Edit a product's name, description, unit, VAT rate and whether it is offered (not its prices)."""
    for key in ("name", "description", "unit", "vat_rate", "is_active"):
        if key in data:
            setattr(product, key, data[key])
    _product_name_free(name=product.name, product=product)
    product.full_clean()
    product.save()
    return product


def base_package_adopt() -> list[Product]:
    """Give the PTA a product of every national base product it has none of (names,
    units and VAT rates from the national rows). A local product of the same name
    becomes the national product's. Returns the products created or linked."""
    adopted = []
    with transaction.atomic():
        for national in selectors.base_package_to_adopt():
            product = Product.objects.select_for_update().filter(name__iexact=national.name).first()
            if product is not None and product.national_product_id is None:
                product.national_product = national
                product.save(update_fields=["national_product"])
            elif product is None:
                product = Product.objects.create(
                    national_product=national,
                    name=national.name,
                    description=national.description,
                    unit=national.unit,
                    vat_rate=national.vat_rate,
                )
            else:
                continue  # the name is another national product's: leave it for the PTA to sort out
            adopted.append(product)
    return adopted


# --- Price periods -------------------------------------------------------------------------


def _period_add(*, period: PricePeriod, owner_field: str, today: date | None) -> PricePeriod:
    """Store a new price period of `period`'s owner (a product or a ticket type).

    An open period (no end) that starts before the new one, when the new one is
    open too, is a price change: the old period ends the day before. That is
    refused before the current month, since it would change months already
    billed or reported. Any other overlap is refused with the period it meets.
    """
    model = type(period)
    owner = getattr(period, owner_field)
    first_of_month = (today or oslo_today()).replace(day=1)
    with transaction.atomic():
        # One change at a time per owner: the overlap check below reads what the last one wrote.
        type(owner).objects.select_for_update().filter(pk=owner.pk).first()
        periods = model.objects.filter(**{owner_field: owner})
        closing = None
        if period.valid_from and period.valid_to is None:
            closing = periods.filter(valid_to__isnull=True, valid_from__lt=period.valid_from).first()
        if closing is not None:
            if period.valid_from < first_of_month:
                raise ValidationError(
                    {
                        "valid_from": _(
                            "A price change cannot start on %(day)s, before this month: months already billed "
                            "or reported keep their price. Start it on %(first)s or later."
                        )
                        % {"day": _day(period.valid_from), "first": _day(first_of_month)}
                    }
                )
            closing.valid_to = period.valid_from - timedelta(days=1)
            closing.save(update_fields=["valid_to"])
        if period.valid_from:
            clash = periods.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.valid_from))
            if period.valid_to is not None:
                clash = clash.filter(valid_from__lte=period.valid_to)
            clash = clash.order_by("valid_from").first()
            if clash is not None:
                raise ValidationError(
                    {
                        "valid_from": _(
                            "The period %(from)s – %(to)s overlaps the price period %(other_from)s – %(other_to)s. "
                            "Choose dates outside it, or leave the end empty to change the price from a date."
                        )
                        % {
                            "from": _day(period.valid_from),
                            "to": _day(period.valid_to),
                            "other_from": _day(clash.valid_from),
                            "other_to": _day(clash.valid_to),
                        }
                    }
                )
        period.full_clean()
        try:
            with transaction.atomic():
                period.save()
        except IntegrityError as exc:  # another request's period, committed in between
            raise ValidationError({"valid_from": _("The period overlaps another price period.")}) from exc
    return period


def price_add(
    *, product: Product, valid_from: date, valid_to: date | None, amount: Decimal, today: date | None = None
) -> Price:
    """A price period of a product (NOK excl. VAT per its unit). A price change from a date is a new
    open period: the one before it ends the day before (see _period_add)."""
    return _period_add(
        period=Price(product=product, valid_from=valid_from, valid_to=valid_to, amount=amount),
        owner_field="product",
        today=today,
    )


# --- Ticket types ---------------------------------------------------------------------------


def _ticket_type_name_free(*, name: str, ticket_type: TicketType | None = None) -> None:
    clash = TicketType.objects.filter(name__iexact=name.strip())
    if ticket_type is not None and ticket_type.pk:
        clash = clash.exclude(pk=ticket_type.pk)
    if clash.exists():
        raise ValidationError({"name": _("The PTA already has a ticket type named “%(name)s”.") % {"name": name}})


def ticket_type_save(*, data: dict, ticket_type: TicketType | None = None) -> TicketType:
    """Create or edit a ticket type: its name, its zones or number of zones, whether it is offered."""
    ticket_type = ticket_type or TicketType()
    for key in ("name", "zones", "zone_count", "is_active"):
        if key in data:
            setattr(ticket_type, key, data[key])
    _ticket_type_name_free(name=ticket_type.name, ticket_type=ticket_type)
    if not ticket_type.zones.strip() and ticket_type.zone_count is None:
        raise ValidationError({"zones": _("Give the zones the ticket is valid in, or the number of zones.")})
    ticket_type.full_clean()
    ticket_type.save()
    return ticket_type


def ticket_price_add(
    *,
    ticket_type: TicketType,
    valid_from: date,
    valid_to: date | None,
    annual_price: Decimal,
    monthly_price: Decimal | None = None,
    company_price: Decimal | None = None,
    today: date | None = None,
) -> TicketPrice:
    """A price period of a ticket type: the ordinary annual pass price, the PTA's own monthly price
    if it overrides annual / 12 (P), and the company price C (P if not given).

    Refused: C above P; C below a fixed NOK subsidy in an agreement (the subsidy
    would exceed what the company pays); an overlap (see _period_add)."""
    period = TicketPrice(
        ticket_type=ticket_type,
        valid_from=valid_from,
        valid_to=valid_to,
        annual_price=annual_price,
        monthly_price=monthly_price,
        company_price=company_price,
    )
    if company_price is not None and company_price > period.ordinary:
        raise ValidationError(
            {
                "company_price": _(
                    "The company price %(company)s is more than the ordinary price %(ordinary)s a month."
                )
                % {"company": _nok(company_price), "ordinary": _nok(period.ordinary)}
            }
        )
    ticket = selectors.corporate_ticket_product()
    if ticket is not None:
        subsidy = (
            AgreementProduct.objects.filter(product=ticket, subsidy_amount__gt=period.company)
            .select_related("agreement__company")
            .order_by("-subsidy_amount")
            .first()
        )
        if subsidy is not None:
            raise ValidationError(
                {
                    "company_price": _(
                        "The company price %(company)s is less than the fixed subsidy %(subsidy)s in the agreement "
                        "of %(name)s: lower that subsidy first."
                    )
                    % {
                        "company": _nok(period.company),
                        "subsidy": _nok(subsidy.subsidy_amount),
                        "name": subsidy.agreement.company.name,
                    }
                }
            )
    return _period_add(period=period, owner_field="ticket_type", today=today)


# --- An agreement's products -------------------------------------------------------------------


def _company_prices(*, product: Product, day: date) -> list[tuple[str, Decimal]]:
    """What the company pays a month for the product on `day`, as (what, C): each ticket type offered,
    for the corporate ticket; the product's own price for other monthly products."""
    if product.national_product_id and product.national_product.code == selectors.CORPORATE_TICKET:
        return [
            (ticket_type.name, ticket_type.current.company)
            for ticket_type in selectors.ticket_type_list(day=day)
            if ticket_type.is_active and ticket_type.current is not None
        ]
    price = selectors.price_on(product=product, day=day)
    return [(product.name, price.amount)] if price is not None else []


def agreement_product_save(
    *,
    agreement: Agreement,
    product: Product,
    subsidy_percent: Decimal | None,
    subsidy_amount: Decimal | None,
    agreement_product: AgreementProduct | None = None,
    today: date | None = None,
) -> AgreementProduct:
    """Put a product in the agreement, or change its subsidy: a percentage of the
    company price (0-100) or a fixed NOK amount a month, for products paid per month.

    Refused: a product already in the agreement, or no longer offered; both kinds of
    subsidy at once; a fixed subsidy above the company price of the product on the
    later of today and the agreement's start (for the corporate ticket: of any
    ticket type offered)."""
    day = max(filter(None, [today or oslo_today(), agreement.start_date]))
    row = agreement_product or AgreementProduct(agreement=agreement)
    if row.pk is None or row.product_id != product.pk:
        if not product.is_active:
            raise ValidationError({"product": _("“%(name)s” is no longer offered.") % {"name": product.name}})
        if AgreementProduct.objects.filter(agreement=agreement, product=product).exclude(pk=row.pk).exists():
            raise ValidationError({"product": _("“%(name)s” is already in the agreement.") % {"name": product.name}})
    if subsidy_percent is not None and subsidy_amount is not None:
        raise ValidationError({"subsidy_amount": _("Give the subsidy as a percentage or as a NOK amount, not both.")})
    if (subsidy_percent is not None or subsidy_amount is not None) and product.unit not in MONTHLY_UNITS:
        raise ValidationError(
            {
                "subsidy_percent": _("“%(name)s” is paid %(unit)s: a subsidy is for products paid per month.")
                % {"name": product.name, "unit": product.get_unit_display()}
            }
        )
    if subsidy_percent is not None and not Decimal(0) <= subsidy_percent <= Decimal(100):
        raise ValidationError(
            {"subsidy_percent": _("The subsidy %(value)s %% is not between 0 and 100 %%.") % {"value": subsidy_percent}}
        )
    if subsidy_amount is not None:
        if subsidy_amount < 0:
            raise ValidationError({"subsidy_amount": _("The subsidy cannot be negative.")})
        for what, company_price in _company_prices(product=product, day=day):
            if subsidy_amount > company_price:
                raise ValidationError(
                    {
                        "subsidy_amount": _(
                            "The subsidy %(subsidy)s is more than the company price %(price)s of %(what)s on %(day)s."
                        )
                        % {
                            "subsidy": _nok(subsidy_amount),
                            "price": _nok(company_price),
                            "what": what,
                            "day": _day(day),
                        }
                    }
                )
    row.product = product
    row.subsidy_percent = subsidy_percent
    row.subsidy_amount = subsidy_amount
    row.full_clean()
    with transaction.atomic():
        row.save()
    return row


def agreement_product_remove(*, agreement_product: AgreementProduct) -> None:
    """Take a product out of the agreement (its history stays, in the tickets event table)."""
    agreement_product.delete()


# --- Corporate tickets ------------------------------------------------------------------------


def ticket_create(
    *, employee: Employee, ticket_type: TicketType, starts: date, zones: str | None = None, today: date | None = None
) -> Ticket:
    """A pending corporate ticket for the employee from the month of `starts`
    (next month at the earliest: changes take effect from the next month). The
    zones default to the ticket type's. Refused for an employee who has left
    by then, a ticket type no longer offered, and an employee who already has
    a live ticket (the database refuses that too). No side effects."""
    today = today or oslo_today()
    starts = rules.first_of_month(starts)
    errors: dict[str, str] = {}
    if starts < rules.next_month(today):
        errors["starts"] = _("A ticket starts next month at the earliest.")
    if employee.status == EmployeeStatus.LEFT and (employee.end_date is None or employee.end_date < starts):
        errors["employee"] = _("The employee has left.")
    if not ticket_type.is_active:
        errors["ticket_type"] = _("The ticket type is no longer offered.")
    if errors:
        raise ValidationError(errors)
    ticket = Ticket(
        employee=employee,
        company_id=employee.company_id,
        ticket_type=ticket_type,
        zones=ticket_type.zones if zones is None else zones.strip(),
        starts=starts,
    )
    ticket.full_clean()
    try:
        with transaction.atomic():
            ticket.save()
    except IntegrityError:  # another request gave the employee a ticket in between
        raise ValidationError({"employee": _("The employee already has a corporate ticket.")}) from None
    return ticket


def ticket_cancel(*, ticket: Ticket) -> Ticket:
    """Cancel a ticket that has not started (pending only). A conditional
    UPDATE, so a roll-over activating it at the same time wins cleanly."""
    changed = Ticket.objects.filter(pk=ticket.pk, state=TicketState.PENDING).update(state=TicketState.CANCELLED)
    if not changed:
        raise ValidationError(_("Only a ticket that has not started can be cancelled."))
    ticket.refresh_from_db()
    return ticket


def ticket_end(*, ticket: Ticket, today: date | None = None) -> Ticket:
    """End a running (active or paused) ticket after the current month: its
    last month becomes this one (or stays, if earlier); the roll-over into
    next month ends it. A ticket that has not started is cancelled instead."""
    month = Value(rules.first_of_month(today or oslo_today()))
    # One conditional UPDATE on the row as it is now (the roll-over may have moved it since it was read).
    changed = Ticket.objects.filter(pk=ticket.pk, state__in=(TicketState.ACTIVE, TicketState.PAUSED)).update(
        ends=Greatest(Least(Coalesce("ends", month), month), F("starts"))
    )
    if not changed:
        raise ValidationError(_("Only a running ticket can be ended; cancel one that has not started."))
    ticket.refresh_from_db()
    return ticket


@dataclass(frozen=True)
class RolloverResult:
    activated: int
    paused: int
    ended: int  # ended, or cancelled when they never started


# Three statements for the whole PTA, whatever its number of tickets; each
# touches only the tickets whose state changes, so a second run for the same
# month changes nothing. %(left)s and %(leave)s are fixed SQL fragments of this
# module (not input); the month's dates are parameters.
_LEFT = "e.status = 'left' AND (e.end_date IS NULL OR e.end_date < %(month)s)"
_LEAVE = (
    "(e.leave_from IS NOT NULL AND e.leave_from <= %(month)s"
    " AND (e.leave_until IS NULL OR e.leave_until >= %(last_day)s))"
)
_ROLLOVER_END = f"""
    UPDATE tickets_ticket AS t
    SET state = CASE WHEN t.state = 'pending' THEN 'cancelled' ELSE 'ended' END,
        ends = CASE WHEN t.state = 'pending' THEN t.ends
                    ELSE GREATEST(t.starts, LEAST(t.ends, CASE WHEN {_LEFT}
                        THEN date_trunc('month', COALESCE(e.end_date, %(previous)s))::date END)) END,
        updated_at = now()
    FROM employees_employee AS e
    WHERE e.id = t.employee_id AND t.state IN ('pending', 'active', 'paused')
      AND ((t.ends IS NOT NULL AND t.ends < %(month)s) OR ({_LEFT}))
"""  # noqa: S608
_ROLLOVER_PAUSE = f"""
    UPDATE tickets_ticket AS t SET state = 'paused', updated_at = now()
    FROM employees_employee AS e
    WHERE e.id = t.employee_id AND t.state IN ('pending', 'active') AND t.starts <= %(month)s AND {_LEAVE}
"""  # noqa: S608
_ROLLOVER_ACTIVATE = f"""
    UPDATE tickets_ticket AS t SET state = 'active', updated_at = now()
    FROM employees_employee AS e
    WHERE e.id = t.employee_id AND NOT {_LEAVE}
      AND ((t.state = 'pending' AND t.starts <= %(month)s) OR t.state = 'paused')
"""  # noqa: S608


def ticket_rollover(*, month: date) -> RolloverResult:
    """Move the PTA's tickets into `month` (its 1st; any day of it will do), by
    the rules of tickets.rules: end (or cancel) what stops before it, pause
    what falls in a month of leave, activate what starts or comes back. Three
    set-based UPDATEs in one transaction, recorded by the statement-level
    history triggers; idempotent (a second run for the month returns zeros).
    Runs in the current schema (one PTA). No side effects."""
    month = rules.first_of_month(month)
    params = {
        "month": month,
        "last_day": rules.last_day_of_month(month),
        "previous": rules.first_of_month(month - timedelta(days=1)),
    }
    with transaction.atomic(), pghistory.context(rollover=month.isoformat()), connection.cursor() as cursor:
        counts = []
        for statement in (_ROLLOVER_END, _ROLLOVER_PAUSE, _ROLLOVER_ACTIVATE):
            cursor.execute(statement, params)
            counts.append(cursor.rowcount)
    ended, paused, activated = counts
    return RolloverResult(activated=activated, paused=paused, ended=ended)
