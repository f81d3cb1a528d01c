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
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.models import Company
from core.tabular import neutralise, write_csv
from tickets import rules, selectors
from tickets.models import Ticket, TicketPrice

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
    figures: rules.TicketMonth

    def amounts(self) -> list[Decimal]:
        """The amount columns, rounded to øre."""
        return [rules.round_ore(getattr(self, name)) for name, _key in AMOUNTS]


def payroll_rows(*, company: Company, month: date) -> list[PayrollRow]:
    """The company's report for `month` (any day of it), by employee name. Three queries (tickets,
    prices, subsidy). ValidationError when a ticket type has no price that month or the zone is unknown."""
    month = rules.first_of_month(month)
    last_day = rules.last_day_of_month(month)
    on_leave = Q(employee__leave_from__lte=month) & (
        Q(employee__leave_until__isnull=True) | Q(employee__leave_until__gte=last_day)
    )
    tickets = list(
        Ticket.objects.running_in(month)
        .filter(company=company)
        .exclude(on_leave)
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
            )
        )
    return rows


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
        for note in row.figures.notes:
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


def payroll_xlsx(rows: Sequence[PayrollRow], *, company: Company, month: date) -> bytes:
    """Two header rows (the column names; the a-melding description of each amount), the rows with
    numbers as numbers (0.00), a totals row, and a sheet of notes (rules.REPORTING, zone Ia)."""
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


def payroll_file(*, company: Company, month: date, fmt: str) -> bytes:
    rows = payroll_rows(company=company, month=month)
    if fmt == CSV:
        return payroll_csv(rows)
    if fmt == XLSX:
        return payroll_xlsx(rows, company=company, month=month)
    raise ValueError(fmt)


def parse_month(value: str) -> date:
    """YYYY-MM as the month's 1st; ValueError otherwise."""
    year, sep, number = value.partition("-")
    if not (sep and len(year) == 4 and len(number) == 2 and year.isdigit() and number.isdigit()):
        raise ValueError(value)
    return date(int(year), int(number), 1)
