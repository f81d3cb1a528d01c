"""A company's commuting emissions: the GHG Protocol's Scope 3 category 7 ("Employee
commuting"), distance-based method. Pure arithmetic on Decimal, no ORM;
reporting.selectors_climate feeds it the sums PostgreSQL worked out, and
reporting.services_climate turns the result into the report.

The method, as the report states it:

- Per respondent: one-way distance (km) × 2 (there and back) × commuting days per
  year × the emission factor of their main mode (g CO2e per passenger-km).
- Commuting days per year = commuting days per week × WORKING_WEEKS_PER_YEAR (46:
  52 weeks less 5 weeks of holiday and about one week of public holidays).
  Home-office days are not commuting days and emit nothing here (home-office
  energy is outside this estimate).
- Respondents whose emissions cannot be estimated (no factor for their mode, "other",
  or no distance or days answered) are counted as "not estimated"; the others'
  average stands for them too. The respondents' average per employee is scaled to
  all the company's employees (× employees / estimated respondents).
- Totals are in tonnes CO2e per year and kg CO2e per employee per year.
- Change from baseline to follow-up: the baseline's kg per employee minus the
  follow-up's, both with the same factor table (so the change is behaviour, not a
  new factor); CO2e avoided = that difference × employees (negative: an increase).
- Car trips replaced = (the baseline's car-driver share of commuting days − the
  follow-up's) × every one-way commuting trip of the company's employees in a year
  (employees × the follow-up's commuting days per respondent per week × 2 × 46).
- Coverage: a round with fewer than MIN_RESPONDENTS responses, or a response rate
  below MIN_RESPONSE_RATE (50 %, below the campaign's targets of 75 % for a baseline
  and 60 % for a follow-up, which the report names as well), or with no invitations
  to work a rate out from, gives no figures, only the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: Working weeks per year: 52 less 5 weeks of holiday and about 1 week of public holidays.
WORKING_WEEKS_PER_YEAR = Decimal(46)
#: A commuting day is two one-way trips.
TRIPS_PER_DAY = 2
#: A round with fewer responses gives no figures (as the survey results' suppression).
MIN_RESPONDENTS = 5
#: A round answered by fewer than this share of those invited gives no figures (percent).
MIN_RESPONSE_RATE = Decimal(50)

HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)
TONNES = Decimal("0.01")
KG = Decimal("0.1")
ONE_DECIMAL = Decimal("0.1")
WHOLE = Decimal(1)

# Reasons a round gives no figures (reporting.services_climate words them).
TOO_FEW_RESPONSES = "too_few_responses"
RATE_TOO_LOW = "rate_too_low"
NO_INVITATIONS = "no_invitations"
NOTHING_ESTIMATED = "nothing_estimated"


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def q(value: Decimal | None, step: Decimal) -> Decimal | None:
    """Round half up to `step`; None stays None: q(Decimal("3.515"), TONNES) == Decimal("3.52")."""
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    """Unrounded share in percent; None without a whole."""
    whole = _d(whole)
    return None if whole <= 0 else _d(part) * HUNDRED / whole


# --- Inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeSums:
    """One main mode's responses in a round, as the grouped query returns them."""

    mode: str  # a surveys.models.Mode code; "" for not answered
    responses: int
    estimable: int = 0  # responses with both a distance and commuting days
    km_days: Decimal = Decimal(0)  # SUM(distance_km * commute_days) over those
    days: Decimal = Decimal(0)  # SUM(commute_days) over every response with days
    with_days: int = 0  # responses with commuting days answered


@dataclass(frozen=True)
class RoundSums:
    responses: int
    invited: int
    modes: tuple[ModeSums, ...] = ()


# --- Coverage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    responses: int
    invited: int
    reason: str = ""  # "" when covered

    @property
    def ok(self) -> bool:
        return not self.reason

    @property
    def rate(self) -> Decimal | None:
        return q(percent(self.responses, self.invited), ONE_DECIMAL)


def coverage(*, responses: int, invited: int) -> Coverage:
    """Whether a round's responses may be reported: at least MIN_RESPONDENTS and a response
    rate of at least MIN_RESPONSE_RATE of a known number invited."""
    if responses < MIN_RESPONDENTS:
        return Coverage(responses, invited, TOO_FEW_RESPONSES)
    if invited <= 0:
        return Coverage(responses, invited, NO_INVITATIONS)
    if _d(responses) * HUNDRED / _d(invited) < MIN_RESPONSE_RATE:
        return Coverage(responses, invited, RATE_TOO_LOW)
    return Coverage(responses, invited)


# --- One round's emissions ----------------------------------------------------------------------


@dataclass(frozen=True)
class ModeEmissions:
    mode: str
    responses: int
    estimated: int
    grams_per_pkm: Decimal | None  # None: no factor for the mode
    person_km: Decimal  # the estimated respondents' passenger-km per year
    kg: Decimal  # the estimated respondents' kg CO2e per year
    kg_all_employees: Decimal  # scaled to every employee
    share_of_emissions: Decimal | None  # percent of the round's emissions
    share_of_days: Decimal | None  # the mode's share of commuting days (percent)


@dataclass(frozen=True)
class RoundEmissions:
    coverage: Coverage
    employees: int
    modes: tuple[ModeEmissions, ...] = ()
    estimated: int = 0
    not_estimated: int = 0
    not_estimated_modes: tuple[str, ...] = ()  # modes with no factor that had respondents
    kg_per_employee: Decimal | None = None  # unrounded
    total_kg: Decimal | None = None  # unrounded, every employee
    car_share: Decimal | None = None  # car drivers' share of commuting days, unrounded percent
    sustainable_share: Decimal | None = None  # unrounded percent
    days_per_respondent: Decimal | None = None  # commuting days per week per respondent with days
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason

    @property
    def total_tonnes(self) -> Decimal | None:
        return None if self.total_kg is None else self.total_kg / THOUSAND


def annual_person_km(km_days: Decimal) -> Decimal:
    """Passenger-km per year from SUM(one-way km × commuting days per week): × 2 × 46."""
    return _d(km_days) * TRIPS_PER_DAY * WORKING_WEEKS_PER_YEAR


def shares(
    sums: RoundSums, *, car_modes: Iterable[str], sustainable_modes: Iterable[str]
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The car drivers' and the sustainable modes' shares of commuting days (unrounded percent),
    and the commuting days per week per respondent who answered them (surveys.rules' definitions)."""
    car_modes, sustainable_modes = set(car_modes), set(sustainable_modes)
    all_days = sum((_d(m.days) for m in sums.modes), Decimal(0))
    car_days = sum((_d(m.days) for m in sums.modes if m.mode in car_modes), Decimal(0))
    sustainable_days = sum((_d(m.days) for m in sums.modes if m.mode in sustainable_modes), Decimal(0))
    answered = sum((m.with_days for m in sums.modes), 0)
    return (
        percent(car_days, all_days),
        percent(sustainable_days, all_days),
        all_days / answered if answered else None,
    )


def round_emissions(
    sums: RoundSums,
    *,
    factors: Mapping[str, Decimal],
    employees: int,
    car_modes: Iterable[str],
    sustainable_modes: Iterable[str],
) -> RoundEmissions:
    """The round's emissions with `factors` (g CO2e/pkm per mode code), scaled to `employees`;
    no figures (a reason instead) when the round is not covered or nothing could be estimated."""
    cover = coverage(responses=sums.responses, invited=sums.invited)
    if not cover.ok:
        return RoundEmissions(coverage=cover, employees=employees, reason=cover.reason)
    rows = []
    estimated = 0
    missing_modes = []
    for m in sums.modes:
        factor = factors.get(m.mode) if m.mode else None
        counted = m.estimable if factor is not None else 0
        if factor is None and m.responses and m.mode:
            missing_modes.append(m.mode)
        person_km = annual_person_km(m.km_days) if factor is not None else Decimal(0)
        kg = person_km * _d(factor) / THOUSAND
        estimated += counted
        rows.append((m, factor, counted, person_km, kg))
    respondents_kg = sum((kg for *_, kg in rows), Decimal(0))
    car_share, sustainable_share, days_per_respondent = shares(
        sums, car_modes=car_modes, sustainable_modes=sustainable_modes
    )
    base = dict(
        coverage=cover,
        employees=employees,
        estimated=estimated,
        not_estimated=sums.responses - estimated,
        not_estimated_modes=tuple(missing_modes),
        car_share=car_share,
        sustainable_share=sustainable_share,
        days_per_respondent=days_per_respondent,
    )
    if estimated == 0:
        return RoundEmissions(**base, reason=NOTHING_ESTIMATED)
    scale = _d(employees) / _d(estimated)
    all_days = sum((_d(m.days) for m in sums.modes), Decimal(0))
    modes = tuple(
        ModeEmissions(
            mode=m.mode,
            responses=m.responses,
            estimated=counted,
            grams_per_pkm=factor,
            person_km=person_km,
            kg=kg,
            kg_all_employees=kg * scale,
            share_of_emissions=percent(kg, respondents_kg),
            share_of_days=percent(m.days, all_days),
        )
        for m, factor, counted, person_km, kg in rows
    )
    per_employee = respondents_kg / _d(estimated)
    return RoundEmissions(**base, modes=modes, kg_per_employee=per_employee, total_kg=per_employee * _d(employees))


# --- Baseline to follow-up --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    available: bool
    reason: str = ""
    kg_per_employee_avoided: Decimal | None = None  # baseline minus follow-up
    tonnes_avoided: Decimal | None = None  # × employees; negative is an increase
    car_share_points: Decimal | None = None  # baseline minus follow-up, percentage points
    car_trips_replaced: Decimal | None = None  # one-way trips per year; negative is more car trips
    trips_per_year: Decimal | None = None  # every one-way commuting trip of the employees per year


NO_BASELINE = "no_baseline"
NO_FOLLOWUP = "no_followup"
BASELINE_NOT_COVERED = "baseline_not_covered"
FOLLOWUP_NOT_COVERED = "followup_not_covered"


def change(baseline: RoundEmissions | None, followup: RoundEmissions | None, *, employees: int) -> Change:
    """The change from the baseline to the follow-up (both covered, the same factors)."""
    if baseline is None:
        return Change(False, NO_BASELINE)
    if followup is None:
        return Change(False, NO_FOLLOWUP)
    if not baseline.ok:
        return Change(False, BASELINE_NOT_COVERED)
    if not followup.ok:
        return Change(False, FOLLOWUP_NOT_COVERED)
    per_employee = baseline.kg_per_employee - followup.kg_per_employee
    trips = None
    replaced = None
    points = None
    if baseline.car_share is not None and followup.car_share is not None:
        points = baseline.car_share - followup.car_share
        if followup.days_per_respondent is not None:
            trips = _d(employees) * followup.days_per_respondent * TRIPS_PER_DAY * WORKING_WEEKS_PER_YEAR
            replaced = points / HUNDRED * trips
    return Change(
        True,
        kg_per_employee_avoided=per_employee,
        tonnes_avoided=per_employee * _d(employees) / THOUSAND,
        car_share_points=points,
        car_trips_replaced=replaced,
        trips_per_year=trips,
    )


@dataclass(frozen=True)
class TicketUptake:
    active_tickets: int
    employees: int

    @property
    def share(self) -> Decimal | None:
        return q(percent(self.active_tickets, self.employees), ONE_DECIMAL)
