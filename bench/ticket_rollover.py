"""Time the corporate tickets' month roll-over for a PTA with 20,000 tickets,
against a plain SQL UPDATE of the same rows, in the same run on the same database.

    .venv/bin/python bench/ticket_rollover.py [TICKETS] [ROUNDS]

One throwaway PTA (provisioned with pta_create, dropped at the end) on the
embedded development database: one company, TICKETS employees with a pending
ticket each for month M; 20 % of them on leave all of month M+1, 5 % leaving
during month M. Each round, in a transaction rolled back afterwards:

- plain UPDATE: `UPDATE tickets_ticket SET state = 'active' ... WHERE state =
  'pending' AND starts <= M`, the same rows the roll-over into M activates (the
  table's statement-level history trigger fires, as for the roll-over);
- plain UPDATE without triggers: the same statement on a copy of the table
  (no indexes, no triggers);
- the roll-over into M (activates all), into M+1 (pauses 20 %, ends 5 %), and
  into M+1 again (changes nothing).

The figures are the medians of the rounds (3 unless given).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from companies.models import Company  # noqa: E402
from employees.models import Employee, EmployeeStatus  # noqa: E402
from tenants.models import Pta  # noqa: E402
from tenants.services import pta_create  # noqa: E402
from tickets import services  # noqa: E402
from tickets.models import Ticket, TicketType  # noqa: E402

SLUG = "benchrollover"
MONTH = date(2027, 3, 1)
NEXT = date(2027, 4, 1)
PLAIN = """
    UPDATE {table} SET state = 'active', updated_at = now()
    WHERE state = 'pending' AND starts <= %(month)s
"""


def seed(n: int) -> None:
    company = Company.objects.create(org_number="923456783", name="Bench Bedrift AS")
    employees = []
    for i in range(n):
        employee = Employee(company=company, first_name=f"Ansatt{i}", last_name="Benk", employee_number=str(i))
        if i % 5 == 0:  # on leave all of next month
            employee.leave_from, employee.leave_until = date(2027, 3, 20), date(2027, 5, 10)
        elif i % 20 == 1:  # leaves during the month
            employee.status, employee.end_date = EmployeeStatus.LEFT, date(2027, 3, 15)
        employees.append(employee)
    Employee.objects.bulk_create(employees, batch_size=5000)
    ticket_type = TicketType.objects.create(name="Tre soner", zones="1, 2, 3")
    Ticket.objects.bulk_create(
        (
            Ticket(employee=e, company=company, ticket_type=ticket_type, zones="1, 2, 3", starts=MONTH)
            for e in employees
        ),
        batch_size=5000,
    )


def timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def plain_update(table: str) -> float:
    with connection.cursor() as cursor:
        seconds, _ = timed(lambda: cursor.execute(PLAIN.format(table=table), {"month": MONTH}))
        return seconds


def one_round(n: int) -> dict:
    result = {}
    with transaction.atomic():
        result["plain"] = plain_update("tickets_ticket")
        transaction.set_rollback(True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_plain AS SELECT * FROM tickets_ticket")
        result["plain_no_triggers"] = plain_update("bench_plain")
        transaction.set_rollback(True)
    with transaction.atomic():
        result["rollover"], first = timed(lambda: services.ticket_rollover(month=MONTH))
        assert first == services.RolloverResult(activated=n, paused=0, ended=0), first
        result["next"], second = timed(lambda: services.ticket_rollover(month=NEXT))
        assert second.paused == n // 5 and second.ended == n // 20 and second.activated == 0, second
        result["again"], third = timed(lambda: services.ticket_rollover(month=NEXT))
        assert third == services.RolloverResult(activated=0, paused=0, ended=0), third
        result["counts"] = (first, second)
        transaction.set_rollback(True)
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(name="Bench rollover", slug=SLUG, domain=f"{SLUG}.localhost")
    try:
        with tenant_context(pta):
            seed(n)
            results = [one_round(n) for _ in range(rounds)]
    finally:
        connection.set_schema_to_public()
        pta.delete(force_drop=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    def spread(key: str) -> str:
        return ", ".join(f"{r[key]:.3f}" for r in results)

    first, second = results[0]["counts"]
    print(f"tickets={n}; median of {rounds} rounds in one throwaway PTA, each rolled back")
    print(f"roll-over into M (activated={first.activated}): {median('rollover'):.3f} s  (rounds: {spread('rollover')})")
    print(
        f"roll-over into M+1 (paused={second.paused} ended={second.ended}): {median('next'):.3f} s  "
        f"(rounds: {spread('next')})"
    )
    print(f"roll-over into M+1 again (no changes): {median('again'):.3f} s  (rounds: {spread('again')})")
    plain, bare = median("plain"), median("plain_no_triggers")
    print(f"plain UPDATE of the same rows (history trigger fires): {plain:.3f} s  (rounds: {spread('plain')})")
    print(f"plain UPDATE of a copy without indexes or triggers: {bare:.3f} s")
    print(f"ratio roll-over into M / plain UPDATE: {median('rollover') / plain:.2f}")
    print(f"ratio roll-over into M / plain UPDATE without triggers: {median('rollover') / bare:.2f}")


if __name__ == "__main__":
    main()
