"""The national coordinator's dashboard, its export and refresh, and the national companies:
aggregates from the public tables only (tenants.selectors_national)."""

from __future__ import annotations

import logging
import re

from celery import current_app
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.charts import bar_chart
from core.dates import today
from core.exporting import CONTENT_TYPES, Table, attachment, write
from tenants import selectors, selectors_national
from tenants.http import AuthenticatedRequest
from tenants.models import RefreshRequest
from tenants.permissions import coordinator_required

logger = logging.getLogger(__name__)

#: The task every active PTA runs to refresh its figures (reporting.tasks.refresh_region_stats).
REFRESH_TASK = "reporting.tasks.refresh_region_stats"
ORG_NUMBER = re.compile(r"^\d{9}$")


def trend_charts(trend: list[dict]) -> dict:
    labels = [date_format(row["month"], "M") for row in trend]
    return {
        "ticket_chart": bar_chart([(label, row["active_tickets"]) for label, row in zip(labels, trend, strict=True)]),
        "company_chart": bar_chart(
            [(label, row["member_companies"]) for label, row in zip(labels, trend, strict=True)]
        ),
    }


@coordinator_required
@require_GET
def national_dashboard(request: AuthenticatedRequest):
    board = selectors_national.national_dashboard()
    return render(
        request,
        "national/dashboard.html",
        {
            **board,
            **trend_charts(board["trend"]),
            "region_chart": bar_chart([(s.tenant.slug, s.member_companies) for s in board["stats"]]),
            "surveys": selectors.region_survey_rows(),
        },
    )


@coordinator_required
@require_POST
def national_refresh(request: AuthenticatedRequest):
    """Ask every active PTA to refresh its figures now. The request is a row (the page says it is
    pending until every region has refreshed after it); the nightly run covers a lost hand-off."""
    RefreshRequest.objects.create(requested_by=request.user)
    transaction.on_commit(_send_refresh)
    messages.success(request, _("The regions' figures are being refreshed. Reload the page in a minute."))
    return redirect("national_dashboard")


def _send_refresh() -> None:
    try:
        current_app.send_task("tenants.tasks.dispatch_to_tenants", args=(REFRESH_TASK,))
    except Exception:  # the broker is down: the nightly refresh still runs
        logger.exception("could not queue the national refresh")


def _export_tables(board: dict) -> list[Table]:
    regions = Table(
        title=_("Regions"),
        headers=[
            _("PTA"),
            _("Member companies"),
            _("Employees"),
            _("Active corporate tickets"),
            _("Activities done this year"),
            _("Activities planned"),
            _("Members behind on activities"),
            _("Companies measured twice"),
            _("Companies that met the car-share target"),
            _("Car share, baseline (%)"),
            _("Car share, follow-up (%)"),
            _("Users"),
            _("Last sign-in"),
            _("Updated"),
        ],
        rows=[
            [
                s.tenant.name,
                s.member_companies,
                s.employees,
                s.active_tickets,
                s.activities_done,
                s.activities_planned,
                s.members_behind,
                s.companies_measured,
                s.companies_reduced,
                s.car_share_baseline,
                s.car_share_followup,
                usage.users if usage else 0,
                localtime(usage.last_sign_in).strftime("%Y-%m-%d %H:%M") if usage and usage.last_sign_in else "",
                localtime(s.refreshed_at).strftime("%Y-%m-%d %H:%M") if s.refreshed_at else "",
            ]
            for s, usage in board["rows"]
        ],
    )
    trend = Table(
        title=_("Months"),
        headers=[
            _("Month"),
            _("Member companies"),
            _("Employees"),
            _("Active corporate tickets"),
            _("Activities done"),
        ],
        rows=[
            [
                f"{row['month']:%Y-%m}",
                row["member_companies"],
                row["employees"],
                row["active_tickets"],
                row["activities_done"],
            ]
            for row in board["trend"]
        ],
    )
    return [regions, trend]


@coordinator_required
@require_GET
def national_export(request: AuthenticatedRequest, fmt: str):
    """The dashboard's region table and trend as CSV or Excel (another format is 404)."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    content = write(_export_tables(selectors_national.national_dashboard()), fmt=fmt, title=_("National dashboard"))
    return attachment(content, fmt=fmt, filename=f"nasjonalt-{today():%Y-%m-%d}.{fmt}")


@coordinator_required
@require_GET
def national_companies(request: AuthenticatedRequest):
    return render(request, "national/companies.html", {"companies": selectors_national.national_companies()})


@coordinator_required
@require_GET
def national_company_detail(request: AuthenticatedRequest, org_number: str):
    if not ORG_NUMBER.match(org_number):
        raise Http404
    rows = selectors_national.national_company_footprint(org_number=org_number)
    if not rows:
        raise Http404
    return render(request, "national/company_detail.html", {"org_number": org_number, "rows": rows})
