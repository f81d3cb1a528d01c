"""The PTA's emission factors: the effective table of a year (the national table with the
region's overrides), and the PTA admin's overrides. Advisers read; PTA admins edit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.dates import today
from core.forms import add_validation_error, confirmed
from reporting import emission_factors, services_factors
from reporting.models import EmissionFactorOverride
from surveys.models import Mode
from tenants.http import AuthenticatedRequest
from tenants.models import FactorBasis, Role
from tenants.permissions import pta_admin_required, staff_required

YEARS = (2000, 2100)


class OverrideForm(forms.Form):
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=Mode.choices)
    grams_per_pkm = forms.DecimalField(
        label=gettext_lazy("g CO2e per passenger-km"), max_digits=7, decimal_places=2, min_value=0
    )
    valid_from = forms.IntegerField(label=gettext_lazy("Valid from (year)"), min_value=YEARS[0], max_value=YEARS[1])
    valid_until = forms.IntegerField(
        label=gettext_lazy("Valid until (year)"),
        min_value=YEARS[0],
        max_value=YEARS[1],
        required=False,
        help_text=gettext_lazy("Empty: until further notice."),
    )
    source = forms.CharField(label=gettext_lazy("Source"), max_length=300)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("For example: the city buses are all electric from 2025."),
    )


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and YEARS[0] <= int(raw) <= YEARS[1]:
        return int(raw)
    return today().year


@staff_required
@require_GET
def index(request: AuthenticatedRequest):
    """The factors a climate report of the year would use from the table (national rows, the
    region's overrides marked), whether Miljødata is configured, and the region's overrides."""
    year = _year(request)
    try:
        factor_set = emission_factors.TableProvider().factors(year)
        problem = ""
    except emission_factors.FactorsUnavailable as exc:
        factor_set, problem = None, str(exc)
    rows = []
    if factor_set is not None:
        rows = [(Mode(mode).label, factor_set.factors[mode]) for mode in Mode.values if mode in factor_set.factors]
    return render(
        request,
        "reporting/factors/index.html",
        {
            "year": year,
            "factor_set": factor_set,
            "basis": FactorBasis(factor_set.basis).label if factor_set and factor_set.basis else "",
            "rows": rows,
            "problem": problem,
            "miljodata_configured": emission_factors.is_configured(),
            "overrides": [
                (Mode(o.mode).label if o.mode in Mode.values else o.mode, o)
                for o in EmissionFactorOverride.objects.all()
            ],
            "can_edit": request.membership.role == Role.PTA_ADMIN,
        },
    )


@pta_admin_required
@require_http_methods(["GET", "POST"])
def override_add(request: AuthenticatedRequest):
    form = OverrideForm(request.POST or None, initial={"valid_from": today().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_factors.override_add(
                mode=data["mode"],
                grams_per_pkm=data["grams_per_pkm"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                source=data["source"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request, _("The regional factor for %(mode)s is saved.") % {"mode": Mode(data["mode"]).label}
            )
            return redirect("emission_factors:index")
    return render(request, "reporting/factors/override_form.html", {"form": form})


@pta_admin_required
@require_http_methods(["GET", "POST"])
def override_remove(request: AuthenticatedRequest, pk: int):
    override = get_object_or_404(EmissionFactorOverride, pk=pk)
    label = Mode(override.mode).label if override.mode in Mode.values else override.mode
    if not confirmed(request):
        return render(
            request,
            "reporting/factors/override_confirm_remove.html",
            {
                "question": _("Remove the regional factor for %(mode)s?") % {"mode": label},
                "consequences": [
                    _("%(value)s g/pkm from %(year)s, source: %(source)s.")
                    % {"value": override.grams_per_pkm, "year": override.valid_from, "source": override.source},
                    _("Reports made from now on use the national table's row for these years."),
                ],
                "confirm_label": _("Remove the factor"),
                "cancel_url": reverse("emission_factors:index"),
            },
        )
    services_factors.override_remove(override=override)
    messages.success(request, _("The regional factor for %(mode)s is removed.") % {"mode": label})
    return redirect("emission_factors:index")
