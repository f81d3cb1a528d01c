"""The national dashboard over 15 PTAs of 20,000 employees each, with survey data,
tickets and activities: the refresh task's time per PTA (each PTA's aggregates
written to the public tables, reporting.services.region_stats_refresh), and the
national page's server time against a one-PTA dashboard (a PTA's own start page,
"I dag") measured in the same run, through django.test.Client.

    .venv/bin/python bench/national_dashboard.py [PTAS] [EMPLOYEES_PER_PTA]

Runs in throwaway PTAs on the embedded development database, dropped at the end.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from activities.models import Activity, ActivityKind, ActivityStatus  # noqa: E402
from companies.models import Company, CompanyStatus  # noqa: E402
from core.dates import today  # noqa: E402
from employees.models import Employee, EmployeeStatus  # noqa: E402
from reporting.services import monthly_figures_record, region_stats_refresh  # noqa: E402
from surveys.models import Invitation, InvitationState, Mode, Response, RoundKind, SurveyRound  # noqa: E402
from surveys.services import questionnaire_for_new_round  # noqa: E402
from tenants.models import Membership, Pta, Role, User  # noqa: E402
from tenants.services import national_tenant_ensure, pta_create  # noqa: E402
from tenants.signals import SESSION_TENANT_KEY  # noqa: E402
from tests.factories import org_number  # noqa: E402
from tickets.models import Ticket, TicketState, TicketType  # noqa: E402

REQUESTS = 7
PREFIX = "benchnat"
COMPANIES = 100
MODES = [(Mode.CAR_DRIVER, 45), (Mode.BUS, 20), (Mode.TRAIN, 5), (Mode.BICYCLE, 12), (Mode.WALK, 10), (Mode.EBIKE, 8)]


def seed(*, region: int, employees: int, adviser: User) -> None:
    """COMPANIES member companies sharing the employees, a baseline and a follow-up round each
    (answered by 40 % and 30 % of the employees), a ticket for a tenth, six activities each."""
    rng = random.Random(region)  # noqa: S311 (test data, not secrets)
    day = today()
    per_company = employees // COMPANIES
    # Every third company is "national": the same organisation number in every region.
    Company.objects.bulk_create(
        Company(
            org_number=org_number(i if i % 3 == 0 else 1000 * (region + 1) + i),
            name=f"Bedrift {i:03d} AS",
            status=CompanyStatus.MEMBER,
            adviser=adviser,
            employee_count=per_company,
        )
        for i in range(COMPANIES)
    )
    company_ids = list(Company.objects.order_by("pk").values_list("pk", flat=True))
    Employee.objects.bulk_create(
        (
            Employee(
                company_id=pk,
                first_name="Ansatt",
                last_name=f"{n}",
                email=f"e{pk}.{n}@bench.invalid",
                employee_number=str(n),
                status=EmployeeStatus.ACTIVE,
            )
            for pk in company_ids
            for n in range(per_company)
        ),
        batch_size=5000,
    )
    ticket_type = TicketType.objects.first() or TicketType.objects.create(name="Hele regionen", zones="Alle soner")
    if ticket_type is not None:
        month = day.replace(day=1)
        Ticket.objects.bulk_create(
            (
                Ticket(
                    employee_id=pk,
                    company_id=company_id,
                    ticket_type=ticket_type,
                    state=TicketState.ACTIVE,
                    starts=(month - timedelta(days=rng.randint(0, 300))).replace(day=1),
                )
                for pk, company_id in Employee.objects.values_list("pk", "company_id")[::10]
            ),
            batch_size=5000,
        )
    questionnaire = questionnaire_for_new_round()
    rounds = SurveyRound.objects.bulk_create(
        SurveyRound(
            company_id=pk,
            questionnaire=questionnaire,
            kind=kind,
            opens_on=day - timedelta(days=ago),
            closes_on=day - timedelta(days=ago) + timedelta(days=14),
        )
        for pk in company_ids
        for kind, ago in ((RoundKind.BASELINE, 300), (RoundKind.FOLLOWUP, 20))
    )
    modes, weights = zip(*MODES, strict=True)
    invitations, responses = [], []
    for round_ in rounds:
        share = 0.4 if round_.kind == RoundKind.BASELINE else 0.3
        invitations.extend(
            Invitation(
                round=round_,
                email=f"x{round_.pk}.{i}@bench.invalid",
                nonce="",
                token_hash=secrets.token_hex(32),
                state=InvitationState.SENT,
            )
            for i in range(int(per_company * 0.8))
        )
        for _ in range(int(per_company * share)):
            days = Decimal(rng.choice([5, 5, 4, 3]))
            responses.append(
                Response(
                    round=round_,
                    company_id=round_.company_id,
                    submitted_on=round_.opens_on,
                    main_mode=rng.choices(modes, weights)[0],
                    distance_km=Decimal(rng.randint(1, 40)),
                    commute_days=days,
                    home_office_days=Decimal(5) - days,
                    switch_likelihood=rng.randint(1, 5),
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=5000)
    Response.objects.bulk_create(responses, batch_size=5000)
    kinds = list(ActivityKind)
    Activity.objects.bulk_create(
        Activity(
            company_id=pk,
            kind=rng.choice(kinds),
            day=day - timedelta(days=rng.randint(0, 330)),
            status=ActivityStatus.DONE if rng.random() < 0.7 else ActivityStatus.PLANNED,
        )
        for pk in company_ids
        for _ in range(6)
    )
    monthly_figures_record(day=day)
    with connection.cursor() as cursor:
        for table in ("employees_employee", "surveys_response", "surveys_invitation", "tickets_ticket"):
            cursor.execute(f"ANALYZE {table}")


def client_for(user: User, pta: Pta) -> Client:
    client = Client(HTTP_HOST=pta.get_primary_domain().domain)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_TENANT_KEY] = pta.schema_name
    session.save()
    return client


def measure(client: Client, path: str) -> tuple[float, int]:
    """Median server time in ms of REQUESTS requests (after two to warm up), and the queries of one."""
    for _ in range(2):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return statistics.median(times) * 1000, len(queries)


def _cleanup(emails: list[str]) -> None:
    for pta in Pta.objects.filter(slug__startswith=PREFIX):
        pta.delete(force_drop=True)
    User.objects.filter(email__in=emails).delete()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    employees = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    settings.DEBUG = False
    emails = [f"adviser@{PREFIX}.invalid", f"coordinator@{PREFIX}.invalid"]
    _cleanup(emails)
    national = national_tenant_ensure(domain="localhost")
    adviser = User.objects.create_user(email=emails[0], password=None)
    coordinator = User.objects.create_user(email=emails[1], password=None)
    for user in (adviser, coordinator):
        TOTP.activate(user, generate_totp_secret())
    Membership.objects.create(user=coordinator, tenant=national, role=Role.COORDINATOR)
    try:
        started = time.perf_counter()
        ptas = []
        for region in range(count):
            pta = pta_create(
                name=f"Bench region {region:02d}",
                slug=f"{PREFIX}{region:02d}",
                domain=f"{PREFIX}{region:02d}.localhost",
            )
            Membership.objects.create(user=adviser, tenant=pta, role=Role.ADVISER)
            with tenant_context(pta):
                seed(region=region, employees=employees, adviser=adviser)
            ptas.append(pta)
        print(f"seeded {count} PTAs of {employees} employees in {time.perf_counter() - started:.1f} s")
        refresh = []
        for pta in ptas:
            with tenant_context(pta):
                began = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    region_stats_refresh()
                refresh.append((time.perf_counter() - began, len(queries)))
        connection.set_schema_to_public()
        national_page = measure(client_for(coordinator, national), "/nasjonalt/")
        pta_page = measure(client_for(adviser, ptas[0]), "/i-dag/")
    finally:
        connection.set_schema_to_public()
        _cleanup(emails)
    seconds = [s for s, _q in refresh]
    print(
        f"refresh task per PTA: median {statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms,"
        f" {refresh[0][1]} queries; all {count} PTAs {sum(seconds):.1f} s"
    )
    print(f"national dashboard ({count} regions) {national_page[0]:8.1f} ms  {national_page[1]:3d} queries")
    print(f"one PTA's dashboard (I dag)        {pta_page[0]:8.1f} ms  {pta_page[1]:3d} queries")
    print(f"ratio national / one PTA: {national_page[0] / pta_page[0]:.2f}")


if __name__ == "__main__":
    main()
