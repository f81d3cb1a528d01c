"""The survey dashboards' tables as a file: CSV (UTF-8 with BOM, semicolons, decimal commas, as
Excel in Norway opens it; one section per table) or Excel (a sheet per table). The same
aggregate tables as the page: a hidden group's cells are empty, with the reason in its "Note"
column. Free text goes only into the tables of a dashboard that holds it (PTA staff's).

Small by construction (one row per company, location, department, mode or band), so the file is
the response itself, never a background job.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.exporting import CONTENT_TYPES, Table, write
from surveys import rules
from surveys.models import RoundKind
from surveys.selectors_results import CompanyDashboard, Group, PtaDashboard, ResponseRate

__all__ = ["CONTENT_TYPES", "Table", "write"]


def hidden_note(figures: rules.Figures) -> str:
    if figures.hidden == rules.TOO_FEW:
        return _("Too few responses (fewer than %(n)s): no figures") % {"n": rules.MIN_RESPONSES}
    if figures.hidden == rules.COMPLEMENTARY:
        return _("Hidden so that a group with too few responses cannot be worked out")
    return ""


def _figure_headers() -> list[str]:
    return [
        _("Responses"),
        _("Car share (%)"),
        _("Car share with passengers (%)"),
        _("Sustainable share (%)"),
        _("Home-office share (%)"),
        _("Car drivers willing to switch (%)"),
        _("Would try an e-bike or a ticket (%)"),
        _("Note"),
    ]


def _figure_cells(figures: rules.Figures) -> list:
    if figures.suppressed:
        return [figures.responses, None, None, None, None, None, None, hidden_note(figures)]
    return [
        figures.responses,
        figures.car_share,
        figures.car_share_with_passengers,
        figures.sustainable_share,
        figures.home_office_share,
        figures.potential,
        figures.try_offer_share,
        "",
    ]


def _rate_cells(rate: ResponseRate | None) -> list:
    if rate is None:
        return [None, None, None, None]
    return [rate.invited, rate.rate, rate.target, _("met") if rate.met else _("not met")]


def _rate_headers() -> list[str]:
    return [_("Invited"), _("Response rate (%)"), _("Target (%)"), _("Target met")]


def _modes_table(figures: rules.Figures, modes: list[rules.ModeShare]) -> Table:
    rows = [] if figures.suppressed else [[m.label, m.responses, m.trips, m.share] for m in modes]
    return Table(_("Mode share"), [_("Main mode"), _("Responses"), _("Commuting days a week"), _("Share (%)")], rows)


def _distance_table(figures: rules.Figures) -> Table:
    rows = [] if figures.suppressed else [[f"{b.label} km", b.respondents, b.share] for b in figures.bands]
    return Table(_("Distance bands"), [_("One-way distance"), _("Respondents"), _("Share (%)")], rows)


def _change_table(change: rules.Change | None, *, baseline_name: str, followup_name: str) -> Table:
    headers = [
        _("Baseline"),
        _("Follow-up"),
        _("Car share, baseline (%)"),
        _("Car share, follow-up (%)"),
        _("Change (percentage points)"),
        _("Change (relative, %)"),
        _("Change with passengers (percentage points)"),
        _("Change with passengers (relative, %)"),
        _("Note"),
    ]
    if change is None:
        return Table(_("Baseline and follow-up"), headers, [])
    note = hidden_note(change.baseline) or hidden_note(change.followup)
    if not change.available:
        row = [baseline_name, followup_name, None, None, None, None, None, None, note]
    else:
        row = [
            baseline_name,
            followup_name,
            change.baseline.car_share,
            change.followup.car_share,
            change.points,
            change.relative,
            change.points_with_passengers,
            change.relative_with_passengers,
            "",
        ]
    return Table(_("Baseline and follow-up"), headers, [row])


def _groups_table(title: str, first: str, groups: list[Group]) -> Table:
    return Table(title, [first, *_figure_headers()], [[g.name, *_figure_cells(g.figures)] for g in groups])


def _round_name(round_) -> str:
    return f"{round_.get_kind_display()!s} {date_format(round_.opens_on, 'SHORT_DATE_FORMAT')}"


def company_tables(board: CompanyDashboard) -> list[Table]:
    """The tables of a company's dashboard (selectors_results.company_dashboard)."""
    round_ = board.round
    group = board.location_name or board.company.name
    summary = Table(
        _("Summary"),
        [_("Company"), _("Round"), _("Group"), *_rate_headers(), *_figure_headers()],
        [[board.company.name, _round_name(round_), group, *_rate_cells(board.rate), *_figure_cells(board.figures)]],
    )
    tables = [
        summary,
        _modes_table(board.figures, board.modes),
        _distance_table(board.figures),
        _change_table(
            board.change,
            baseline_name=_round_name(board.baseline) if board.baseline else "",
            followup_name=_round_name(board.followup) if board.followup else "",
        ),
    ]
    if board.location is None:
        tables.append(_groups_table(_("Locations"), _("Location"), board.locations))
    tables.append(_groups_table(_("Departments"), _("Department"), board.departments))
    if board.comments is not None:
        tables.append(Table(_("Comments"), [_("Comment")], [[text] for text in board.comments]))
    return tables


def pta_tables(board: PtaDashboard) -> list[Table]:
    """The tables of the PTA's dashboard (selectors_results.pta_dashboard) for its kind of round."""
    shown = board.shown
    kind = str(RoundKind(shown.kind).label)
    summary = Table(
        _("Summary"),
        [_("Rounds"), _("Kind"), _("Companies"), *_rate_headers(), *_figure_headers()],
        [
            [
                _("Latest round of each company"),
                kind,
                shown.rounds,
                *_rate_cells(shown.rate),
                *_figure_cells(shown.figures),
            ]
        ],
    )
    companies = Table(
        _("Companies"),
        [_("Company"), *_rate_headers(), *_figure_headers(), _("Change in car share (percentage points)")],
        [
            [g.name, *_rate_cells(g.rate), *_figure_cells(g.figures), g.change.points if g.change else None]
            for g in shown.companies
        ],
    )
    return [
        summary,
        _modes_table(shown.figures, shown.modes),
        _distance_table(shown.figures),
        _change_table(
            board.change,
            baseline_name=_("%(n)s companies") % {"n": board.companies_compared},
            followup_name=_("%(n)s companies") % {"n": board.companies_compared},
        ),
        companies,
    ]
