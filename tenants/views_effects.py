"""The effect model's calculator on the national site (tenants.effects), beside the
same model on each region's published figures (tenants.RegionStats and
tenants.RegionSurveyFigures: aggregates only, never a tenant schema)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import render
from django.views.decorators.http import require_GET

from tenants import effects
from tenants.forms_effects import EffectsForm
from tenants.http import AuthenticatedRequest
from tenants.models import Pta, RegionStats, RegionSurveyFigures
from tenants.permissions import coordinator_required
from tenants.selectors import CAR_DRIVER


def calculator_context(form: EffectsForm) -> dict:
    """What both sites' calculator pages show: the form, its results when it is valid,
    and the report's own tables run through the same model."""
    table_i, table_ii = effects.report_tables()
    context = {"form": form, "report_i": table_i, "report_ii": table_ii, "car_trips": None, "subscription": None}
    if form.is_valid():
        context["car_trips"] = effects.car_trip_effects(form.cleaned_data["car_trips"])
        context["subscription"] = effects.subscription_effects(form.cleaned_data["subscription"])
    return context


@dataclass(frozen=True)
class RegionEffects:
    name: str
    effects: effects.MeasuredEffects
    baseline_responses: int | None
    followup_responses: int | None


def _car_trips(figures: RegionSurveyFigures | None) -> Decimal:
    if figures is None:
        return Decimal(0)
    return sum((Decimal(figures.trips_by_mode.get(mode, "0")) for mode in CAR_DRIVER), Decimal(0))


def _trips(figures: RegionSurveyFigures | None) -> Decimal:
    return Decimal(0) if figures is None else Decimal(figures.trips)


def national_measured(
    *, scenario: effects.CarTripParameters, subscription: effects.SubscriptionParameters
) -> tuple[list[RegionEffects], RegionEffects]:
    """The model per region and for the nation on the published figures: employees from
    RegionStats, car shares from the trip sums of RegionSurveyFigures (a kind with
    fewer than 5 responses has no row: no measured figures). The nation's car share
    is its regions' car trips over their trips, not an average of percentages.
    Three queries."""
    regions = list(Pta.objects.regions().order_by("name"))
    employees = dict(RegionStats.objects.values_list("tenant_id", "employees"))
    figures: dict[tuple[int, str], RegionSurveyFigures] = {
        (row.tenant_id, row.kind): row for row in RegionSurveyFigures.objects.filter(tenant__in=regions)
    }

    def run(name, staff, base, follow, base_responses, follow_responses) -> RegionEffects:
        measured = effects.measured_shares(
            baseline_car_trips=sum((_car_trips(f) for f in base), Decimal(0)),
            baseline_trips=sum((_trips(f) for f in base), Decimal(0)),
            followup_car_trips=sum((_car_trips(f) for f in follow), Decimal(0)),
            followup_trips=sum((_trips(f) for f in follow), Decimal(0)),
        )
        result = effects.measured_effects(
            employees=staff, measured=measured, scenario=scenario, subscription=subscription
        )
        return RegionEffects(name, result, base_responses, follow_responses)

    rows = []
    for pta in regions:
        base = [f for f in [figures.get((pta.pk, "baseline"))] if f]
        follow = [f for f in [figures.get((pta.pk, "followup"))] if f]
        rows.append(
            run(
                pta.name,
                employees.get(pta.pk, 0),
                base,
                follow,
                base[0].responses if base else None,
                follow[0].responses if follow else None,
            )
        )
    all_base = [f for (_pk, kind), f in figures.items() if kind == "baseline"]
    all_follow = [f for (_pk, kind), f in figures.items() if kind == "followup"]
    total = run(
        "",
        sum(employees.get(pta.pk, 0) for pta in regions),
        all_base,
        all_follow,
        sum(f.responses for f in all_base) if all_base else None,
        sum(f.responses for f in all_follow) if all_follow else None,
    )
    return rows, total


@coordinator_required
@require_GET
def national_effects(request: AuthenticatedRequest):
    """The calculator (a GET form: bad parameters are 400 with each error on its field,
    and nothing is computed) and the model on every region's figures."""
    form = EffectsForm.from_query(request.GET)
    context = calculator_context(form)
    if form.is_valid():
        context["regions"], context["nation"] = national_measured(
            scenario=form.cleaned_data["car_trips"], subscription=form.cleaned_data["subscription"]
        )
    return render(request, "national/effects.html", context, status=200 if form.is_valid() else 400)
