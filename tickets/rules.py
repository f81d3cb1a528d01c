"""The money of one corporate ticket for one employee and one month: the one
place these rules live. Pure arithmetic on Decimal and dates; no ORM.

For one employee and one month (``ticket_month``):

    P  ordinary price      the PTA's ordinary period-ticket price for the month
                           (by default the ordinary annual pass price / 12)
    C  company price       what the company pays the PTA, with any corporate
                           discount; C <= P
    S  employer subsidy    a percentage of C (0-100 %) or a fixed NOK amount,
                           set in the agreement; S <= C
    D  payroll deduction   D = C - S, what the employee pays, deducted from pay
    B  taxable benefit     B = P - D
    A  employer's contribution (arbeidsgiveravgift), estimated: A = B x zone rate
    F  financial-sector tax (finansskatt på lønn): F = B x 5 % for a company in
       finance or insurance (NACE section K), else 0

Worked example: P = 900.00, C = 810.00, S = 50 % -> S = 405.00, D = 405.00,
B = 495.00, A (zone I, 14.1 %) = 69.795, shown as 69.80.

Sources (FACTS.md lists them, read 2026-12-01; check the live sources each year):

- Skattedirektoratet's statement of 23 December 2016 on discounted and
  employer-paid period tickets: a discount clearly linked to the job is taxable
  even when it does not come from the employer; the benefit is the ordinary
  period-ticket price minus what the employee pays (B = P - D); the employer
  withholds tax and reports it in the a-melding.
- Skatte-ABC, "Naturalytelser" (N-1): an employer-paid card used privately,
  commuting included, is a taxable benefit.
- Skatteetaten's yearly SKD-melding on arbeidsgiveravgift, and Skatte-ABC:
  the zone rates and the fribeløp of zone Ia (RULE_PERIODS).
- Finansskatt på lønn: 5 % of the arbeidsgiveravgift base, employers in NACE
  section K (finance and insurance).
- Statistics Norway's KLASS classification "Standard for
  arbeidsgiveravgiftssoner" and its correspondence to the municipalities:
  municipality -> zone (tickets/zones.py and tickets/data/).

Rules change by date, so they are data: each RulePeriod holds the rates from
valid_from to valid_to (both included; valid_to None until further notice).
A change in the law, for example a tax exemption for employer-paid transit
passes, is a new RulePeriod (benefit_taxable=False from its date), not a code
change; months before it keep the period that covered them.

Money is Decimal throughout and exact: figures are rounded half up to øre
(``round_ore``) only where they are shown or exported (``TicketMonth.rounded``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ORE = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def round_ore(amount: Decimal) -> Decimal:
    """Round to whole øre, half up (69.795 -> 69.80), for display and export only."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


class TicketRuleError(ValueError):
    """An input the rules refuse, with the field and the value it concerns (for a clear message)."""

    def __init__(self, field: str, value, message: str):
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"{field}={value}: {message}")


# --- Zones --------------------------------------------------------------------------

#: The zone keys, as companies.models.EmployerZone stores them, and how the law writes them.
ZONE_NAMES: Mapping[str, str] = MappingProxyType(
    {"1": "I", "1a": "Ia", "2": "II", "3": "III", "4": "IV", "4a": "IVa", "5": "V"}
)


# --- Rule periods ---------------------------------------------------------------------


@dataclass(frozen=True)
class RulePeriod:
    """The rates that apply from valid_from to valid_to (both included)."""

    valid_from: date
    valid_to: date | None
    #: Arbeidsgiveravgift per zone key, in per cent.
    zone_rates: Mapping[str, Decimal]
    #: Finansskatt på lønn, in per cent of the arbeidsgiveravgift base.
    financial_tax_rate: Decimal
    #: Zone Ia pays its reduced rate only until the employer's saving for the year
    #: (against the zone I rate) reaches this amount; then the zone I rate.
    zone_1a_fribelop: Decimal
    #: False in a period where the law exempts the ticket: no benefit, no contribution.
    benefit_taxable: bool = True
    sources: tuple[str, ...] = field(default=())

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


RULE_PERIODS: tuple[RulePeriod, ...] = (
    RulePeriod(
        # The extra 5 % on pay above NOK 850,000 (2023-2024) was abolished from 1 January 2025;
        # earlier months are not covered here (ticket_month refuses them).
        valid_from=date(2025, 1, 1),
        # Until further notice: rates checked for 2025 and 2026. Close this period and add
        # the next one when a yearly SKD-melding changes a rate.
        valid_to=None,
        zone_rates=MappingProxyType(
            {
                "1": Decimal("14.1"),
                "1a": Decimal("10.6"),
                "2": Decimal("10.6"),
                "3": Decimal("6.4"),
                "4": Decimal("5.1"),
                "4a": Decimal("7.9"),
                "5": Decimal("0"),
            }
        ),
        financial_tax_rate=Decimal("5"),
        zone_1a_fribelop=Decimal("850000"),
        benefit_taxable=True,
        sources=(
            "Skatteetaten, SKD-melding om arbeidsgiveravgift 2025 and 2026; Skatte-ABC, Arbeidsgiveravgift",
            "Skattedirektoratet, uttalelse 23.12.2016 om rabatterte og arbeidsgiverbetalte periodekort",
            "Skatte-ABC, Naturalytelser (N-1)",
            "Finansskatt på lønn: 5 % of the arbeidsgiveravgift base, NACE section K",
        ),
    ),
)


class NoRulePeriod(LookupError):
    """No rule period covers the month: the rates for it have not been entered."""


def rule_period_for(day: date, periods: tuple[RulePeriod, ...] = RULE_PERIODS) -> RulePeriod:
    for period in periods:
        if period.covers(day):
            return period
    raise NoRulePeriod(
        f"No payroll rule period covers {day:%Y-%m}: add the rates from that year's SKD-melding to tickets/rules.py."
    )


# --- Where each amount is reported in the a-melding --------------------------------------


@dataclass(frozen=True)
class Reporting:
    """How one amount column of the payroll report reaches the a-melding."""

    #: The a-melding income description (lønnsbeskrivelse), or None where the amount is no income item.
    income_description: str | None
    #: False: an interpretation that must be confirmed against the a-melding guidance before
    #: payroll systems rely on it.
    confirmed: bool
    note: str


#: Per amount column of TicketMonth. FACTS.md (read in stored copies of Skatteetaten's Inntekt API
#: code documentation) found: `friTransport` is NOT the code (it counts days of transport in the
#: employer's own vehicles); `skattepliktigPersonalrabatt` covers taxable discounts, also from
#: third parties, reported as a benefit in kind with withholding. Nothing else here is confirmed.
REPORTING: Mapping[str, Reporting] = MappingProxyType(
    {
        "taxable_benefit": Reporting(
            income_description="skattepliktigPersonalrabatt",
            confirmed=False,
            note=(
                "Interpretation: the 2016 statement makes the ticket's benefit a taxable discount reported in "
                "the a-melding with withholding; skattepliktigPersonalrabatt is the description for taxable "
                "discounts, also from third parties. Confirm with the a-melding guidance (not friTransport)."
            ),
        ),
        "payroll_deduction": Reporting(
            income_description=None,
            confirmed=False,
            note=(
                "What the employee pays, deducted from net pay. Not found as an income description; "
                "how the payroll system records the deduction must be confirmed."
            ),
        ),
        "employer_contribution": Reporting(
            income_description=None,
            confirmed=False,
            note=(
                "Arbeidsgiveravgift is computed on the base the benefit belongs to and reported per zone in "
                "the a-melding, not as an income description; this figure is an estimate (zone Ia, see notes). "
                "Confirm the reporting with the a-melding guidance."
            ),
        ),
        "financial_tax": Reporting(
            income_description=None,
            confirmed=False,
            note=(
                "Finansskatt på lønn is reported in the a-melding on the same base; the field it goes in "
                "must be confirmed with the a-melding guidance."
            ),
        ),
    }
)


# --- The employer's subsidy -------------------------------------------------------------


@dataclass(frozen=True)
class Subsidy:
    """The employer's share of the company price: a percentage of it, or a fixed NOK amount."""

    percent: Decimal | None = None
    amount: Decimal | None = None

    def __post_init__(self):
        if self.percent is not None and self.amount is not None:
            raise TicketRuleError("subsidy", self.amount, "A subsidy is a percentage or a NOK amount, not both.")
        if self.percent is not None and not ZERO <= self.percent <= HUNDRED:
            raise TicketRuleError("subsidy_percent", self.percent, "A subsidy percentage is between 0 and 100.")
        if self.amount is not None and self.amount < ZERO:
            raise TicketRuleError("subsidy_amount", self.amount, "A subsidy amount cannot be negative.")

    def of(self, company_price: Decimal) -> Decimal:
        """S for a company price C (exact; not rounded)."""
        if self.percent is not None:
            return company_price * self.percent / HUNDRED
        return self.amount if self.amount is not None else ZERO


NO_SUBSIDY = Subsidy()


# --- One employee, one month -------------------------------------------------------------

ZONE_1A_NOTE = _(
    "Zone Ia is estimated at %(rate)s %%. The employer pays that rate only until its saving for the year "
    "reaches the fribeløp (NOK %(fribelop)s), and %(full_rate)s %% after that; this system cannot see that saving."
)
NOT_TAXABLE_NOTE = _("The corporate ticket is not a taxable benefit in this month under the rules then in force.")


@dataclass(frozen=True)
class TicketMonth:
    """Every figure of one employee's corporate ticket for one month, exact (Decimal, not rounded)."""

    month: date  # its first day
    ordinary: Decimal  # P
    company_price: Decimal  # C
    subsidy: Decimal  # S
    payroll_deduction: Decimal  # D = C - S
    taxable_benefit: Decimal  # B = P - D
    zone: str
    zone_rate: Decimal  # per cent
    employer_contribution: Decimal  # A = B x zone rate
    financial_tax_rate: Decimal  # per cent; 0 outside finance
    financial_tax: Decimal  # B x 5 % in finance
    notes: tuple[str | Promise, ...]
    period: RulePeriod

    @property
    def employer_taxes(self) -> Decimal:
        """A + F: what the benefit costs the employer on top of the subsidy."""
        return self.employer_contribution + self.financial_tax

    AMOUNTS: ClassVar[tuple[str, ...]] = (
        "ordinary",
        "company_price",
        "subsidy",
        "payroll_deduction",
        "taxable_benefit",
        "employer_contribution",
        "financial_tax",
        "employer_taxes",
    )

    def rounded(self) -> dict[str, Decimal]:
        """The amounts as shown and exported: each rounded to øre, half up."""
        return {name: round_ore(getattr(self, name)) for name in self.AMOUNTS}


def ordinary_monthly_price(*, annual_price: Decimal, override: Decimal | None = None) -> Decimal:
    """P: the PTA's own monthly price where it sets one, else the ordinary annual pass price / 12 (exact)."""
    if override is not None:
        return override
    return annual_price / 12


def ticket_month(
    *,
    ordinary: Decimal,
    company_price: Decimal,
    subsidy: Subsidy | None,
    zone: str,
    finance: bool,
    month: date,
    periods: tuple[RulePeriod, ...] = RULE_PERIODS,
) -> TicketMonth:
    """All figures of one employee's corporate ticket in `month` (any day of it).

    Raises TicketRuleError for a company price above the ordinary price, a
    subsidy above the company price, a negative amount or an unknown zone, and
    NoRulePeriod for a month no rule period covers.
    """
    month = month.replace(day=1)
    subsidy = subsidy or NO_SUBSIDY
    if ordinary < ZERO:
        raise TicketRuleError("ordinary", ordinary, "The ordinary price cannot be negative.")
    if company_price < ZERO:
        raise TicketRuleError("company_price", company_price, "The company price cannot be negative.")
    if company_price > ordinary:
        raise TicketRuleError(
            "company_price", company_price, f"The company price is more than the ordinary price {ordinary}."
        )
    if zone not in ZONE_NAMES:
        raise TicketRuleError("zone", zone, f"Unknown zone; one of {', '.join(ZONE_NAMES)}.")
    employer_share = subsidy.of(company_price)
    if employer_share > company_price:
        raise TicketRuleError("subsidy", employer_share, f"The subsidy is more than the company price {company_price}.")
    period = rule_period_for(month, periods)
    deduction = company_price - employer_share
    notes: list[str | Promise] = []
    if period.benefit_taxable:
        benefit = ordinary - deduction
        zone_rate = period.zone_rates[zone]
        financial_rate = period.financial_tax_rate if finance else ZERO
    else:
        benefit, zone_rate, financial_rate = ZERO, ZERO, ZERO
        notes.append(NOT_TAXABLE_NOTE)
    if zone == "1a" and period.benefit_taxable:
        fribelop = f"{period.zone_1a_fribelop:,.0f}".replace(",", "\N{NO-BREAK SPACE}")
        notes.append(ZONE_1A_NOTE % {"rate": zone_rate, "fribelop": fribelop, "full_rate": period.zone_rates["1"]})
    return TicketMonth(
        month=month,
        ordinary=ordinary,
        company_price=company_price,
        subsidy=employer_share,
        payroll_deduction=deduction,
        taxable_benefit=benefit,
        zone=zone,
        zone_rate=zone_rate,
        employer_contribution=benefit * zone_rate / HUNDRED,
        financial_tax_rate=financial_rate,
        financial_tax=benefit * financial_rate / HUNDRED,
        notes=tuple(notes),
        period=period,
    )


# --- The months of a corporate ticket -------------------------------------------------------
#
# A ticket runs in whole months, and a change takes effect from the next month.
# At the roll-over into month M (tickets.services.ticket_rollover):
#   - a ticket whose last month is before M, or whose employee has left (status
#     left, end date before M: the month of leaving is the last), ends; one that
#     never started is cancelled;
#   - a ticket in a month of leave is paused: a month of leave is one the leave
#     covers whole (from its 1st to its last day; no end date: until further
#     notice), since the employee travels in a month of leave begun or ended;
#   - otherwise a ticket whose first month has come is active.


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The 1st of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def last_day_of_month(day: date) -> date:
    return next_month(day) - timedelta(days=1)


def is_leave_month(month: date, *, leave_from: date | None, leave_until: date | None) -> bool:
    """Whether the leave covers all of `month` (the ticket is paused then)."""
    return (
        leave_from is not None
        and leave_from <= first_of_month(month)
        and (leave_until is None or leave_until >= last_day_of_month(month))
    )
