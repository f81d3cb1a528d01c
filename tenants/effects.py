"""The effect model of the national business-concept report ("Forventede effekter"
I and II): pure arithmetic on Decimal, no ORM.

Effects I, employees buy their own ticket::

    reduced car trips/yr = employees x car share x reduction x trips per year
    extra revenue/yr     = reduced car trips x share of them made by transit x price per trip

Effects II, the company pays a monthly ticket for every employee::

    extra revenue/yr = employees x 12 x monthly price x (1 - cannibalisation)

Percentages are given as percent (35 means 35 %). The results are exact: the model
only multiplies, so each result is a finite decimal, computed with enough digits
(`PRECISION`) never to round. `whole()` presents one as an integer where it is whole.

The same model runs on the system's measured figures (`measured_shares`): the car
share is car-driver trips of all commuting trips in the baseline rounds, and the
reduction the relative fall of that share from baseline to follow-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HUNDRED = Decimal(100)
MONTHS = 12
#: Digits of the arithmetic: more than the largest exact product of the bounded parameters.
PRECISION = 60

#: Bounds of the parameters. Norway has under 3 million employees; the report's largest case is 450,000.
MAX_EMPLOYEES = 10_000_000
MAX_TRIPS_PER_YEAR = Decimal(1000)
MAX_PRICE_PER_TRIP = Decimal(10_000)
MAX_MONTHLY_PRICE = Decimal(100_000)
#: Decimals a parameter may carry (percentages and prices to the hundredth).
MAX_DECIMALS = 2
#: Columns of a scenario (values of the transit share or the cannibalisation).
MAX_VALUES = 5

#: The report's defaults: its first scenario.
DEFAULT_TRIPS_PER_YEAR = Decimal(460)
DEFAULT_PRICE_PER_TRIP = Decimal(20)
DEFAULT_TRANSIT_SHARES = (Decimal(20), Decimal(40))
DEFAULT_MONTHLY_PRICE = Decimal(700)
DEFAULT_CANNIBALISATIONS = (Decimal(10), Decimal(25))

#: The parameter names, for messages (the form and the command name the field or option themselves).
LABELS = {
    "employees": gettext_lazy("Employees"),
    "car_share": gettext_lazy("Car share"),
    "reduction": gettext_lazy("Reduction"),
    "trips_per_year": gettext_lazy("Trips per year"),
    "transit_shares": gettext_lazy("Share moving to transit"),
    "price_per_trip": gettext_lazy("Price per trip"),
    "monthly_price": gettext_lazy("Monthly price"),
    "cannibalisations": gettext_lazy("Cannibalisation"),
}


def label(name: str) -> str:
    return str(LABELS[name])


@dataclass(frozen=True)
class Problem:
    """One bad parameter: its name (a key of LABELS), the value given, and why it is refused."""

    name: str
    value: object
    message: str


class ParameterError(ValueError):
    """The parameters refused, one Problem per bad one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def _text(value: object) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    return str(value)


def _number(name: str, value: object, *, low: Decimal, high: Decimal, unit: str = "") -> Problem | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    shown = _text(value)
    if number is None or not number.is_finite():
        return Problem(
            name, value, _("%(name)s must be a number, not %(value)s.") % {"name": label(name), "value": shown}
        )
    if not low <= number <= high:
        return Problem(
            name,
            value,
            _("%(name)s must be between %(low)s and %(high)s%(unit)s, not %(value)s.")
            % {"name": label(name), "low": _text(low), "high": _text(high), "unit": unit, "value": shown},
        )
    if number.as_tuple().exponent < -MAX_DECIMALS:
        return Problem(
            name,
            value,
            _("%(name)s may have at most %(decimals)s decimals, not %(value)s.")
            % {"name": label(name), "decimals": MAX_DECIMALS, "value": shown},
        )
    return None


def _employees(value: object) -> Problem | None:
    name = "employees"
    shown = _text(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        return Problem(
            name, value, _("%(name)s must be a whole number, not %(value)s.") % {"name": label(name), "value": shown}
        )
    if not 0 <= number <= MAX_EMPLOYEES:
        return Problem(
            name,
            value,
            _("%(name)s must be between 0 and %(high)s, not %(value)s.")
            % {"name": label(name), "high": f"{MAX_EMPLOYEES:,}".replace(",", " "), "value": shown},
        )
    return None


def _percentages(name: str, values: Iterable[object]) -> Problem | None:
    values = tuple(values)
    if not values:
        return Problem(name, values, _("%(name)s needs at least one value.") % {"name": label(name)})
    if len(values) > MAX_VALUES:
        return Problem(
            name,
            values,
            _("%(name)s takes at most %(count)s values, not %(given)s.")
            % {"name": label(name), "count": MAX_VALUES, "given": len(values)},
        )
    for value in values:
        problem = _number(name, value, low=Decimal(0), high=HUNDRED, unit=" %")
        if problem:
            return problem
    return None


def _dedupe(values: Iterable[Decimal]) -> tuple[Decimal, ...]:
    seen: list[Decimal] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return tuple(seen)


@dataclass(frozen=True)
class CarTripParameters:
    """Effects I. `car_share`, `reduction` and each of `transit_shares` in percent."""

    employees: int
    car_share: Decimal
    reduction: Decimal
    trips_per_year: Decimal = DEFAULT_TRIPS_PER_YEAR
    price_per_trip: Decimal = DEFAULT_PRICE_PER_TRIP
    transit_shares: tuple[Decimal, ...] = DEFAULT_TRANSIT_SHARES

    @classmethod
    def build(cls, **values) -> CarTripParameters:
        """The parameters from numbers or their text, or ParameterError naming every bad one."""
        problems = [
            _employees(values["employees"]),
            _number("car_share", values["car_share"], low=Decimal(0), high=HUNDRED, unit=" %"),
            _number("reduction", values["reduction"], low=Decimal(0), high=HUNDRED, unit=" %"),
            _number(
                "trips_per_year",
                values.get("trips_per_year", DEFAULT_TRIPS_PER_YEAR),
                low=Decimal(0),
                high=MAX_TRIPS_PER_YEAR,
            ),
            _number(
                "price_per_trip",
                values.get("price_per_trip", DEFAULT_PRICE_PER_TRIP),
                low=Decimal(0),
                high=MAX_PRICE_PER_TRIP,
                unit=" NOK",
            ),
            _percentages("transit_shares", values.get("transit_shares", DEFAULT_TRANSIT_SHARES)),
        ]
        if found := [p for p in problems if p]:
            raise ParameterError(found)
        return cls(
            employees=int(Decimal(str(values["employees"]))),
            car_share=Decimal(str(values["car_share"])),
            reduction=Decimal(str(values["reduction"])),
            trips_per_year=Decimal(str(values.get("trips_per_year", DEFAULT_TRIPS_PER_YEAR))),
            price_per_trip=Decimal(str(values.get("price_per_trip", DEFAULT_PRICE_PER_TRIP))),
            transit_shares=_dedupe(Decimal(str(v)) for v in values.get("transit_shares", DEFAULT_TRANSIT_SHARES)),
        )


@dataclass(frozen=True)
class SubscriptionParameters:
    """Effects II. Each of `cannibalisations` in percent: the share of the revenue the
    PTA had already, from employees who bought their own ticket before."""

    employees: int
    monthly_price: Decimal = DEFAULT_MONTHLY_PRICE
    cannibalisations: tuple[Decimal, ...] = DEFAULT_CANNIBALISATIONS

    @classmethod
    def build(cls, **values) -> SubscriptionParameters:
        problems = [
            _employees(values["employees"]),
            _number(
                "monthly_price",
                values.get("monthly_price", DEFAULT_MONTHLY_PRICE),
                low=Decimal(0),
                high=MAX_MONTHLY_PRICE,
                unit=" NOK",
            ),
            _percentages("cannibalisations", values.get("cannibalisations", DEFAULT_CANNIBALISATIONS)),
        ]
        if found := [p for p in problems if p]:
            raise ParameterError(found)
        return cls(
            employees=int(Decimal(str(values["employees"]))),
            monthly_price=Decimal(str(values.get("monthly_price", DEFAULT_MONTHLY_PRICE))),
            cannibalisations=_dedupe(Decimal(str(v)) for v in values.get("cannibalisations", DEFAULT_CANNIBALISATIONS)),
        )


@dataclass(frozen=True)
class TransitRevenue:
    transit_share: Decimal  # percent
    transit_trips: Decimal  # reduced car trips made by public transport instead, per year
    revenue: Decimal  # NOK per year


@dataclass(frozen=True)
class CarTripEffects:
    parameters: CarTripParameters
    reduced_car_trips: Decimal  # per year
    revenues: tuple[TransitRevenue, ...] = field(default=())


@dataclass(frozen=True)
class SubscriptionRevenue:
    cannibalisation: Decimal  # percent
    revenue: Decimal  # NOK per year


@dataclass(frozen=True)
class SubscriptionEffects:
    parameters: SubscriptionParameters
    gross_revenue: Decimal  # NOK per year, before cannibalisation
    revenues: tuple[SubscriptionRevenue, ...] = field(default=())


def car_trip_effects(parameters: CarTripParameters) -> CarTripEffects:
    """Effects I: the car trips a year the reduction takes off the road, and the
    revenue of the share of them made by public transport instead."""
    p = parameters
    with localcontext() as ctx:
        ctx.prec = PRECISION
        reduced = Decimal(p.employees) * (p.car_share / HUNDRED) * (p.reduction / HUNDRED) * p.trips_per_year
        revenues = []
        for share in p.transit_shares:
            trips = reduced * share / HUNDRED
            revenues.append(
                TransitRevenue(transit_share=share, transit_trips=tidy(trips), revenue=tidy(trips * p.price_per_trip))
            )
    return CarTripEffects(parameters=p, reduced_car_trips=tidy(reduced), revenues=tuple(revenues))


def subscription_effects(parameters: SubscriptionParameters) -> SubscriptionEffects:
    """Effects II: a monthly ticket for every employee, paid by the company, less the
    part of it the PTA sold already (cannibalisation)."""
    p = parameters
    with localcontext() as ctx:
        ctx.prec = PRECISION
        gross = Decimal(p.employees) * MONTHS * p.monthly_price
        revenues = tuple(
            SubscriptionRevenue(cannibalisation=c, revenue=tidy(gross * (1 - c / HUNDRED))) for c in p.cannibalisations
        )
    return SubscriptionEffects(parameters=p, gross_revenue=tidy(gross), revenues=revenues)


def tidy(value: Decimal) -> Decimal:
    """The same exact value without trailing zeros (4025000, not 4025000.000)."""
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def whole(value: Decimal) -> Decimal | int:
    """The value as an int where it is whole, else the Decimal without trailing zeros."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def plain(value: Decimal) -> str:
    """The value as text with a point: `4025000`, `1234.5` (never an exponent)."""
    shown = whole(value)
    return str(shown) if isinstance(shown, int) else format(shown, "f")


# --- The report's own tables -------------------------------------------------------

#: Effects I as printed in the report: (employees, car share, reduction) ->
#: (reduced car trips, revenue at 20 % transit, revenue at 40 % transit); 460 trips, NOK 20.
REPORT_TABLE_I = {
    (250_000, 35, 10): (4_025_000, 16_100_000, 32_200_000),
    (250_000, 55, 20): (12_650_000, 50_600_000, 101_200_000),
    (450_000, 35, 10): (7_245_000, 28_980_000, 57_960_000),
    (450_000, 55, 20): (22_770_000, 91_080_000, 182_160_000),
}
#: Effects II as printed in the report: employees -> (revenue at 10 %, at 25 % cannibalisation); NOK 700.
REPORT_TABLE_II = {
    250_000: (1_890_000_000, 1_575_000_000),
    450_000: (3_402_000_000, 2_835_000_000),
}


@dataclass(frozen=True)
class ReportRow:
    """One row of a report table: the model's figures and the report's printed ones."""

    effects: CarTripEffects | SubscriptionEffects
    printed: tuple[int, ...]

    @property
    def computed(self) -> tuple[Decimal, ...]:
        if isinstance(self.effects, CarTripEffects):
            return (self.effects.reduced_car_trips, *(r.revenue for r in self.effects.revenues))
        return tuple(r.revenue for r in self.effects.revenues)

    @property
    def matches(self) -> bool:
        return all(c == p for c, p in zip(self.computed, self.printed, strict=True))


def report_tables() -> tuple[list[ReportRow], list[ReportRow]]:
    """The report's parameter sets run through this model, beside its printed figures."""
    table_i = [
        ReportRow(
            car_trip_effects(CarTripParameters.build(employees=e, car_share=c, reduction=r)),
            printed,
        )
        for (e, c, r), printed in REPORT_TABLE_I.items()
    ]
    table_ii = [
        ReportRow(subscription_effects(SubscriptionParameters.build(employees=e)), printed)
        for e, printed in REPORT_TABLE_II.items()
    ]
    return table_i, table_ii


# --- The model on measured figures --------------------------------------------------

#: Car share and reduction are measured to a tenth of a percent, and the model uses them as shown.
SHARE_STEP = Decimal("0.1")


def share_of(part: Decimal, whole_: Decimal) -> Decimal | None:
    """`part` of `whole_` in percent, to a tenth; None without a whole."""
    if not whole_:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return (HUNDRED * Decimal(part) / Decimal(whole_)).quantize(SHARE_STEP)


@dataclass(frozen=True)
class Measured:
    """The measured car shares (percent, baseline and follow-up; None: no figures) and
    the reduction, the relative fall of the car share from baseline to follow-up
    (negative when it rose; None without both)."""

    baseline_car_share: Decimal | None
    followup_car_share: Decimal | None

    @property
    def reduction(self) -> Decimal | None:
        if self.baseline_car_share is None or self.followup_car_share is None or not self.baseline_car_share:
            return None
        with localcontext() as ctx:
            ctx.prec = PRECISION
            fall = HUNDRED * (self.baseline_car_share - self.followup_car_share) / self.baseline_car_share
            return fall.quantize(SHARE_STEP)


def measured_shares(
    *, baseline_car_trips: Decimal, baseline_trips: Decimal, followup_car_trips: Decimal, followup_trips: Decimal
) -> Measured:
    """Car shares from trip sums (never an average of percentages), and so the reduction."""
    return Measured(share_of(baseline_car_trips, baseline_trips), share_of(followup_car_trips, followup_trips))


@dataclass(frozen=True)
class MeasuredEffects:
    """The model on measured figures. `car_trips` is None when the figures do not carry
    Effects I, with `reason`: "no_baseline", "no_followup" or "no_fall"."""

    employees: int
    measured: Measured
    car_trips: CarTripEffects | None
    subscription: SubscriptionEffects
    reason: str = ""


def measured_effects(
    *, employees: int, measured: Measured, scenario: CarTripParameters, subscription: SubscriptionParameters
) -> MeasuredEffects:
    """Effects I on the measured car share and reduction with the scenario's trips per
    year, transit shares and price; Effects II on the employees in the system with the
    scenario's monthly price and cannibalisation."""
    sub = subscription_effects(SubscriptionParameters.build(**{**subscription.__dict__, "employees": employees}))
    reason = ""
    if measured.baseline_car_share is None:
        reason = "no_baseline"
    elif measured.reduction is None:
        reason = "no_followup"
    elif measured.reduction <= 0:
        reason = "no_fall"
    car_trips = None
    if not reason:
        car_trips = car_trip_effects(
            CarTripParameters.build(
                **{
                    **scenario.__dict__,
                    "employees": employees,
                    "car_share": measured.baseline_car_share,
                    "reduction": measured.reduction,
                }
            )
        )
    return MeasuredEffects(employees=employees, measured=measured, car_trips=car_trips, subscription=sub, reason=reason)
