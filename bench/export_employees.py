"""Time the employee export of a company with 200,000 employees: the web
request and the worker, for CSV and Excel.

    .venv/bin/python bench/export_employees.py [EMPLOYEES]

"In the request" is the export as it was before large lists went to the
worker (the same code, with employees.exporting.DIRECT_EXPORT_MAX raised
above the list). "Request now" is the POST that queues the export;
"worker" is employees.exporting.employee_export_execute, the function the
Celery task runs, called in this process. Runs in a throwaway PTA
(provisioned with pta_create, dropped at the end) on the embedded
development database, signed in as an adviser with TOTP.
"""

from __future__ import annotations

import os
import random
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
from django_tenants.utils import tenant_context  # noqa: E402

from companies.models import Company, Department, Location  # noqa: E402
from core import outbox  # noqa: E402
from employees import exporting  # noqa: E402
from employees.models import Employee, EmployeeExport, EmployeeStatus  # noqa: E402
from tenants.models import Membership, Pta, Role, User  # noqa: E402
from tenants.services import pta_create  # noqa: E402
from tenants.signals import SESSION_TENANT_KEY  # noqa: E402

SLUG = "benchexport"
HOST = f"{SLUG}.localhost"
EMAIL = "bench.radgiver@benchexport.invalid"


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


def measure(client: Client, pta: Pta, company: Company) -> list[tuple[str, float]]:
    """(label, seconds) for each format: in the request before, the request now, the worker."""
    results = []
    path = f"/bedrifter/{company.pk}/ansatte/eksport/{{}}/"
    direct_max, publish_now = exporting.DIRECT_EXPORT_MAX, outbox.publish_now
    # The outbox row is written as in production, but not handed to a broker: this process is the worker.
    outbox.publish_now = lambda **kwargs: None
    try:
        for fmt in ("csv", "xlsx"):
            results += _measure_format(client, pta, company, path.format(fmt), fmt, direct_max)
    finally:
        outbox.publish_now = publish_now
    return results


def _measure_format(client: Client, pta: Pta, company: Company, path: str, fmt: str, direct_max: int):
    results = []
    exporting.DIRECT_EXPORT_MAX = 10**9
    try:
        started = time.perf_counter()
        response = client.post(path)
        results.append((f"{fmt}: in the request (before)", time.perf_counter() - started))
        assert response.status_code == 200, response.status_code
    finally:
        exporting.DIRECT_EXPORT_MAX = direct_max
    started = time.perf_counter()
    response = client.post(path)
    results.append((f"{fmt}: request now (queues it)", time.perf_counter() - started))
    assert response.status_code == 302, response.status_code
    with tenant_context(pta):
        export = EmployeeExport.objects.filter(company=company, format=fmt).latest("created_at")
        started = time.perf_counter()
        export = exporting.employee_export_execute(export_id=export.pk)
        results.append((f"{fmt}: worker", time.perf_counter() - started))
        assert export.status == "done"
        export.file.delete(save=False)
    return results


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    settings.DEBUG = False  # as in production: no query log, no template debug
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    User.objects.filter(email=EMAIL).delete()
    pta = pta_create(name="Bench export", slug=SLUG, domain=HOST)
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
        results = measure(client, pta, company)
    finally:
        Session.objects.filter(session_key=client.session.session_key).delete()
        connection.set_schema_to_public()
        pta.delete(force_drop=True)
        user.delete()
    print(f"employees={n}")
    for label, seconds in results:
        print(f"{label:32} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
