"""The monthly payroll and benefit-tax report of one company: one row per
employee whose corporate ticket ran in the month, with the figures of
tickets.rules.ticket_month, and the files payroll systems read (CSV, Excel).

Who is on the report for month M (its 1st): a ticket that has run by M and is
not over before it (``Ticket.objects.running_in``: starts <= M, ends empty or
>= M, state neither pending nor cancelled; an ended ticket is on the reports
of its months), and that is not paused in M. A ticket is paused in a month the
employee's leave covers whole (tickets.rules.is_leave_month, the roll-over's
rule), so the pause is read from the employee's leave dates, not from the
ticket's present state: a report for an earlier month shows that month.

The prices are the ticket type's period on the 1st of the month, the subsidy
the one on the corporate ticket in the company's agreement. Amounts are exact
Decimals in the rows and rounded to øre (rules.round_ore) only in the files.
A constant number of queries, whatever the number of employees.

A month already reported keeps its figures (payroll_report): the first time
the report of a month that has begun is handed out (a download or the
payroll_report command), its rows are stored in tickets.PayrollReport, and
later downloads read them, so a later price period, subsidy, zone or leaver
does not change them; staff may recalculate a stored month
(payroll_report_recalculate). A month not begun is computed anew each time and
not stored.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.models import Company
from core.dates import OSLO
from core.dates import today as oslo_today
from core.tabular import neutralise, write_csv
from tickets import rules, selectors
from tickets.models import PayrollReport, Ticket, TicketPrice

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: The amount columns, in order: the row's attribute and the rules.REPORTING key.
AMOUNTS: tuple[tuple[str, str], ...] = (
    ("ordinary_price", "ordinary"),
    ("company_price", "company_price"),
    ("employer_paid", "subsidy"),
    ("payroll_deduction", "payroll_deduction"),
    ("taxable_benefit", "taxable_benefit"),
    ("employer_contribution", "employer_contribution"),
    ("financial_tax", "financial_tax"),
)


@dataclass(frozen=True)
class PayrollRow:
    employee_number: str
    name: str
    ordinary_price: Decimal  # P
    company_price: Decimal  # C
    employer_paid: Decimal  # S
    payroll_deduction: Decimal  # D
    taxable_benefit: Decimal  # B
    employer_contribution: Decimal  # A (estimated; zone Ia, see notes)
    financial_tax: Decimal  # F (0 outside finance)
    ticket_type: str
    period_start: date
    period_end: date
    #: The month's figures as computed; None for a row read from a stored report (payroll_report).
    figures: rules.TicketMonth | None = None
    #: The notes of the row's figures (the zone Ia note, a month not taxable), as text.
    notes: tuple[str, ...] = ()

    def amounts(self) -> list[Decimal]:
        """The amount columns, rounded to øre."""
        return [rules.round_ore(getattr(self, name)) for name, _key in AMOUNTS]


def payroll_rows(*, company: Company, month: date) -> list[PayrollRow]:
    """The company's report for `month` (any day of it), by employee name. Three queries (tickets,
    prices, subsidy). ValidationError when a ticket type has no price that month or the zone is unknown."""
    month = rules.first_of_month(month)
    last_day = rules.last_day_of_month(month)
    tickets = list(
        Ticket.objects.travelling_in(month)
        .filter(company=company)
        .select_related("employee", "ticket_type")
        .order_by("employee__last_name", "employee__first_name", "employee__pk")
    )
    if not tickets:
        return []
    prices = {
        price.ticket_type_id: price
        for price in TicketPrice.objects.on(month).filter(ticket_type__in={t.ticket_type_id for t in tickets})
    }
    zone = selectors.required_company_zone(company=company, year=month.year)
    subsidy = selectors.corporate_ticket_subsidy(company=company)
    rows = []
    for ticket in tickets:
        price = prices.get(ticket.ticket_type_id)
        if price is None:
            raise ValidationError(
                {
                    "ticket_type": _("%(ticket)s has no price for %(month)s.")
                    % {"ticket": ticket.ticket_type, "month": f"{month:%m.%Y}"}
                }
            )
        figures = selectors.figures_for(company=company, price=price, subsidy=subsidy, zone=zone, month=month)
        employee = ticket.employee
        rows.append(
            PayrollRow(
                employee_number=employee.employee_number,
                name=f"{employee.last_name}, {employee.first_name}",
                ordinary_price=figures.ordinary,
                company_price=figures.company_price,
                employer_paid=figures.subsidy,
                payroll_deduction=figures.payroll_deduction,
                taxable_benefit=figures.taxable_benefit,
                employer_contribution=figures.employer_contribution,
                financial_tax=figures.financial_tax,
                ticket_type=ticket.ticket_type.name,
                period_start=month,
                period_end=last_day,
                figures=figures,
                notes=tuple(str(note) for note in figures.notes),
            )
        )
    return rows


# --- As reported ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """A company's payroll report for a month as handed out: its rows, and when they were stored
    (None for a month not begun, computed anew each time)."""

    company: Company
    month: date  # the 1st
    rows: list[PayrollRow]
    reported_at: datetime | None = None

    @property
    def reported_on(self) -> date | None:
        """The day in Oslo the figures were stored (first handed out or last recalculated)."""
        return timezone.localtime(self.reported_at, OSLO).date() if self.reported_at else None


def _dump(row: PayrollRow) -> dict:
    """A row as stored: exact Decimals as strings, dates ISO, the notes as text."""
    figures = row.figures
    return {
        "employee_number": row.employee_number,
        "name": row.name,
        **{name: str(getattr(row, name)) for name, _key in AMOUNTS},
        "ticket_type": row.ticket_type,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "zone": figures.zone if figures else "",
        "zone_rate": str(figures.zone_rate) if figures else "",
        "financial_tax_rate": str(figures.financial_tax_rate) if figures else "",
        "notes": [str(note) for note in row.notes],
    }


def _load(data: dict) -> PayrollRow:
    return PayrollRow(
        employee_number=data["employee_number"],
        name=data["name"],
        **{name: Decimal(data[name]) for name, _key in AMOUNTS},
        ticket_type=data["ticket_type"],
        period_start=date.fromisoformat(data["period_start"]),
        period_end=date.fromisoformat(data["period_end"]),
        notes=tuple(data.get("notes", ())),
    )


def _stored(report: PayrollReport) -> Report:
    return Report(
        company=report.company,
        month=report.month,
        rows=[_load(data) for data in report.rows],
        reported_at=report.created_at,
    )


def payroll_report(*, company: Company, month: date, user=None, today: date | None = None) -> Report:
    """The company's report for `month` (any day of it) as handed out.

    A month that has begun (up to the current month in Oslo) is stored the first
    time it is handed out, with `user` as its maker (None for the command), and
    read from the store after that: one query then, five the first time (the
    stored one, payroll_rows' three, the insert), whatever the number of
    employees. Two first downloads at once store one report; the one that loses
    reads the other's. A month not begun is computed anew (payroll_rows) and not
    stored. ValidationError and rules.NoRulePeriod as payroll_rows; nothing is
    stored then."""
    month = rules.first_of_month(month)
    if month > rules.first_of_month(today or oslo_today()):
        return Report(company=company, month=month, rows=payroll_rows(company=company, month=month))
    stored = PayrollReport.objects.filter(company=company, month=month).first()
    if stored is not None:
        stored.company = company
        return _stored(stored)
    rows = [_dump(row) for row in payroll_rows(company=company, month=month)]
    try:
        with transaction.atomic():
            stored = PayrollReport.objects.create(company=company, month=month, rows=rows, created_by=user)
    except IntegrityError:  # another download stored the month in between: theirs is the one reported
        stored = PayrollReport.objects.get(company=company, month=month)
        stored.company = company
    return _stored(stored)


def payroll_report_recalculate(*, company: Company, month: date, user, today: date | None = None) -> Report | None:
    """Replace a stored month's figures with what the report says now (prices, subsidy, zone and
    employees as they are today), stored as reported now by `user`. None when the month has no
    stored report (nothing to replace: it is stored when first handed out). Errors as payroll_rows."""
    month = rules.first_of_month(month)
    if month > rules.first_of_month(today or oslo_today()):
        return None
    with transaction.atomic():
        stored = PayrollReport.objects.select_for_update().filter(company=company, month=month).first()
        if stored is None:
            return None
        stored.rows = [_dump(row) for row in payroll_rows(company=company, month=month)]
        stored.created_by = user
        stored.created_at = timezone.now()
        stored.save(update_fields=["rows", "created_by", "created_at"])
    stored.company = company
    return _stored(stored)


# --- Files -------------------------------------------------------------------------------------


def headers() -> list[str]:
    return [
        _("Employee number"),
        _("Name"),
        _("Ordinary price"),
        _("Company price"),
        _("Employer's subsidy"),
        _("Payroll deduction"),
        _("Taxable benefit"),
        _("Employer's contribution (estimate)"),
        _("Financial-sector tax"),
        _("Ticket type"),
        _("From"),
        _("To"),
    ]


def reporting_headers() -> list[str]:
    """Under each amount column: the a-melding description it is reported under (rules.REPORTING)."""
    cells = []
    for _name, key in AMOUNTS:
        reporting = rules.REPORTING.get(key)
        if reporting is None:
            cells.append("")
            continue
        text = reporting.income_description or _("no income description")
        if not reporting.confirmed:
            text = _("%(description)s (not confirmed)") % {"description": text}
        cells.append(text)
    return ["", _("a-melding:"), *cells, "", "", ""]


def notes(rows: Sequence[PayrollRow]) -> list[str]:
    """The rows' notes (the zone Ia note, a month not taxable), each once."""
    seen: dict[str, None] = {}
    for row in rows:
        for note in row.notes:
            seen.setdefault(str(note), None)
    return list(seen)


def filename(company: Company, month: date, fmt: str) -> str:
    return f"lonnsrapport-{company.org_number}-{month:%Y-%m}.{fmt}"


def _comma(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def payroll_csv(rows: Sequence[PayrollRow]) -> bytes:
    """UTF-8 with BOM, semicolons, decimal comma ("405,00"): what Norwegian payroll systems read."""
    return write_csv(
        headers(),
        (
            [
                row.employee_number,
                row.name,
                *(_comma(amount) for amount in row.amounts()),
                row.ticket_type,
                row.period_start,
                row.period_end,
            ]
            for row in rows
        ),
    )


def payroll_xlsx(
    rows: Sequence[PayrollRow],
    *,
    company: Company,
    month: date,
    reported_on: date | None = None,
    provisional: bool = False,
) -> bytes:
    """Two header rows (the column names; the a-melding description of each amount), the rows with
    numbers as numbers (0.00), a totals row, and a sheet of notes (rules.REPORTING, zone Ia): with
    `reported_on`, that the figures are as reported that day; `provisional`, that the month has not
    begun and the figures may still change."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Payroll report")[:31])
    bold = Font(bold=True)

    def cell(value, *, strong: bool = False, fmt: str | None = None) -> WriteOnlyCell:
        made = WriteOnlyCell(sheet, value=neutralise(value))
        if strong:
            made.font = bold
        if fmt:
            made.number_format = fmt
        return made

    sheet.append([cell(header, strong=True) for header in headers()])
    sheet.append([cell(text) for text in reporting_headers()])
    totals = [Decimal(0)] * len(AMOUNTS)
    for row in rows:
        amounts = row.amounts()
        totals = [total + amount for total, amount in zip(totals, amounts, strict=True)]
        sheet.append(
            [
                row.employee_number,
                neutralise(row.name),
                *(cell(amount, fmt="0.00") for amount in amounts),
                neutralise(row.ticket_type),
                cell(row.period_start, fmt="DD.MM.YYYY"),
                cell(row.period_end, fmt="DD.MM.YYYY"),
            ]
        )
    sheet.append(
        [
            cell(_("Total"), strong=True),
            cell(ngettext("%(n)s employee", "%(n)s employees", len(rows)) % {"n": len(rows)}, strong=True),
            *(cell(total, strong=True, fmt="0.00") for total in totals),
        ]
    )
    notes_sheet = workbook.create_sheet(title=_("Notes")[:31])
    notes_sheet.append([cell(_("%(company)s, %(month)s") % {"company": company.name, "month": f"{month:%m.%Y}"})])
    if reported_on is not None:
        notes_sheet.append(
            [
                cell(
                    _(
                        "The figures are as reported on %(day)s: a price, subsidy or employee list changed "
                        "later does not change them."
                    )
                    % {"day": f"{reported_on:%d.%m.%Y}"}
                )
            ]
        )
    elif provisional:
        notes_sheet.append([cell(_("The month has not begun: the figures may still change."))])
    notes_sheet.append([])
    for text in notes(rows):
        notes_sheet.append([cell(text)])
    notes_sheet.append(
        [cell(_("Column"), strong=True), cell(_("a-melding"), strong=True), cell(_("Note"), strong=True)]
    )
    names = dict(zip((name for name, _key in AMOUNTS), headers()[2:], strict=False))
    for name, key in AMOUNTS:
        reporting = rules.REPORTING.get(key)
        if reporting is not None:
            notes_sheet.append([names[name], reporting.income_description or "", reporting.note])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_file(report: Report, *, fmt: str) -> bytes:
    """The report's file: the CSV has the rows only (its columns do not change); the Excel file's notes
    say when the figures were reported, or that a month not begun may still change."""
    if fmt == CSV:
        return payroll_csv(report.rows)
    if fmt == XLSX:
        return payroll_xlsx(
            report.rows,
            company=report.company,
            month=report.month,
            reported_on=report.reported_on,
            provisional=report.reported_at is None,
        )
    raise ValueError(fmt)


def payroll_file(*, company: Company, month: date, fmt: str, user=None) -> bytes:
    """The report handed out as a file (payroll_report: a month that has begun is stored the first time)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return report_file(payroll_report(company=company, month=month, user=user), fmt=fmt)


def parse_month(value: str) -> date:
    """YYYY-MM as the month's 1st; ValueError otherwise."""
    year, sep, number = value.partition("-")
    if not (sep and len(year) == 4 and len(number) == 2 and year.isdigit() and number.isdigit()):
        raise ValueError(value)
    return date(int(year), int(number), 1)
