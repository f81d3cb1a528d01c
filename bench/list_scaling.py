"""Do the list pages slow down as a PTA grows? The company list, "I dag" and
Min side of a PTA with 400,000 employees (2,000 companies) against the same
pages of an empty PTA, in the same run: median server-side time of 20
requests through django.test.Client (middleware, view, cards, template).

    .venv/bin/python bench/list_scaling.py [EMPLOYEES] [COMPANIES]

Also times, on the large PTA, the query the company list ran before
employee counts were kept on the company (a COUNT over every employee of
the PTA, then the page), as a before/after in the same run. Runs in two
throwaway PTAs on the embedded development database, dropped at the end.
"""

from __future__ import annotations

import os
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
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from companies.models import Company, CompanyStatus, ContactPerson  # noqa: E402
from tenants.models import Membership, Pta, Role, User  # noqa: E402
from tenants.services import pta_create  # noqa: E402
from tenants.signals import SESSION_TENANT_KEY  # noqa: E402
from tests.factories import org_number  # noqa: E402

REQUESTS = 20
PAGES = [
    ("company list", "/bedrifter/", Role.ADVISER),
    ("company list by employees", "/bedrifter/?sort=-employee_count", Role.ADVISER),
    ("I dag", "/i-dag/", Role.ADVISER),
    ("Min side", "/min-side/", Role.CONTACT),
]


def seed(*, employees: int, companies: int, adviser: User, contact: User) -> None:
    """Companies with employees spread evenly, written with COPY (history and counters fire as for an import)."""
    Company.objects.bulk_create(
        Company(org_number=org_number(i), name=f"Bedrift {i:05d} AS", status=CompanyStatus.MEMBER, adviser=adviser)
        for i in range(companies)
    )
    ids = list(Company.objects.order_by("pk").values_list("pk", flat=True))
    ContactPerson.objects.create(user=contact, company_id=ids[0])
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY employees_employee (company_id, first_name, last_name, email, mobile, employee_number, status, "
            "preferred_language, updated_at) FROM STDIN"
        ) as copy:
            for i in range(employees):
                status = "left" if i % 20 == 0 else "active"
                copy.write_row((ids[i % len(ids)], "Kari", f"Nordmann{i}", f"a{i}@b.no", "", str(i), status, "nb", now))
        cursor.execute("ANALYZE employees_employee")
        cursor.execute("ANALYZE companies_company")


def client_for(user: User, pta: Pta) -> Client:
    client = Client(HTTP_HOST=pta.get_primary_domain().domain)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_TENANT_KEY] = pta.schema_name
    session.save()
    return client


def median_ms(call) -> float:
    for _ in range(3):
        call()  # warm up
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(pta: Pta, users: dict[str, User]) -> dict[str, float]:
    figures = {}
    for label, path, role in PAGES:
        client = client_for(users[role], pta)

        def get(client=client, path=path):
            assert client.get(path).status_code == 200

        figures[label] = median_ms(get)
    return figures


def old_company_list_query_ms(pta: Pta) -> float:
    """The first page of companies with employee counts as the list counted them before."""

    def run():
        with tenant_context(pta):
            page = Company.objects.annotate(n=Count("employees", filter=~Q(employees__status="left"))).order_by("name")[
                :50
            ]
            list(page)
            Company.objects.count()

    return median_ms(run)


def main() -> None:
    employees = int(sys.argv[1]) if len(sys.argv) > 1 else 400_000
    companies = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    settings.DEBUG = False
    ptas, users = [], {}
    try:
        for slug in ("benchbig", "benchempty"):
            leftover = Pta.objects.filter(slug=slug).first()
            if leftover:
                leftover.delete(force_drop=True)
            ptas.append(pta_create(name=f"Bench {slug}", slug=slug, domain=f"{slug}.localhost"))
        big, empty = ptas
        for role in (Role.ADVISER, Role.CONTACT):
            email = f"bench.{role}@benchscaling.invalid"
            User.objects.filter(email=email).delete()
            users[role] = User.objects.create_user(email=email, password=None)
            for pta in ptas:
                Membership.objects.create(user=users[role], tenant=pta, role=role)
        TOTP.activate(users[Role.ADVISER], generate_totp_secret())
        started = time.perf_counter()
        with tenant_context(big):
            seed(employees=employees, companies=companies, adviser=users[Role.ADVISER], contact=users[Role.CONTACT])
        with tenant_context(empty):
            Company.objects.create(org_number=org_number(0), name="Eneste AS")
            ContactPerson.objects.create(user=users[Role.CONTACT], company=Company.objects.get())
        print(f"seeded {employees} employees in {companies} companies in {time.perf_counter() - started:.1f} s")
        connection.set_schema_to_public()
        large, small = measure(big, users), measure(empty, users)
        before = old_company_list_query_ms(big)
    finally:
        connection.set_schema_to_public()
        for pta in ptas:
            pta.delete(force_drop=True)
        for user in users.values():
            user.delete()
    print(f"median of {REQUESTS} requests, server side; large PTA = {employees} employees, empty PTA = 1 company")
    for label, *_ in PAGES:
        ratio = large[label] / small[label]
        print(f"{label:28} large {large[label]:7.1f} ms   empty {small[label]:7.1f} ms   ratio {ratio:.2f}")
    print(f"{'old company list query':28} large {before:7.1f} ms   (COUNT over every employee, then the page)")


if __name__ == "__main__":
    main()
