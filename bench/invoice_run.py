"""Time the month's invoice run (drafts, without PDFs) of a PTA with 300 companies and 20,000
corporate tickets, against a plain SQL aggregate of the same lines:

    .venv/bin/python bench/invoice_run.py [COMPANIES] [TICKETS] [ROUNDS]

One throwaway PTA (pta_create, dropped at the end) on the embedded development
database: COMPANIES companies, each with an agreement carrying a membership fee
per employee, TICKETS employees with an active ticket each (three ticket types,
two zone choices). Each round deletes the drafts and runs
invoicing.services.invoice_run for the month (with its query count); the
baseline is one SQL statement grouping the month's tickets by company, ticket
type and zones, plus one counting the employees per company: the lines the run
writes, without writing them. Figures are medians of the rounds (3 unless given).
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
from stdnum.no import orgnr  # noqa: E402

from companies.models import Agreement, Company  # noqa: E402
from employees.models import Employee  # noqa: E402
from invoicing import services  # noqa: E402
from invoicing.models import Invoice, InvoiceLine, InvoiceRun  # noqa: E402
from tenants.models import ProductUnit, Pta, VatRate  # noqa: E402
from tenants.services import pta_create  # noqa: E402
from tickets.models import AgreementProduct, Price, Product, Ticket, TicketPrice, TicketState, TicketType  # noqa: E402

SLUG = "benchinvoice"
MONTH = date(2027, 3, 1)

BASELINE_SQL = """
    SELECT t.company_id, t.ticket_type_id, t.zones, count(*)
    FROM tickets_ticket t JOIN employees_employee e ON e.id = t.employee_id
    WHERE t.state NOT IN ('pending', 'cancelled') AND t.starts <= %(month)s
      AND (t.ends IS NULL OR t.ends >= %(month)s)
      AND NOT (e.leave_from IS NOT NULL AND e.leave_from <= %(month)s
               AND (e.leave_until IS NULL OR e.leave_until >= %(last)s))
    GROUP BY 1, 2, 3
"""
STAFF_SQL = "SELECT company_id, count(*) FROM employees_employee WHERE status <> 'left' GROUP BY 1"


def _orgnr(n: int) -> str:
    for base in range(70_000_000 + 10 * n, 70_000_000 + 10 * n + 10):
        check = -orgnr.checksum(f"{base}0") % 11
        if check < 10:
            return f"{base}{check}"
    raise AssertionError(n)


def seed(companies: int, tickets: int) -> None:
    fee = Product.objects.create(name="Medlemsavgift", unit=ProductUnit.PER_EMPLOYEE_MONTH, vat_rate=VatRate.GENERAL)
    Price.objects.create(product=fee, valid_from=date(2027, 1, 1), amount=Decimal("10.00"))
    types = [TicketType.objects.create(name=f"Billett {i}", zones="1") for i in range(3)]
    for ticket_type in types:
        TicketPrice.objects.create(
            ticket_type=ticket_type,
            valid_from=date(2027, 1, 1),
            annual_price=Decimal("10800"),
            company_price=Decimal("810"),
        )
    rows = Company.objects.bulk_create(
        Company(
            org_number=_orgnr(i),
            name=f"Bedrift {i:03d} AS",
            municipality="Stavanger",
            postal_address="Gate 1",
            postcode="4006",
        )
        for i in range(companies)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(company=c, start_date=date(2027, 1, 1), invoice_email=f"faktura@{c.org_number}.no") for c in rows
    )
    AgreementProduct.objects.bulk_create(AgreementProduct(agreement=a, product=fee) for a in agreements)
    employees = Employee.objects.bulk_create(
        (Employee(company=rows[i % companies], first_name=f"A{i}", last_name="Benk") for i in range(tickets)),
        batch_size=5000,
    )
    Ticket.objects.bulk_create(
        (
            Ticket(
                employee=e,
                company_id=e.company_id,
                ticket_type=types[i % 3],
                zones=("1-2", "1-4")[i % 2],
                state=TicketState.ACTIVE,
                starts=date(2027, 1, 1),
            )
            for i, e in enumerate(employees)
        ),
        batch_size=5000,
    )


def one_round() -> dict:
    InvoiceLine.objects.all().delete()
    Invoice.objects.all().delete()
    InvoiceRun.objects.all().delete()
    result = {}
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        run = services.invoice_run(month=MONTH)
    result["run"] = time.perf_counter() - started
    result["queries"] = sum(1 for q in queries if not q["sql"].startswith(("SET search_path", "SAVEPOINT", "RELEASE")))
    result["invoices"] = len(run.created)
    result["lines"] = InvoiceLine.objects.count()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, {"month": MONTH, "last": date(2027, 3, 31)})
        groups = cursor.fetchall()
        cursor.execute(STAFF_SQL)
        cursor.fetchall()
    result["baseline"] = time.perf_counter() - started
    result["baseline_groups"] = len(groups)
    return result


def main() -> None:
    companies = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    tickets = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(
        name="Bench invoicing",
        slug=SLUG,
        domain=f"{SLUG}.localhost",
        org_number="923609016",
        bank_account="86011117947",
    )
    try:
        with tenant_context(pta):
            seed(companies, tickets)
            results = [one_round() for _ in range(rounds)]
    finally:
        connection.set_schema_to_public()
        pta.delete(force_drop=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    first = results[0]
    print(f"companies={companies} tickets={tickets}; median of {rounds} rounds")
    print(
        f"invoice run: {median('run'):.3f} s, {first['invoices']} invoices, {first['lines']} lines, "
        f"{first['queries']} queries ({first['queries'] / first['invoices']:.1f} per invoice)"
    )
    print(f"baseline (SQL aggregate of the same lines): {median('baseline'):.3f} s, {first['baseline_groups']} groups")
    print(f"ratio run/baseline: {median('run') / median('baseline'):.0f}x")


if __name__ == "__main__":
    main()
