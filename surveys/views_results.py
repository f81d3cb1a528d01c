"""The survey results: the PTA's dashboard (staff), a company's dashboard (staff and the company's
contact persons; another company is 404), their CSV and Excel exports, and the card on Min side.

The figures and their definitions are surveys.rules and surveys.selectors_results; groups with
fewer than five responses are hidden, with complementary suppression in every breakdown. Free
text is for PTA staff only, never for contact persons or in their export.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from companies.models import Company
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user, is_staff
from core.charts import horizontal_bar_chart
from core.dates import today
from core.exporting import attachment
from surveys import exporting, rules
from surveys import selectors_results as selectors
from surveys.models import RoundKind, SurveyRound
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required


def _charts(figures: rules.Figures | None, modes: list[rules.ModeShare], change: rules.Change | None) -> dict:
    """The SVG charts of a dashboard (core.charts geometry; the tables beside them hold the same figures)."""
    charts: dict = {}
    if figures is not None and not figures.suppressed:
        charts["modes"] = horizontal_bar_chart([(m.label, m.share) for m in modes])
        charts["distance"] = horizontal_bar_chart(
            [(_("%(band)s km") % {"band": b.label}, b.share) for b in figures.bands], label_width=80
        )
    if change is not None and change.available:
        charts["change"] = horizontal_bar_chart(
            [
                (_("Baseline"), change.baseline.car_share),
                (_("Follow-up"), change.followup.car_share),
                (_("Baseline, with passengers"), change.baseline.car_share_with_passengers),
                (_("Follow-up, with passengers"), change.followup.car_share_with_passengers),
            ],
            label_width=160,
        )
    return charts


# --- The PTA's dashboard ----------------------------------------------------------------------------


def _kind(request) -> str:
    kind = request.GET.get("kind", RoundKind.BASELINE)
    return kind if kind in RoundKind.values else RoundKind.BASELINE


@staff_required
@require_GET
def pta_results(request: AuthenticatedRequest):
    """The PTA's figures over each company's latest round of a kind (?kind=baseline|followup), each
    company's row, and the change from baseline to follow-up. Three queries for the figures."""
    kind = _kind(request)
    board = selectors.pta_dashboard(day=today(), kind=kind)
    return render(
        request,
        "surveys/results/pta.html",
        {
            "board": board,
            "shown": board.shown,
            "kind": kind,
            "kinds": RoundKind.choices,
            "charts": _charts(board.shown.figures, board.shown.modes, board.change),
            "min_responses": rules.MIN_RESPONSES,
            "export_query": f"?kind={kind}",
        },
    )


@staff_required
@require_GET
def pta_results_export(request: AuthenticatedRequest, fmt: str):
    """The PTA dashboard's tables as CSV or Excel (another format is 404), hidden cells empty."""
    if fmt not in exporting.CONTENT_TYPES:
        raise Http404
    kind = _kind(request)
    day = today()
    board = selectors.pta_dashboard(day=day, kind=kind)
    content = exporting.write(exporting.pta_tables(board), fmt=fmt, title=_("Survey results"))
    return attachment(content, fmt=fmt, filename=f"undersokelser-{request.tenant.slug}-{kind}-{day:%Y-%m-%d}.{fmt}")


# --- A company's dashboard --------------------------------------------------------------------------


def _chosen_round(request, rounds: list[SurveyRound]) -> SurveyRound | None:
    """?round=ID, one of the company's rounds (anything else is 404), else selectors.default_round."""
    raw = request.GET.get("round", "")
    if not raw:
        return selectors.default_round(rounds, day=today())
    for round_ in rounds:
        if str(round_.pk) == raw:
            return round_
    raise Http404


def _chosen_location(request) -> object:
    """?location=ID or ?location=none (responses with no location); anything else: all locations."""
    raw = request.GET.get("location", "")
    if raw == selectors.NO_LOCATION:
        return raw
    return int(raw) if raw.isdigit() else None


def _company_board(request: CompanyRequest, company: Company) -> selectors.CompanyDashboard:
    rounds = selectors.company_rounds(company=company)
    return selectors.company_dashboard(
        company=company,
        round_=_chosen_round(request, rounds),
        rounds=rounds,
        day=today(),
        location=_chosen_location(request),
        with_comments=is_staff(request),
    )


def _query(board: selectors.CompanyDashboard) -> str:
    parts = []
    if board.round is not None:
        parts.append(f"round={board.round.pk}")
    if board.location is not None:
        parts.append(f"location={board.location}")
    return f"?{'&'.join(parts)}" if parts else ""


@company_member_required
@require_GET
def company_results(request: CompanyRequest, company_pk: int):
    """A company's round (?round=ID, the newest opened by default), for all its locations or one
    (?location=ID|none): response rate, car share, modes, distances, home office, potential, its
    locations and departments, and the change from baseline to follow-up. Staff, and the company's
    own contact persons; free text for staff only."""
    company = get_company_for_user(request, company_pk)
    board = _company_board(request, company)
    return render(
        request,
        "surveys/results/company.html",
        {
            "company": company,
            "tab": "surveys",
            "board": board,
            "charts": _charts(board.figures, board.modes, board.change),
            "is_staff": is_staff(request),
            "min_responses": rules.MIN_RESPONSES,
            "no_location": selectors.NO_LOCATION,
            "export_query": _query(board),
        },
    )


@company_member_required
@require_GET
def company_results_export(request: CompanyRequest, company_pk: int, fmt: str):
    """The company dashboard's tables as CSV or Excel (another format is 404), hidden cells empty;
    free text only in staff's export."""
    if fmt not in exporting.CONTENT_TYPES:
        raise Http404
    company = get_company_for_user(request, company_pk)
    board = _company_board(request, company)
    if board.round is None:
        raise Http404
    content = exporting.write(exporting.company_tables(board), fmt=fmt, title=_("Survey results"))
    filename = f"undersokelse-{company.org_number}-{board.round.opens_on:%Y-%m-%d}.{fmt}"
    return attachment(content, fmt=fmt, filename=filename)


@company_member_required
@require_GET
def minside_results_card(request: CompanyRequest, pk: int):
    """The company's latest round on Min side: response rate against the target, car share, and a
    link to the results (two queries)."""
    company = get_company_for_user(request, pk)
    return render(
        request,
        "surveys/results/card.html",
        {"company": company, "summary": selectors.latest_round_summary(company=company, day=today())},
    )
