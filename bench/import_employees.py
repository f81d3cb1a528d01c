"""Time a 20,000-row employee import from upload to commit, against PostgreSQL
COPY of the same rows into a plain table, in the same run on the same database.

    .venv/bin/python bench/import_employees.py [ROWS] [ROUNDS]

Each round runs in a throwaway PTA (provisioned with pta_create, dropped at
the end) on the embedded development database; the figures are the medians
of the rounds (3 unless given), as a 2-core machine shared with other work
varies by ±20 % from one run to the next. The file is what a Norwegian payroll
system exports: Windows-1252, semicolons, Norwegian headers, dd.mm.yyyy dates.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

import django  # noqa: E402
import phonenumbers  # noqa: E402

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402
from faker import Faker  # noqa: E402

from companies.models import Company, Department, Location  # noqa: E402
from core.tabular import fold  # noqa: E402
from employees import import_execution, services  # noqa: E402
from employees.models import Employee  # noqa: E402
from tenants.models import Pta  # noqa: E402
from tenants.services import pta_create  # noqa: E402

SLUG = "benchimport"
LOCATIONS = ["Hovedkontor", "Lager", "Avdelingskontor Bergen", "Verksted", "Filial Trondheim"]
DEPARTMENTS = ["Økonomi", "Salg", "Drift", "IT", "HR", "Produksjon", "Kundeservice", "Innkjøp"]
HEADERS = ["Ansattnr.", "Fornavn", "Etternavn", "E-post", "Mobil", "Arbeidssted", "Avdeling", "Startdato", "Status"]


def mobile(rng: random.Random) -> str:
    while True:  # a valid Norwegian mobile number, written as people do: "912 34 567"
        digits = f"{rng.choice('49')}{rng.randint(0, 9999999):07d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(digits, "NO")):
            return f"{digits[:3]} {digits[3:5]} {digits[5:]}"


def generate(n: int, rng: random.Random) -> list[list[str]]:
    fake = Faker("no_NO")
    fake.seed_instance(2026)
    rows = []
    for i in range(n):
        first, last = fake.first_name(), fake.last_name()
        rows.append(
            [
                str(10000 + i),
                first,
                last,
                f"{fold(first)}.{fold(last)}.{i}@bedrift.no",
                mobile(rng),
                rng.choice(LOCATIONS),
                rng.choice(DEPARTMENTS),
                (date(2005, 1, 1) + timedelta(days=rng.randint(0, 7300))).strftime("%d.%m.%Y"),
                rng.choices(["Aktiv", "Permisjon"], weights=[97, 3])[0],
            ]
        )
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("cp1252")


class Timer:
    """Wraps a function where the import's modules call it (the preview in
    `services`, the run in `import_execution`) to time each call (bench only)."""

    def __init__(self, name: str):
        self.modules = [module for module in (services, import_execution) if hasattr(module, name)]
        self.name, self.original, self.seconds, self.started = name, getattr(self.modules[0], name), 0.0, None
        for module in self.modules:
            setattr(module, name, self)

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        self.started = self.started or started
        try:
            return self.original(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def restore(self):
        for module in self.modules:
            setattr(module, self.name, self.original)


def import_once(company: Company, content: bytes, *, full_list: bool = False) -> dict:
    parse, compare, write = Timer("clean_rows"), Timer("plan_import"), Timer("import_write")
    started = time.perf_counter()
    employee_import = services.employee_import_create(
        company=company, content=content, filename="lonnssystem.csv", user_id=None, full_list=full_list
    )
    previewed = time.perf_counter()
    assert employee_import.error_count == 0, employee_import.errors[:5]
    employee_import = services.employee_import_confirm(employee_import=employee_import, run_now=True)
    done = time.perf_counter()
    for timer in (parse, compare, write):
        timer.restore()
    assert employee_import.status == "done", employee_import.status
    total = done - started
    # The write phase ends with the commit, where PostgreSQL checks the
    # deferred foreign keys of every new row: timed from the start of
    # import_write to the end of the confirm (recording the result is ~1 ms).
    write_and_commit = done - write.started if write.started else 0.0
    return {
        "total": total,
        "preview": previewed - started,
        "confirm": done - previewed,
        "parse": parse.seconds,
        "compare": compare.seconds,
        "write": write_and_commit,
        "other": total - parse.seconds - compare.seconds - write_and_commit,
        "counts": f"added={employee_import.added} updated={employee_import.updated} "
        f"unchanged={employee_import.unchanged} left={employee_import.left}",
    }


COPY_COLUMNS = (
    "company_id, first_name, last_name, email, mobile, employee_number, location_id, department_id, "
    "status, start_date, end_date, preferred_language, updated_at"
)


def _copy_values(rows: list[list[str]], company_id: int, location_ids: dict, department_ids: dict) -> list[tuple]:
    """The file's rows as the employee table stores them (already cleaned, as the import would)."""
    now = timezone.now()
    return [
        (
            company_id,
            r[1],
            r[2],
            r[3],
            "+47" + r[4].replace(" ", ""),
            r[0],
            location_ids[r[5]],
            department_ids[r[6]],
            "active",
            date(int(r[7][6:]), int(r[7][3:5]), int(r[7][:2])),
            None,
            "nb",
            now,
        )
        for r in rows
    ]


def _time_copy(table: str, values: list[tuple]) -> float:
    """Median of three COPYs into `table`, each in its own transaction, commit included."""
    times = []
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")
        started = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({COPY_COLUMNS}) FROM STDIN") as copy,
        ):
            for row in values:
                copy.write_row(row)
        times.append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return statistics.median(times)


def copy_baseline(values: list[tuple]) -> float:
    """COPY the same rows into a plain table with the employee table's columns (no indexes, no keys)."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_employee")
        cursor.execute(
            "CREATE TABLE bench_copy_employee (id bigserial PRIMARY KEY, company_id bigint NOT NULL, "
            "first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL, email varchar(254) NOT NULL, "
            "mobile varchar(16) NOT NULL, employee_number varchar(40) NOT NULL, location_id bigint, "
            "department_id bigint, status varchar(10) NOT NULL, start_date date, end_date date, "
            "preferred_language varchar(2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())"
        )
    return _time_copy("bench_copy_employee", values)


def copy_baseline_equivalent(values: list[tuple], *, triggers: bool) -> float:
    """COPY the same rows into a copy of the employee table itself: the same
    columns, defaults, checks and indexes (LIKE ... INCLUDING ALL) and the same
    three deferred foreign keys; with `triggers`, also the employee table's
    own insert triggers (history, the companies' employee counts), which fire
    for a COPY as for the import's writes."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_equivalent")
        cursor.execute("CREATE TABLE bench_copy_equivalent (LIKE employees_employee INCLUDING ALL)")
        for column, target in (
            ("company_id", "companies_company"),
            ("location_id", "companies_location"),
            ("department_id", "companies_department"),
        ):
            cursor.execute(
                f"ALTER TABLE bench_copy_equivalent ADD FOREIGN KEY ({column}) REFERENCES {target} (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
        if triggers:
            # Statement-level AFTER INSERT triggers of employees_employee (tgtype: 4 = INSERT), same functions.
            cursor.execute(
                "SELECT t.tgname, n.nspname, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE t.tgrelid = 'employees_employee'::regclass "
                "AND NOT t.tgisinternal AND t.tgtype & 4 <> 0"
            )
            for name, schema, function in cursor.fetchall():
                cursor.execute(
                    f'CREATE TRIGGER "bench_{name}" AFTER INSERT ON bench_copy_equivalent '
                    f'REFERENCING NEW TABLE AS new_values FOR EACH STATEMENT EXECUTE FUNCTION "{schema}"."{function}"()'
                )
    return _time_copy("bench_copy_equivalent", values)


def scenario(rows: list[list[str]], later: list[list[str]], joiners: int) -> dict:
    """One round in a fresh PTA: first import, the same file again, a month later; then the COPY baseline."""
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(name="Bench import", slug=SLUG, domain=f"{SLUG}.localhost")
    try:
        with tenant_context(pta):
            company = Company.objects.create(org_number="923456783", name="Bench Bedrift AS")
            location_ids = {n: Location.objects.create(company=company, name=n).pk for n in LOCATIONS}
            department_ids = {n: Department.objects.create(company=company, name=n).pk for n in DEPARTMENTS}
            content = to_csv(rows)
            result = {
                "first": import_once(company, content),
                "again": import_once(company, content),
                "later": import_once(company, to_csv(later), full_list=True),
            }
            assert Employee.objects.filter(company=company).count() == len(rows) + joiners
            values = _copy_values(rows, company.pk, location_ids, department_ids)
            result["copy"] = copy_baseline(values)
            result["copy_equivalent"] = copy_baseline_equivalent(values, triggers=False)
            result["copy_equivalent_triggers"] = copy_baseline_equivalent(values, triggers=True)
    finally:
        connection.set_schema_to_public()
        pta.delete(force_drop=True)
        shutil.rmtree(Path(default_storage.location) / "imports" / SLUG, ignore_errors=True)
    return result


def median_run(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0] if key != "counts"} | {
        "counts": runs[0]["counts"]
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rng = random.Random(2026)  # noqa: S311 (repeatable test data)
    rows = generate(n, rng)
    # A month later: 10 % changed their mobile, 5 % left (not in the full list), 2 % joined.
    later = [list(r) for r in rows if rng.random() > 0.05]
    for r in rng.sample(later, len(later) // 10):
        r[4] = mobile(rng)
    joiners = generate(n // 50, rng)
    for i, r in enumerate(joiners):
        r[0], r[3] = str(90000 + i), f"ny{i}@bedrift.no"
    later += joiners

    results = [scenario(rows, later, len(joiners)) for _ in range(rounds)]
    first = median_run([r["first"] for r in results])
    copy_seconds = statistics.median(r["copy"] for r in results)

    print(
        f"rows={n} file={len(to_csv(rows)) / 1e6:.1f} MB (cp1252, semicolons, Norwegian headers); "
        f"median of {rounds} rounds, each in a fresh PTA"
    )
    scenarios = (("first import (all new)", "first"), ("same file again", "again"), ("month later, full", "later"))
    for label, key in scenarios:
        run = median_run([r[key] for r in results])
        spread = ", ".join(f"{r[key]['total']:.2f}" for r in results)
        print(
            f"{label:24} {run['total']:6.2f} s  {n / run['total']:7.0f} rows/s  "
            f"[upload+preview {run['preview']:.2f} s, confirm {run['confirm']:.2f} s; "
            f"parse+validate {run['parse']:.2f} s, compare {run['compare']:.2f} s, other {run['other']:.2f} s, "
            f"write+commit {run['write']:.2f} s]  {run['counts']}  (rounds: {spread} s)"
        )
    spread = ", ".join(f"{r['copy']:.3f}" for r in results)
    print(
        f"COPY of the same rows into a plain table: {copy_seconds:.3f} s ({n / copy_seconds:.0f} rows/s)  "
        f"(rounds: {spread} s)"
    )
    print(f"ratio COPY/import (whole import, first run): {copy_seconds / first['total']:.3f}")
    equivalent = statistics.median(r["copy_equivalent"] for r in results)
    print(
        f"COPY into a copy of the employee table (same indexes, checks, foreign keys): {equivalent:.3f} s; "
        f"ratio to the import: {equivalent / first['total']:.3f}"
    )
    with_triggers = statistics.median(r["copy_equivalent_triggers"] for r in results)
    print(
        f"COPY into a copy of the employee table with its insert triggers too (history, employee counts): "
        f"{with_triggers:.3f} s; ratio to the import: {with_triggers / first['total']:.3f}"
    )
    print(f"ratio COPY/write phase incl. commit (first run): {copy_seconds / first['write']:.2f}")


if __name__ == "__main__":
    main()
