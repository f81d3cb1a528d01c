"""Time the monthly payroll report of a company with 5,000 employees on corporate tickets, and
count its queries:

    .venv/bin/python bench/payroll_report.py [EMPLOYEES] [ROUNDS]

One throwaway PTA (provisioned with pta_create, dropped at the end) on the
embedded development database: one company in zone I with a 50 % subsidy,
EMPLOYEES employees with an active ticket each (two ticket types), 10 % of
them on leave all month (so not on the report). Each round times the rows
(tickets.payroll.payroll_rows), the CSV and the Excel file; the figures are
the medians of the rounds (3 unless given).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from companies.models import Agreement, Company  # noqa: E402
from employees.models import Employee  # noqa: E402
from tenants.models import NationalProduct, Pta  # noqa: E402
from tenants.services import pta_create  # noqa: E402
from tickets import payroll  # noqa: E402
from tickets.models import (  # noqa: E402
    AgreementProduct,
    PayrollReport,
    Product,
    Ticket,
    TicketPrice,
    TicketState,
    TicketType,
)

SLUG = "benchpayroll"
MONTH = date(2027, 3, 1)


def seed(n: int) -> Company:
    company = Company.objects.create(org_number="923456783", name="Bench Bedrift AS", municipality="Stavanger")
    national = NationalProduct.objects.get(code="corporate_ticket")
    product, _created = Product.objects.get_or_create(
        national_product=national,
        defaults={"name": national.name, "unit": national.unit, "vat_rate": national.vat_rate},
    )
    agreement = Agreement.objects.create(company=company, start_date=date(2027, 1, 1))
    AgreementProduct.objects.create(agreement=agreement, product=product, subsidy_percent=Decimal(50))
    types = [TicketType.objects.create(name=f"Billett {i}", zones="1") for i in range(2)]
    for ticket_type in types:
        TicketPrice.objects.create(
            ticket_type=ticket_type,
            valid_from=date(2027, 1, 1),
            annual_price=Decimal("10800.00"),
            company_price=Decimal("810.00"),
        )
    employees = []
    for i in range(n):
        employee = Employee(company=company, first_name=f"Ansatt{i}", last_name="Benk", employee_number=str(i))
        if i % 10 == 0:
            employee.leave_from = date(2027, 2, 1)
        employees.append(employee)
    Employee.objects.bulk_create(employees, batch_size=5000)
    Ticket.objects.bulk_create(
        (
            Ticket(
                employee=e,
                company=company,
                ticket_type=types[i % 2],
                state=TicketState.PAUSED if i % 10 == 0 else TicketState.ACTIVE,
                starts=date(2027, 1, 1),
            )
            for i, e in enumerate(employees)
        ),
        batch_size=5000,
    )
    return company


def one_round(company: Company) -> dict:
    result = {}
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        rows = payroll.payroll_rows(company=company, month=MONTH)
    result["rows"] = time.perf_counter() - started
    result["queries"] = sum(1 for q in queries if not q["sql"].startswith("SET search_path"))
    result["count"] = len(rows)
    started = time.perf_counter()
    result["csv_bytes"] = len(payroll.payroll_csv(rows))
    result["csv"] = time.perf_counter() - started
    started = time.perf_counter()
    result["xlsx_bytes"] = len(payroll.payroll_xlsx(rows, company=company, month=MONTH))
    result["xlsx"] = time.perf_counter() - started
    # The month as reported (tickets.PayrollReport): the first hand-out stores the rows, later ones read them.
    PayrollReport.objects.filter(company=company, month=MONTH).delete()
    for key in ("store", "stored"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = payroll.payroll_report(company=company, month=MONTH, today=MONTH)
        result[key] = time.perf_counter() - started
        result[f"{key}_queries"] = sum(
            1 for q in queries if not q["sql"].startswith(("SET search_path", "SAVEPOINT", "RELEASE"))
        )
        assert len(report.rows) == result["count"]
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(name="Bench payroll", slug=SLUG, domain=f"{SLUG}.localhost")
    try:
        with tenant_context(pta):
            company = seed(n)
            results = [one_round(company) for _ in range(rounds)]
    finally:
        connection.set_schema_to_public()
        pta.delete(force_drop=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    first = results[0]
    print(f"employees={n}, on the report={first['count']}; median of {rounds} rounds")
    print(f"payroll_rows: {median('rows'):.3f} s, {first['queries']} queries (besides SET search_path)")
    print(f"CSV: {median('csv'):.3f} s, {first['csv_bytes']:,} bytes")
    print(f"Excel: {median('xlsx'):.3f} s, {first['xlsx_bytes']:,} bytes")
    print(f"first hand-out, stored: {median('store'):.3f} s, {first['store_queries']} queries")
    print(f"later hand-out, read from the store: {median('stored'):.3f} s, {first['stored_queries']} queries")


if __name__ == "__main__":
    main()
