"""The national emission factor table on the national site (the coordinator's)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tenants import services_factors
from tenants.factors import FactorTableInvalid, to_csv
from tenants.forms_factors import FactorTableForm
from tenants.http import AuthenticatedRequest
from tenants.models import EmissionFactor
from tenants.permissions import coordinator_required
from tenants.question_sets import MODES


def _mode_order() -> dict[str, int]:
    return {code: index for index, (code, _nb, _en) in enumerate(MODES)}


@coordinator_required
@require_GET
def national_factors(request: AuthenticatedRequest):
    """The table: mode, value, years, basis, source, Norwegian figure or substitute and its note."""
    order = _mode_order()
    rows = sorted(EmissionFactor.objects.all(), key=lambda row: (order.get(row.mode, 99), row.valid_from))
    labels = {code: en for code, _nb, en in MODES}
    bases = {row.get_basis_display() for row in rows}
    return render(
        request,
        "national/factors.html",
        {
            "rows": [(row, _(labels.get(row.mode, row.mode))) for row in rows],
            "basis": ", ".join(sorted(bases)),
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def national_factors_edit(request: AuthenticatedRequest):
    """Edit the whole table as CSV; a bad table is refused with every message and nothing saved."""
    if request.method == "POST":
        form = FactorTableForm(request.POST)
        if form.is_valid():
            try:
                services_factors.factor_table_replace(rows=form.cleaned_data["table"], by=request.user)
            except FactorTableInvalid as exc:
                for message in exc.messages:
                    form.add_error("table", message)
            else:
                messages.success(request, _("The emission factor table is saved."))
                return redirect("national_factors")
    else:
        form = FactorTableForm(initial={"table": to_csv(services_factors.factor_rows())})
    return render(request, "national/factors_edit.html", {"form": form})
