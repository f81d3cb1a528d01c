"""This PTA's own figures for the effect model (tenants.effects): the employees in the
system and the car shares measured by its travel surveys."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from employees.models import Employee, EmployeeStatus
from surveys.models import CAR_DRIVER_MODES, RoundKind
from surveys.selectors_region import region_figures
from tenants import effects


@dataclass(frozen=True)
class PtaFigures:
    employees: int
    measured: effects.Measured
    baseline_responses: int | None  # None: fewer than 5 responses, no figures
    followup_responses: int | None


def _car_trips(figures: dict | None) -> Decimal:
    if figures is None:
        return Decimal(0)
    return sum((Decimal(figures["trips_by_mode"].get(mode, "0")) for mode in CAR_DRIVER_MODES), Decimal(0))


def pta_figures() -> PtaFigures:
    """The employees not marked as left, and the car shares of the latest baseline and
    follow-up round of each company (surveys.selectors_region: the same totals the
    national site gets, none for a kind with fewer than 5 responses). Nine queries."""
    baseline = region_figures(kind=RoundKind.BASELINE)
    followup = region_figures(kind=RoundKind.FOLLOWUP)
    measured = effects.measured_shares(
        baseline_car_trips=_car_trips(baseline),
        baseline_trips=Decimal(baseline["trips"]) if baseline else Decimal(0),
        followup_car_trips=_car_trips(followup),
        followup_trips=Decimal(followup["trips"]) if followup else Decimal(0),
    )
    return PtaFigures(
        employees=Employee.objects.exclude(status=EmployeeStatus.LEFT).count(),
        measured=measured,
        baseline_responses=baseline["responses"] if baseline else None,
        followup_responses=followup["responses"] if followup else None,
    )
