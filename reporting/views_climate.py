"""The climate report pages: a company's "Klimarapport" tab (staff and the company's contact
persons: make this year's report, follow its progress, download the PDF and the figures), the
card on Min side, and the PTA's certification levels (the PTA admin edits them, advisers read).

Another company is 404 and a missing role 403 (companies.permissions, tenants.permissions).
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from companies.models import Company
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user
from core.dates import today
from core.exporting import Table, write_csv
from reporting import certification
from reporting import selectors_climate as selectors
from reporting import services_climate as services
from reporting.forms_climate import LevelFormSet, ReportYearForm
from reporting.models import CertificationLevel, ClimateReport, ReportState
from tenants.http import AuthenticatedRequest
from tenants.models import Role
from tenants.permissions import staff_required

#: Reports listed on the page at most (newest first).
REPORTS_SHOWN = 20
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _get_report_for_user(request: CompanyRequest, company_pk: int, pk: int) -> tuple[Company, ClimateReport]:
    company = get_company_for_user(request, company_pk)
    report = get_object_or_404(ClimateReport.objects.select_related("document"), pk=pk, company=company)
    return company, report


def _gap_label(metric: str) -> str:
    return {
        certification.RESPONSE_RATE: _("Response rate"),
        certification.CAR_SHARE_REDUCTION: _("Fall in the car share since the baseline (percentage points)"),
        certification.SUSTAINABLE_SHARE: _("Share walking, cycling and by public transport"),
    }[metric]


def _certification_context(result: certification.Result) -> dict:
    return {
        "achieved": result.achieved,
        "next": result.next,
        "gaps": [
            {
                "label": _gap_label(gap.metric),
                "needed": gap.needed,
                "current": gap.current,
                "points": gap.metric == certification.CAR_SHARE_REDUCTION,
            }
            for gap in result.gaps
        ],
    }


@company_member_required
@require_http_methods(["GET", "POST"])
def company_climate(request: CompanyRequest, company_pk: int):
    """The company's climate reports, newest first, with their progress (polled while they are
    made), the certification now and what the next level needs; POST asks for a report of the
    year chosen (staff and the company's contact persons)."""
    company = get_company_for_user(request, company_pk)
    form = ReportYearForm(request.POST or None, years=services.report_years())
    if request.method == "POST" and form.is_valid():
        try:
            services.climate_report_request(company=company, year=form.cleaned_data["year"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The climate report is being made. It appears here when it is ready."))
            return redirect("climate:company", company.pk)
    reports = list(selectors.company_reports(company=company)[:REPORTS_SHOWN])
    return render(
        request,
        "reporting/climate/company.html",
        {
            "company": company,
            "tab": "climate",
            "form": form,
            "reports": reports,
            "certification": _certification_context(services.certification_for(company=company, day=today())),
        },
        status=400 if request.method == "POST" else 200,
    )


@company_member_required
@require_GET
def report_progress(request: CompanyRequest, company_pk: int, pk: int):
    """One report's row (htmx polls it every 2 s while it waits or is being made)."""
    company, report = _get_report_for_user(request, company_pk, pk)
    return render(request, "reporting/climate/_report_row.html", {"company": company, "report": report})


@company_member_required
@require_GET
def report_download(request: CompanyRequest, company_pk: int, pk: int):
    """The report's PDF (its document in the company's documents), as an attachment."""
    company, report = _get_report_for_user(request, company_pk, pk)
    document = report.document
    if report.state != ReportState.DONE or document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"klimarapport-{company.org_number}-{report.year}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _number(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def figures_tables(figures: dict) -> list[Table]:
    """The report's figures as tables for the CSV (the JSON is the figures themselves)."""
    tables = [
        Table(
            _("Climate report"),
            [_("Figure"), _("Value"), _("Unit")],
            [
                [_("Company"), figures["company"]["name"], ""],
                [_("Organisation number"), figures["company"]["org_number"], ""],
                [_("Year"), figures["year"], ""],
                [_("Employees"), figures["employees"], ""],
                [_("Figures given"), _("Yes") if figures["covered"] else _("No"), ""],
                [_("Why no figures"), figures["reason"], ""],
            ],
        )
    ]
    totals = figures.get("totals")
    if totals:
        tables[0].rows.extend(
            [
                [_("Emissions per year"), _number(totals["tonnes"]), "t CO2e"],
                [_("Per employee per year"), _number(totals["kg_per_employee"]), "kg CO2e"],
                [_("Respondents"), totals["respondents"], ""],
                [_("Respondents not estimated"), totals["not_estimated"], ""],
            ]
        )
        current = figures["rounds"][figures["current"]]
        tables.append(
            Table(
                _("Emissions per mode"),
                [
                    _("Mode"),
                    _("Responses"),
                    _("Estimated"),
                    "g CO2e/pkm",
                    _("Passenger-km per year (respondents)"),
                    _("t CO2e per year (all employees)"),
                    _("Share of emissions, percent"),
                    _("Share of commuting days, percent"),
                ],
                [
                    [
                        m["label"],
                        m["responses"],
                        m["estimated"],
                        _number(m["grams_per_pkm"]),
                        _number(m["person_km_respondents"]),
                        _number(m["tonnes_all_employees"]),
                        _number(m["share_of_emissions"]),
                        _number(m["share_of_days"]),
                    ]
                    for m in current["modes"]
                ],
            )
        )
    change = figures.get("change")
    if change:
        tables.append(
            Table(
                _("Change from baseline to follow-up"),
                [_("Figure"), _("Value"), _("Unit")],
                [
                    [_("Change worked out"), _("Yes") if change["available"] else _("No"), change["reason"]],
                    [_("Avoided per employee per year"), _number(change["kg_per_employee_avoided"]), "kg CO2e"],
                    [_("Avoided per year"), _number(change["tonnes_avoided"]), "t CO2e"],
                    [_("Car share down"), _number(change["car_share_points"]), _("percentage points")],
                    [_("Car trips replaced per year"), _number(change["car_trips_replaced"]), ""],
                ],
            )
        )
    tickets = figures.get("tickets") or {}
    tables.append(
        Table(
            _("Corporate tickets"),
            [_("Active tickets"), _("Employees"), _("Share, percent")],
            [[tickets.get("active"), tickets.get("employees"), _number(tickets.get("share"))]],
        )
    )
    factors = figures["factors"]
    tables.append(
        Table(
            _("Emission factors (%(provider)s, %(basis)s)")
            % {"provider": factors["provider"], "basis": factors["basis"]},
            [_("Mode"), "g CO2e/pkm", _("Source"), _("Year of the figure"), _("Norwegian figure"), _("Note")],
            [
                [
                    row["label"],
                    _number(row["grams_per_pkm"]),
                    row["source"],
                    row["source_year"],
                    _("Yes") if row["norwegian"] else _("No"),
                    row["note"],
                ]
                for row in factors["rows"]
            ],
        )
    )
    cert = figures.get("certification") or {}
    tables.append(
        Table(
            _("Certification"),
            [_("Level reached"), _("Next level")],
            [[cert.get("achieved", ""), cert.get("next", "")]],
        )
    )
    return tables


@company_member_required
@require_GET
def report_figures(request: CompanyRequest, company_pk: int, pk: int, fmt: str):
    """The report's figures as CSV or JSON (another format is 404), once the report is ready."""
    if fmt not in FORMATS:
        raise Http404
    company, report = _get_report_for_user(request, company_pk, pk)
    if report.state != ReportState.DONE:
        raise Http404
    if fmt == "json":
        content = json.dumps(report.figures, ensure_ascii=False, indent=2).encode()
    else:
        content = write_csv(figures_tables(report.figures))
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="klimatall-{company.org_number}-{report.year}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@company_member_required
@require_GET
def minside_climate_card(request: CompanyRequest, pk: int):
    """Min side's card: the latest ready report (download), the certification level now and the
    next, and a link to the climate report page."""
    company = get_company_for_user(request, pk)
    return render(
        request,
        "reporting/climate/card.html",
        {
            "company": company,
            "report": selectors.latest_done_report(company=company),
            "certification": _certification_context(services.certification_for(company=company, day=today())),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def certification_levels(request: AuthenticatedRequest):
    """The PTA's certification levels: the PTA admin edits them (POST), advisers read them."""
    can_edit = request.membership.role == Role.PTA_ADMIN
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    services.certification_levels()  # the defaults on first use
    queryset = CertificationLevel.objects.order_by("rank")
    formset = LevelFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        rows, delete = [], []
        for form in formset.forms:
            if formset.can_delete and formset._should_delete_form(form):
                if form.instance.pk:
                    delete.append(form.instance.pk)
                continue
            if not form.has_changed() and form.instance.pk is None:
                continue
            rows.append({"pk": form.instance.pk, **form.cleaned_data})
        try:
            services.certification_levels_save(rows=rows, delete=delete)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, _("The certification levels are saved."))
            return redirect("climate:certification")
    return render(
        request,
        "reporting/climate/certification.html",
        {"formset": formset, "levels": queryset, "can_edit": can_edit},
        status=400 if request.method == "POST" else 200,
    )
