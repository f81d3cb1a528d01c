"""The effect model's calculator on a PTA's site (tenants.effects), beside the same
model on this PTA's own figures (reporting.selectors_effects)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from reporting.selectors_effects import pta_figures
from tenants import effects
from tenants.forms_effects import EffectsForm
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required
from tenants.views_effects import RegionEffects, calculator_context


@staff_required
@require_GET
def calculator(request: AuthenticatedRequest):
    """The calculator (a GET form: bad parameters are 400 with each error on its field,
    and nothing is computed) and the model on the employees in the system and the
    car shares the PTA's surveys measured. PTA staff only."""
    form = EffectsForm.from_query(request.GET)
    context = calculator_context(form)
    if form.is_valid():
        figures = pta_figures()
        context["figures"] = figures
        context["measured"] = effects.measured_effects(
            employees=figures.employees,
            measured=figures.measured,
            scenario=form.cleaned_data["car_trips"],
            subscription=form.cleaned_data["subscription"],
        )
        context["measured_rows"] = [
            RegionEffects(
                request.tenant.name, context["measured"], figures.baseline_responses, figures.followup_responses
            )
        ]
    return render(request, "reporting/effects.html", context, status=200 if form.is_valid() else 400)
