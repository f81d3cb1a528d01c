"""The monthly payroll and benefit-tax report of a company: who is on it, its figures (the worked
example of tickets/rules.py), the CSV and Excel files, the download on the tickets tab (staff and
the company's own contact persons) and the management command."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.base import HOST_A, client_for
from tests.factories import (
    AgreementFactory,
    AgreementProductFactory,
    EmployeeFactory,
    TicketPriceFactory,
    TicketTypeFactory,
    corporate_ticket_product,
)
from tickets import payroll
from tickets.models import Ticket, TicketState

SEPTEMBER = date(2026, 9, 1)
WORKED_EXAMPLE = "1001;Nordmann, Kari;900,00;810,00;405,00;405,00;495,00;69,80;0,00;Tre soner;01.09.2026;30.09.2026"


def _ticket(company, ticket_type, *, last_name, number="", state=TicketState.ACTIVE, starts, ends=None, **employee):
    person = EmployeeFactory(company=company, last_name=last_name, employee_number=number, **employee)
    return Ticket.objects.create(
        employee=person, company=company, ticket_type=ticket_type, state=state, starts=starts, ends=ends
    )


@pytest.fixture
def report(world):
    """Company A1 (Stavanger, zone I) with 50 % subsidy: Nordmann on the September report; one paused
    (a whole month of leave), one ended in July, one starting in October. Company A2: one of its own."""
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory(name="Tre soner")
        TicketPriceFactory(ticket_type=ticket_type)
        agreement = AgreementFactory(company=world.company_a1)
        AgreementProductFactory(agreement=agreement, product=corporate_ticket_product(), subsidy_percent=50)
        company = world.company_a1
        _ticket(company, ticket_type, last_name="Nordmann", first_name="Kari", number="1001", starts=date(2026, 6, 1))
        _ticket(
            company,
            ticket_type,
            last_name="Permisjon",
            state=TicketState.PAUSED,
            starts=date(2026, 6, 1),
            leave_from=date(2026, 8, 1),
        )
        _ticket(
            company,
            ticket_type,
            last_name="Sluttet",
            state=TicketState.ENDED,
            starts=date(2026, 6, 1),
            ends=date(2026, 7, 1),
        )
        _ticket(company, ticket_type, last_name="Senere", state=TicketState.PENDING, starts=date(2026, 10, 1))
        _ticket(world.company_a2, ticket_type, last_name="Utenfor", starts=date(2026, 6, 1))
        return ticket_type


def _rows(world, month=SEPTEMBER):
    with tenant_context(world.pta_a):
        return payroll.payroll_rows(company=world.company_a1, month=month)


def test_the_worked_example_is_the_row_of_the_only_employee_travelling_that_month(world, report):
    rows = _rows(world)
    assert [row.name for row in rows] == ["Nordmann, Kari"]
    row = rows[0]
    assert (row.ordinary_price, row.company_price, row.employer_paid) == (Decimal(900), Decimal(810), Decimal(405))
    assert (row.payroll_deduction, row.taxable_benefit) == (Decimal(405), Decimal(495))
    assert row.employer_contribution == Decimal("69.795")  # exact; rounded only when written
    assert (row.period_start, row.period_end, row.ticket_type) == (SEPTEMBER, date(2026, 9, 30), "Tre soner")


def test_an_ended_ticket_is_on_the_reports_of_its_months(world, report):
    assert {row.name.split(",")[0] for row in _rows(world, date(2026, 7, 1))} == {"Nordmann", "Sluttet", "Permisjon"}
    assert {row.name.split(",")[0] for row in _rows(world, date(2026, 8, 1))} == {"Nordmann"}


def test_the_csv_has_the_worked_example_with_decimal_commas(world, report):
    with tenant_context(world.pta_a):
        content = payroll.payroll_file(company=world.company_a1, month=SEPTEMBER, fmt="csv")
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Ansattnummer;Navn;")
    assert lines[1:] == [WORKED_EXAMPLE]


def test_the_excel_file_has_numbers_a_reporting_row_notes_and_a_totals_row(world, report):
    with tenant_context(world.pta_a):
        rows = _rows(world) * 2  # two employees' worth, to see the totals add up
        content = payroll.payroll_xlsx(rows, company=world.company_a1, month=SEPTEMBER)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:3] == ["Ansattnummer", "Navn", "Ordinær pris"]
    assert "skattepliktigPersonalrabatt" in values[1][6]
    assert values[2][2:9] == [900, 810, 405, 405, 495, 69.8, 0]
    assert sheet.cell(row=3, column=3).number_format == "0.00"
    assert values[-1][0] == "Sum" and values[-1][2:9] == [1800, 1620, 810, 810, 990, 139.6, 0]
    note_texts = " ".join(str(c.value) for r in book.worksheets[1].iter_rows() for c in r if c.value)
    assert "skattepliktigPersonalrabatt" in note_texts


def test_zone_ia_adds_its_note(world, report):
    with tenant_context(world.pta_a):
        world.company_a1.employer_zone = "1a"
        world.company_a1.save(update_fields=["employer_zone"])
        rows = payroll.payroll_rows(company=world.company_a1, month=SEPTEMBER)
        content = payroll.payroll_xlsx(rows, company=world.company_a1, month=SEPTEMBER)
    notes = [c.value for r in openpyxl.load_workbook(io.BytesIO(content)).worksheets[1].iter_rows() for c in r]
    assert any("fribeløp" in str(text) for text in notes)


def test_the_report_takes_the_same_queries_for_3_and_30_tickets(world):
    counts = []
    with tenant_context(world.pta_a):
        types = [TicketTypeFactory(), TicketTypeFactory()]
        for ticket_type in types:
            TicketPriceFactory(ticket_type=ticket_type)
        made = 0
        for n in (3, 30):
            for i in range(made, n):
                _ticket(world.company_a1, types[i % 2], last_name=f"Ansatt{i}", starts=date(2026, 6, 1))
            made = n
            with CaptureQueriesContext(connection) as queries:
                rows = payroll.payroll_rows(company=world.company_a1, month=SEPTEMBER)
            assert len(rows) == n
            counts.append([q["sql"] for q in queries if not q["sql"].startswith("SET search_path")])
    assert len(counts[0]) == len(counts[1]) == 3, counts[1]  # tickets, prices, the agreement's subsidy


def test_an_adviser_downloads_the_report_as_csv_and_excel(world, report):
    client = client_for(world.adviser_a)
    url = f"/bedrifter/{world.company_a1.pk}/billetter/lonnsrapport/"
    response = client.get(url, {"month": "2026-09", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "lonnsrapport-914778271-2026-09.csv" in response["Content-Disposition"]
    assert WORKED_EXAMPLE in response.content.decode("utf-8-sig")
    excel = client.get(url, {"month": "2026-09", "format": "xlsx"})
    assert excel.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(excel.content)).worksheets[0].cell(row=3, column=2).value == (
        "Nordmann, Kari"
    )
    assert url in client.get(f"/bedrifter/{world.company_a1.pk}/billetter/").content.decode()


def test_a_contact_person_downloads_their_own_companys_report(world, report):
    url = f"/bedrifter/{world.company_a1.pk}/billetter/lonnsrapport/"
    response = client_for(world.contact_a1).get(url, {"month": "2026-09"})
    assert response.status_code == 200 and WORKED_EXAMPLE in response.content.decode("utf-8-sig")


def test_a_bad_month_goes_back_to_the_tab_with_a_message(world, report):
    client = client_for(world.adviser_a)
    response = client.get(
        f"/bedrifter/{world.company_a1.pk}/billetter/lonnsrapport/", {"month": "2026-13"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/bedrifter/{world.company_a1.pk}/billetter/"
    assert [str(m) for m in response.context["messages"]] == [
        "«2026-13» er ikke en måned: velg en som ÅÅÅÅ-MM, for eksempel 2026-09."
    ]


def test_others_are_refused_the_report(world, report):
    url = f"/bedrifter/{world.company_a1.pk}/billetter/lonnsrapport/"
    anonymous = client_for(None, host=HOST_A).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(world.contact_a2).get(url).status_code == 404
    # Another PTA's adviser: 404 (tests/test_access_matrix.py, with a company id PTA B has not).
    assert client_for(world.adviser_a).post(url).status_code == 405


def test_the_command_writes_both_formats(world, report, tmp_path):
    for suffix in ("csv", "xlsx"):
        out = StringIO()
        path = tmp_path / f"rapport.{suffix}"
        args = ["--pta", "ptaa", "--company", "914778271", "--month", "2026-09", "--out", str(path)]
        call_command("payroll_report", *args, stdout=out)
        assert out.getvalue().strip() == f"rows=1 out={path}"
        assert path.stat().st_size > 0
    assert WORKED_EXAMPLE in (tmp_path / "rapport.csv").read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize(
    ("company", "month", "out", "message"),
    [
        ("999999999", "2026-09", "r.csv", "No company"),
        ("914778271", "2026-9", "r.csv", "--month must be YYYY-MM"),
        ("914778271", "2026-09", "r.pdf", "--out must end .csv or .xlsx"),
    ],
)
def test_the_command_refuses_clearly(world, report, tmp_path, company, month, out, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "payroll_report", "--pta", "ptaa", "--company", company, "--month", month, "--out", str(tmp_path / out)
        )
