"""Time a 20,000-row employee import from upload to commit, against PostgreSQL
COPY of the same rows into a plain table, in the same run on the same database.

    .venv/bin/python bench/import_employees.py [ROWS]

Runs in a throwaway PTA (provisioned with pta_create, dropped at the end) on
the embedded development database. The file is what a Norwegian payroll
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

import django  # noqa: E402
import phonenumbers  # noqa: E402

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402
from faker import Faker  # noqa: E402

from companies.models import Company, Department, Location  # noqa: E402
from employees import services  # noqa: E402
from employees.cleaning import fold  # noqa: E402
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
    """Wraps a function in `services` to time each call (bench only)."""

    def __init__(self, name: str):
        self.name, self.original, self.seconds = name, getattr(services, name), 0.0
        setattr(services, name, self)

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.original(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def import_once(company: Company, content: bytes, *, full_list: bool = False) -> dict:
    parse, write = Timer("clean_rows"), Timer("import_write")
    started = time.perf_counter()
    employee_import = services.employee_import_create(
        company=company, content=content, filename="lonnssystem.csv", user_id=None, full_list=full_list
    )
    previewed = time.perf_counter()
    assert employee_import.error_count == 0, employee_import.errors[:5]
    employee_import = services.employee_import_confirm(employee_import=employee_import, run_now=True)
    done = time.perf_counter()
    services.clean_rows, services.import_write = parse.original, write.original
    assert employee_import.status == "done", employee_import.status
    total = done - started
    return {
        "total": total,
        "preview": previewed - started,
        "confirm": done - previewed,
        "parse": parse.seconds,
        "write": write.seconds,
        "other": total - parse.seconds - write.seconds,
        "counts": f"added={employee_import.added} updated={employee_import.updated} "
        f"unchanged={employee_import.unchanged} left={employee_import.left}",
    }


def copy_baseline(rows: list[list[str]], company_id: int, location_ids: dict, department_ids: dict) -> float:
    """COPY the same (cleaned) rows into a plain table with the employee table's columns."""
    values = [
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
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_employee")
        cursor.execute(
            "CREATE TABLE bench_copy_employee (id bigserial PRIMARY KEY, company_id bigint NOT NULL, "
            "first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL, email varchar(254) NOT NULL, "
            "mobile varchar(16) NOT NULL, employee_number varchar(40) NOT NULL, location_id bigint, "
            "department_id bigint, status varchar(10) NOT NULL, start_date date, end_date date, "
            "preferred_language varchar(2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())"
        )
    times = []
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_copy_employee")
        started = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.copy(
                "COPY bench_copy_employee (company_id, first_name, last_name, email, mobile, employee_number, "
                "location_id, department_id, status, start_date, end_date, preferred_language) FROM STDIN"
            ) as copy,
        ):
            for row in values:
                copy.write_row(row)
        times.append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy_employee")
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = random.Random(2026)  # noqa: S311 (repeatable test data)
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(name="Bench import", slug=SLUG, domain=f"{SLUG}.localhost")
    try:
        with tenant_context(pta):
            company = Company.objects.create(org_number="923456783", name="Bench Bedrift AS")
            location_ids = {n: Location.objects.create(company=company, name=n).pk for n in LOCATIONS}
            department_ids = {n: Department.objects.create(company=company, name=n).pk for n in DEPARTMENTS}
            rows = generate(n, rng)
            content = to_csv(rows)

            first = import_once(company, content)
            again = import_once(company, content)
            # A month later: 10 % changed their mobile, 5 % left (not in the full list), 2 % joined.
            changed = [list(r) for r in rows if rng.random() > 0.05]
            for r in rng.sample(changed, len(changed) // 10):
                r[4] = mobile(rng)
            joiners = generate(n // 50, rng)
            for i, r in enumerate(joiners):
                r[0], r[3] = str(90000 + i), f"ny{i}@bedrift.no"
            later = import_once(company, to_csv(changed + joiners), full_list=True)
            assert Employee.objects.filter(company=company).count() == n + len(joiners)
            copy_seconds = copy_baseline(rows, company.pk, location_ids, department_ids)
    finally:
        connection.set_schema_to_public()
        pta.delete(force_drop=True)
        shutil.rmtree(Path(default_storage.location) / "imports" / SLUG, ignore_errors=True)

    print(f"rows={n} file={len(content) / 1e6:.1f} MB (cp1252, semicolons, Norwegian headers)")
    for label, run in (("first import (all new)", first), ("same file again", again), ("month later, full", later)):
        print(
            f"{label:24} {run['total']:6.2f} s  {n / run['total']:7.0f} rows/s  "
            f"[upload+preview {run['preview']:.2f} s, confirm {run['confirm']:.2f} s; "
            f"parse+validate {run['parse']:.2f} s, compare+other {run['other']:.2f} s, write {run['write']:.2f} s]  "
            f"{run['counts']}"
        )
    print(f"COPY of the same rows into a plain table: {copy_seconds:.3f} s ({n / copy_seconds:.0f} rows/s)")
    print(f"ratio COPY/import (whole import, first run): {copy_seconds / first['total']:.3f}")
    print(f"ratio COPY/write phase (first run):          {copy_seconds / first['write']:.2f}")


if __name__ == "__main__":
    main()
