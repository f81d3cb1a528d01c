"""What each PTA writes to the public schema for the national site (reporting.services_national):
its counts, trend and companies, suppressed under 5, and never a person. The scan reads every
public table as text, as an outside reviewer would, looking for the people of the regions."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context
from psycopg import sql

from activities.models import Activity, ActivityKind, ActivityStatus
from companies.models import CompanyStatus
from reporting.services import region_stats_refresh
from surveys import demo
from tenants.models import RegionCompany, RegionMonth, RegionStats
from tests.base import HOST_B, PASSWORD, client_for
from tests.factories import CompanyFactory, EmployeeFactory, UserFactory, contact_user
from tickets.models import Ticket, TicketState

pytestmark = pytest.mark.django_db

#: The account tables: a user signs in once for every region (the issue's "one login"), so the
#: account lives in the public schema with its e-mail address. Nothing of an employee goes there,
#: and nothing of a contact person beyond the account.
ACCOUNT_TABLES = {
    "tenants_user",
    "tenants_user_groups",
    "tenants_user_user_permissions",
    "account_emailaddress",
    "account_emailconfirmation",
    "mfa_authenticator",
    "django_session",
    "tenants_invitation",
}


def _public_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_type = 'BASE TABLE' ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def _tables_containing(needle: str, tables: list[str]) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table in tables:
            query = sql.SQL("SELECT 1 FROM public.{} AS t WHERE t::text ILIKE %s LIMIT 1").format(sql.Identifier(table))
            cursor.execute(query, [f"%{needle}%"])
            if cursor.fetchone():
                found.append(table)
    return found


def _people(world):
    """An employee and a contact person with names no other row has, in region A, with a
    survey's answers and a ticket, and the region's aggregates refreshed."""
    with tenant_context(world.pta_a):
        company = CompanyFactory(status=CompanyStatus.MEMBER, name="Skannet Bedrift AS")
        employee = EmployeeFactory(
            company=company,
            first_name="Xylofonia",
            last_name="Personsdottir",
            email="xylofonia@skann.test.no",
            mobile="+4791827364",
        )
        EmployeeFactory.create_batch(9, company=company)
        contact = contact_user(
            world.pta_a,
            [company],
            email="kvitrende.kontakt@skann.test.no",
            first_name="Kvitrende",
            last_name="Kontaktsen",
            phone="+4790817263",
        )
        demo._seed_pta(rng=random.Random(5))
        region_stats_refresh()
    return employee, contact


def test_no_person_of_a_region_is_in_any_public_table_beyond_the_accounts(world):
    employee, contact = _people(world)
    tables = _public_tables()
    assert "tenants_regioncompany" in tables and "tenants_regionstats" in tables
    others = [t for t in tables if t not in ACCOUNT_TABLES]
    for needle in (employee.first_name, employee.last_name, employee.email, employee.mobile):
        assert _tables_containing(needle, tables) == [], needle
    for needle in (contact.first_name, contact.last_name, contact.email, contact.phone):
        assert _tables_containing(needle, others) == [], needle
    # The employees' names from the world's companies, too.
    with tenant_context(world.pta_a):
        names = set(world.company_a1.employees.values_list("last_name", flat=True))
    for name in names:
        assert _tables_containing(f"Ansatt0 {name}", others) == []


def test_no_person_appears_on_the_national_pages(world):
    employee, contact = _people(world)
    coordinator = client_for(world.coordinator)
    pages = ["/nasjonalt/", f"/regioner/{world.pta_a.pk}/", "/effekter/", "/grunnpakke/"]
    for url in pages:
        response = coordinator.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for needle in (employee.first_name, employee.email, employee.mobile, contact.email, contact.last_name):
            assert needle not in html, (url, needle)
        for persona in world.personas.values():
            if persona.role != "coordinator":
                assert persona.email not in html, (url, persona.email)


def test_the_refresh_writes_tickets_activities_the_trend_and_each_company(world):
    with tenant_context(world.pta_a):
        small = CompanyFactory(status=CompanyStatus.MEMBER, name="Liten AS")
        EmployeeFactory.create_batch(3, company=small)
        Activity.objects.create(
            company=world.company_a1,
            kind=ActivityKind.STAND,
            day=date.today(),
            status=ActivityStatus.DONE,
            participants=30,
        )
        Activity.objects.create(
            company=world.company_a1, kind=ActivityKind.BIKE_CHECK, day=date.today(), status=ActivityStatus.PLANNED
        )
        active = Ticket.objects.filter(state=TicketState.ACTIVE).count()
        region_stats_refresh()
        region_stats_refresh()  # twice: the same rows
    stats = RegionStats.objects.get(tenant=world.pta_a)
    assert stats.active_tickets == active
    assert stats.activities_done == 1 and stats.activities_planned == 1
    months = list(RegionMonth.objects.filter(tenant=world.pta_a))
    assert len(months) == 12
    assert months[-1].month == date.today().replace(day=1)
    assert months[-1].activities_done == 1
    rows = {row.org_number: row for row in RegionCompany.objects.filter(tenant=world.pta_a)}
    assert rows[world.company_a1.org_number].employees == 12
    assert rows[world.company_a1.org_number].activities_done == 1
    assert rows[small.org_number].employees is None  # 3 employees: suppressed
    assert rows[small.org_number].name == "Liten AS"


def test_a_region_measured_twice_counts_the_companies_that_met_the_car_share_target(world):
    with tenant_context(world.pta_a):
        for _ in range(2):
            EmployeeFactory.create_batch(30, company=CompanyFactory(status=CompanyStatus.MEMBER))
        demo._seed_pta(rng=random.Random(3))
        region_stats_refresh()
    stats = RegionStats.objects.get(tenant=world.pta_a)
    assert stats.companies_measured >= 1
    assert 0 <= stats.companies_reduced <= stats.companies_measured
    assert stats.car_share_baseline is not None and stats.car_share_followup is not None


def test_a_suspended_pta_is_locked_for_its_users_everywhere_on_its_host(world):
    world.pta_b.is_active = False
    world.pta_b.save(update_fields=["is_active"])
    try:
        anonymous = Client(HTTP_HOST=HOST_B)
        assert anonymous.get("/accounts/login/").status_code == 503
        response = anonymous.post("/accounts/login/", {"login": world.contact_b1.email, "password": PASSWORD})
        assert response.status_code == 503
        assert "_auth_user_id" not in anonymous.session
        signed_in = client_for(world.contact_b1)
        for url in ("/min-side/", "/", "/accounts/password/change/", "/soknad/x/", "/undersokelse/x/"):
            assert signed_in.get(url).status_code == 503, url
        assert client_for(world.adviser_b).get("/i-dag/").status_code == 503
    finally:
        world.pta_b.is_active = True
        world.pta_b.save(update_fields=["is_active"])
    assert client_for(world.contact_b1).get("/min-side/").status_code == 200


def test_a_new_user_of_a_suspended_pta_cannot_sign_in_there(world):
    user = UserFactory(email="ny@b.test.no")
    user.set_password(PASSWORD)
    user.save()
    world.pta_b.is_active = False
    world.pta_b.save(update_fields=["is_active"])
    try:
        client = Client(HTTP_HOST=HOST_B)
        assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 503
    finally:
        world.pta_b.is_active = True
        world.pta_b.save(update_fields=["is_active"])
        user.delete()
