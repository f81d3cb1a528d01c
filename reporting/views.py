"""The PTA's figures on other apps' pages (config.composition)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from core.charts import bar_chart
from core.dates import today
from reporting import selectors
from reporting.services import TREND_MONTHS
from tenants import selectors_national
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required


@staff_required
@require_GET
def today_trend_card(request: AuthenticatedRequest):
    """Member companies and the employees on their lists at the end of each of
    the last twelve months (this one as it stands), as two charts and a table
    of the same figures, for "I dag". Two queries, whatever the PTA's size."""
    months = selectors.monthly_trend(until=today(), count=TREND_MONTHS)
    labels = [date_format(month.day, "M") for month in months]
    return render(
        request,
        "reporting/cards/today_trend.html",
        {
            "months": months,
            "first": next((m for m in months if m.member_companies is not None), months[-1]),
            "last": months[-1],
            "reconstructed": any(m.reconstructed for m in months),
            "company_chart": bar_chart([(label, m.member_companies) for label, m in zip(labels, months, strict=True)]),
            "employee_chart": bar_chart([(label, m.employees) for label, m in zip(labels, months, strict=True)]),
        },
    )


@staff_required
@require_GET
def today_targets_card(request: AuthenticatedRequest):
    """The region's figures against its share of the national 2027 targets (Pta.target_share),
    from its own row of the national aggregates (tenants.RegionStats). Three queries."""
    figures = selectors_national.region_figures(pta=request.tenant)
    return render(request, "reporting/cards/today_targets.html", {"pta": request.tenant, **figures})
