"""Time the employee list page of a company with 20,000 employees: median
server-side time of 20 requests through django.test.Client (the whole
middleware stack, view and template), and the number of queries.

    .venv/bin/python bench/employee_list.py [EMPLOYEES]

Runs in a throwaway PTA (provisioned with pta_create, dropped at the end) on
the embedded development database, signed in as an adviser with TOTP.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

import django  # noqa: E402

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from companies.models import Company, Department, Location  # noqa: E402
from employees.models import Employee, EmployeeStatus  # noqa: E402
from tenants.models import Membership, Pta, Role, User  # noqa: E402
from tenants.services import pta_create  # noqa: E402
from tenants.signals import SESSION_TENANT_KEY  # noqa: E402

SLUG = "benchlist"
HOST = f"{SLUG}.localhost"
EMAIL = "bench.radgiver@benchlist.invalid"
REQUESTS = 20


def seed(company: Company, n: int) -> None:
    rng = random.Random(2026)  # noqa: S311 (repeatable test data)
    locations = [Location.objects.create(company=company, name=f"Lokasjon {i}") for i in range(5)]
    departments = [Department.objects.create(company=company, name=f"Avdeling {i}") for i in range(8)]
    Employee.objects.bulk_create(
        (
            Employee(
                company=company,
                first_name=rng.choice(["Kari", "Ola", "Ingrid", "Per", "Åse", "Lars", "Nora", "Jonas"]),
                last_name=f"Etternavn{rng.randint(0, 99999):05d}",
                email=f"ansatt{i}@bedrift.no",
                mobile=f"+479{rng.randint(0, 9999999):07d}",
                employee_number=str(10000 + i),
                location=rng.choice(locations),
                department=rng.choice(departments),
                status=rng.choices(list(EmployeeStatus), weights=[90, 5, 5])[0],
            )
            for i in range(n)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE employees_employee")


def measure(client: Client, path: str) -> tuple[float, int]:
    for _ in range(3):
        assert client.get(path).status_code == 200  # warm up
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    if os.environ.get("SHOW_QUERIES"):
        for q in queries.captured_queries:
            print(q["time"], q["sql"][:150])
    return statistics.median(times), len(queries)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    settings.DEBUG = False  # as in production: no query log, no template debug
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    User.objects.filter(email=EMAIL).delete()
    pta = pta_create(name="Bench list", slug=SLUG, domain=HOST)
    user = User.objects.create_user(email=EMAIL, password=None)
    client = Client(HTTP_HOST=HOST)
    try:
        Membership.objects.create(user=user, tenant=pta, role=Role.ADVISER)
        TOTP.activate(user, generate_totp_secret())
        with tenant_context(pta):
            company = Company.objects.create(org_number="923456783", name="Bench Bedrift AS")
            seed(company, n)
        connection.set_schema_to_public()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[SESSION_TENANT_KEY] = pta.schema_name
        session.save()
        base = f"/bedrifter/{company.pk}/ansatte/"
        cases = [
            ("first page, sorted by name", base),
            ("sorted by location, descending", base + "?sort=-location"),
            ("search 'kari' (substring, 3 fields)", base + "?q=kari"),
            ("filter status=left + department", base + "?status=left&department=1"),
            ("last page (OFFSET ~19,900)", base + f"?page={(n + 99) // 100}"),
        ]
        results = [(label, *measure(client, path)) for label, path in cases]
    finally:
        Session.objects.filter(session_key=client.session.session_key).delete()
        connection.set_schema_to_public()
        pta.delete(force_drop=True)
        user.delete()
    print(f"employees={n} requests={REQUESTS} (median server-side time through django.test.Client)")
    for label, seconds, queries in results:
        print(f"{label:40} {seconds * 1000:6.1f} ms  {queries} queries")


if __name__ == "__main__":
    main()
