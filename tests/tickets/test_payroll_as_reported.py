"""A month already reported keeps its figures when a price or rule changes later: the payroll report
of a month that has begun is stored the first time it is handed out (a download, or the command) and
read from the store after that; a month not begun is computed anew each time; staff may recalculate
a stored month."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from core.dates import today
from employees.models import EmployeeStatus
from tests.base import client_for
from tests.factories import (
    AgreementFactory,
    AgreementProductFactory,
    EmployeeFactory,
    TicketPriceFactory,
    TicketTypeFactory,
    corporate_ticket_product,
)
from tickets import payroll, rules
from tickets.models import AgreementProduct, PayrollReport, Ticket, TicketPrice, TicketState

SEPTEMBER = date(2026, 9, 1)
NORDMANN = "1001;Nordmann, Kari;900,00;810,00;405,00;405,00;495,00;69,80;0,00;Tre soner;01.09.2026;30.09.2026"


def _ticket(company, ticket_type, *, last_name, number="", starts=date(2026, 6, 1), **employee):
    person = EmployeeFactory(company=company, last_name=last_name, employee_number=number, **employee)
    return Ticket.objects.create(
        employee=person, company=company, ticket_type=ticket_type, state=TicketState.ACTIVE, starts=starts
    )


@pytest.fixture
def setup(world):
    """Company A1 (zone I) with a 50 % subsidy and two tickets since June: Nordmann (the worked example) and Olsen."""
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory(name="Tre soner")
        price = TicketPriceFactory(ticket_type=ticket_type)
        agreement = AgreementFactory(company=world.company_a1)
        terms = AgreementProductFactory(agreement=agreement, product=corporate_ticket_product(), subsidy_percent=50)
        nordmann = _ticket(world.company_a1, ticket_type, last_name="Nordmann", first_name="Kari", number="1001")
        olsen = _ticket(world.company_a1, ticket_type, last_name="Olsen", first_name="Ola", number="1002")
    return {"type": ticket_type, "price": price, "terms": terms, "nordmann": nordmann, "olsen": olsen}


def _change_everything(setup) -> None:
    """A higher subsidy, a new price period covering September, and Olsen left back-dated to July (ended
    at the roll-over). Call inside PTA A's tenant context."""
    AgreementProduct.objects.filter(pk=setup["terms"].pk).update(subsidy_percent=Decimal(100))
    TicketPrice.objects.filter(pk=setup["price"].pk).update(valid_to=date(2026, 8, 31))
    TicketPriceFactory(
        ticket_type=setup["type"], valid_from=date(2026, 9, 1), annual_price=Decimal(12000), company_price=None
    )
    olsen = setup["olsen"]
    olsen.employee.status, olsen.employee.end_date = EmployeeStatus.LEFT, date(2026, 7, 31)
    olsen.employee.save(update_fields=["status", "end_date"])
    Ticket.objects.filter(pk=olsen.pk).update(state=TicketState.ENDED, ends=date(2026, 7, 1))


def test_a_month_reported_keeps_its_figures_after_a_subsidy_a_price_and_a_leaver_change(world, setup):
    with tenant_context(world.pta_a):
        first = payroll.payroll_report(company=world.company_a1, month=SEPTEMBER, user=world.adviser_a.user)
        first_csv = payroll.report_file(first, fmt="csv")
        _change_everything(setup)
        live = payroll.payroll_rows(company=world.company_a1, month=SEPTEMBER)
        again = payroll.payroll_report(company=world.company_a1, month=SEPTEMBER)
        stored = PayrollReport.objects.get(company=world.company_a1, month=SEPTEMBER)
    assert [row.name for row in live] == ["Nordmann, Kari"] and live[0].ordinary_price == Decimal(1000)
    assert again.rows == first.rows
    assert [row.name for row in again.rows] == ["Nordmann, Kari", "Olsen, Ola"]
    assert again.rows[0].employer_contribution == Decimal("69.795")  # exact, as stored
    assert payroll.report_file(again, fmt="csv") == first_csv
    assert NORDMANN in first_csv.decode("utf-8-sig")
    assert stored.created_by_id == world.adviser_a.user.pk and again.reported_on == today()
    assert Decimal(stored.rows[0]["employer_contribution"]) == Decimal("69.795")
    assert stored.rows[0]["period_start"] == "2026-09-01"
    assert stored.rows[0]["zone"] == "1" and stored.rows[0]["zone_rate"] == "14.1"


def test_downloads_of_a_reported_month_are_the_same_and_the_excel_file_says_so(world, setup):
    url = f"/bedrifter/{world.company_a1.pk}/billetter/lonnsrapport/"
    first = client_for(world.contact_a1).get(url, {"month": "2026-09", "format": "csv"})
    with tenant_context(world.pta_a):
        _change_everything(setup)
        assert PayrollReport.objects.get(month=SEPTEMBER).created_by_id == world.contact_a1.user.pk
    again = client_for(world.adviser_a).get(url, {"month": "2026-09", "format": "csv"})
    assert again.status_code == 200 and again.content == first.content
    headers = again.content.decode("utf-8-sig").splitlines()[0].split(";")
    assert len(headers) == 12  # the CSV columns are unchanged
    excel = client_for(world.adviser_a).get(url, {"month": "2026-09", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(excel.content))
    assert book.worksheets[0].cell(row=4, column=2).value == "Olsen, Ola"
    notes = [str(c.value) for r in book.worksheets[1].iter_rows() for c in r if c.value]
    assert f"Tallene er slik de ble rapportert {today():%d.%m.%Y}" in " ".join(notes)


def test_a_month_not_begun_is_computed_each_time_and_not_stored(world, setup):
    coming = rules.next_month(today())
    with tenant_context(world.pta_a):
        report = payroll.payroll_report(company=world.company_a1, month=coming)
        assert report.reported_at is None and len(report.rows) == 2
        assert not PayrollReport.objects.exists()
    excel = client_for(world.adviser_a).get(
        f"/bedrifter/{world.company_a1.pk}/billetter/lonnsrapport/", {"month": f"{coming:%Y-%m}", "format": "xlsx"}
    )
    assert excel.status_code == 200
    notes = [
        str(c.value) for r in openpyxl.load_workbook(io.BytesIO(excel.content)).worksheets[1].iter_rows() for c in r
    ]
    assert any("Måneden har ikke begynt" in text for text in notes)
    with tenant_context(world.pta_a):
        assert not PayrollReport.objects.exists()


def test_two_reports_of_a_month_store_one(world, setup):
    with tenant_context(world.pta_a):
        payroll.payroll_report(company=world.company_a1, month=SEPTEMBER)
        payroll.payroll_report(company=world.company_a1, month=date(2026, 9, 17))
        assert PayrollReport.objects.filter(company=world.company_a1).count() == 1


def test_two_first_downloads_at_once_store_one_and_the_later_reads_the_earlier(world, setup, monkeypatch):
    """The other download stores the month while this one computes it: the insert meets the unique
    constraint, and this one hands out what the other stored."""
    compute = payroll.payroll_rows

    def meanwhile(*, company, month):
        rows = compute(company=company, month=month)
        PayrollReport.objects.create(company=company, month=month, rows=[payroll._dump(rows[0])])
        return rows

    monkeypatch.setattr(payroll, "payroll_rows", meanwhile)
    with tenant_context(world.pta_a):
        report = payroll.payroll_report(company=world.company_a1, month=SEPTEMBER)
        assert PayrollReport.objects.filter(company=world.company_a1, month=SEPTEMBER).count() == 1
    assert [row.name for row in report.rows] == ["Nordmann, Kari"]


def test_the_query_count_does_not_grow_with_the_employees(world, setup, django_assert_num_queries):
    with tenant_context(world.pta_a):
        for month, employees in ((SEPTEMBER, 3), (date(2026, 10, 1), 30)):
            for i in range(employees):
                _ticket(world.company_a1, setup["type"], last_name=f"Ekstra{month.month}-{i}")
            # Statements, each after its SET search_path: the stored report, the tickets, the prices, the
            # subsidy, and the insert in its savepoint (3): 14; then the stored report only: 2.
            with django_assert_num_queries(14):
                first = payroll.payroll_report(company=world.company_a1, month=month)
            with django_assert_num_queries(2):
                again = payroll.payroll_report(company=world.company_a1, month=month)
            assert again.rows == first.rows and len(first.rows) >= employees


def test_the_command_stores_the_month_as_reported_by_nobody(world, setup, tmp_path):
    path = tmp_path / "rapport.csv"
    args = ["--pta", "ptaa", "--company", "914778271", "--month", "2026-09", "--out", str(path)]
    call_command("payroll_report", *args, stdout=StringIO())
    with tenant_context(world.pta_a):
        assert PayrollReport.objects.get(month=SEPTEMBER).created_by_id is None
        _change_everything(setup)
    call_command("payroll_report", *args, stdout=(out := StringIO()))
    assert out.getvalue().strip() == f"rows=2 out={path}"
    assert NORDMANN in path.read_bytes().decode("utf-8-sig")


# --- Recalculating ---------------------------------------------------------------------------------


def test_staff_recalculate_a_stored_month_after_a_confirmation(world, setup):
    with tenant_context(world.pta_a):
        payroll.payroll_report(company=world.company_a1, month=SEPTEMBER)
        _change_everything(setup)
    client = client_for(world.admin_a)
    url = f"/bedrifter/{world.company_a1.pk}/billetter/lonnsrapport/beregn-pa-nytt/?month=2026-09"
    page = client.get(url)
    assert page.status_code == 200 and 'name="confirm" value="yes"' in page.content.decode()
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/bedrifter/{world.company_a1.pk}/billetter/"
    assert [str(m) for m in response.context["messages"]] == [
        "Lønnsrapporten for 09.2026 er beregnet på nytt: de lagrede tallene er erstattet."
    ]
    with tenant_context(world.pta_a):
        stored = PayrollReport.objects.get(month=SEPTEMBER)
        report = payroll.payroll_report(company=world.company_a1, month=SEPTEMBER)
    assert stored.created_by_id == world.admin_a.user.pk
    assert [row.name for row in report.rows] == ["Nordmann, Kari"]
    assert (report.rows[0].ordinary_price, report.rows[0].employer_paid) == (Decimal(1000), Decimal(1000))


def test_recalculating_a_month_not_stored_changes_nothing_and_contact_persons_may_not(world, setup):
    url = f"/bedrifter/{world.company_a1.pk}/billetter/lonnsrapport/beregn-pa-nytt/?month=2026-09"
    response = client_for(world.adviser_a).post(url, {"confirm": "yes"}, follow=True)
    assert "er ikke lagret" in str(list(response.context["messages"])[0])
    with tenant_context(world.pta_a):
        assert not PayrollReport.objects.exists()
        payroll.payroll_report(company=world.company_a1, month=SEPTEMBER)
    assert client_for(world.contact_a1).post(url, {"confirm": "yes"}).status_code == 403
    assert client_for(world.contact_a2).post(url, {"confirm": "yes"}).status_code == 403
    tab = client_for(world.contact_a1).get(f"/bedrifter/{world.company_a1.pk}/billetter/").content.decode()
    assert "beregn-pa-nytt" not in tab
    assert (
        "beregn-pa-nytt"
        in client_for(world.adviser_a).get(f"/bedrifter/{world.company_a1.pk}/billetter/").content.decode()
    )
