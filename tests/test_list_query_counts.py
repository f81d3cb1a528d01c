"""The exact number of database statements of each list page.

Each page is requested once to warm the client up, then pinned with
pytest-django's django_assert_num_queries, with rows on the list; then more
rows are added and the count must stay the same (no query per row).

Counting: every statement on a PTA host goes out after django-tenants'
`SET search_path` (a statement of its own, with pghistory's `set_config` of
the request context in front of it), so a page's number is about twice its
queries. Every page starts with the same five queries, ten statements:

  domain → tenant, session, user, membership (MembershipMiddleware),
  TOTP device (RequireStaffMfaMiddleware)

When a number changes on purpose, run the test, read the statements in the
failure message and update the number and its comment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import (
    Agreement,
    CompanyStatusChange,
    ContactPerson,
    Document,
    DocumentKind,
    Message,
    MessageThread,
    Notice,
    Visibility,
)
from employees.models import EmployeeImport, ImportStatus
from tenants import services as tenant_services
from tenants.models import Pta, RegionStats, Role
from tests.base import World, client_for
from tests.factories import (
    CompanyFactory,
    DepartmentFactory,
    EmployeeFactory,
    LocationFactory,
    MembershipFactory,
    TicketTypeFactory,
)
from tickets import services as ticket_services

MIDDLEWARE = 10  # the five queries above, each after its SET search_path


@pytest.fixture(autouse=True)
def _files_in_tmp(media_root):
    return media_root


# --- Rows for the lists --------------------------------------------------------------


def add_companies(world: World) -> None:
    with tenant_context(world.pta_a):
        for company in CompanyFactory.create_batch(2, adviser=world.adviser_a.user):
            EmployeeFactory.create_batch(2, company=company)


def add_things_to_do(world: World) -> None:
    """Companies with something on "I dag" (no contact person, an agreement ending, a failed and a
    forgotten employee import, a question from a contact person), their status history and employees;
    and, for company A1's Min side, an unread answer and an unconfirmed import."""
    stale = timezone.now() - timedelta(hours=2)
    with tenant_context(world.pta_a):
        for company in CompanyFactory.create_batch(2, adviser=world.adviser_a.user):
            EmployeeFactory.create_batch(2, company=company, start_date=date(2020, 1, 1))
            CompanyStatusChange.objects.create(company=company, status="member", changed_on=date(2025, 6, 1))
            Agreement.objects.create(company=company, start_date=date(2025, 6, 1), end_date=date.today())
            EmployeeImport.objects.create(company=company, original_name="feil.csv", status=ImportStatus.FAILED)
            forgotten = EmployeeImport.objects.create(
                company=company, original_name="glemt.csv", status=ImportStatus.PREVIEWED
            )
            EmployeeImport.objects.filter(pk=forgotten.pk).update(created_at=stale)
            thread = MessageThread.objects.create(company=company, subject="Spørsmål")
            Message.objects.create(thread=thread, author=world.contact_a1.user, body="Hei?")
        thread = MessageThread.objects.create(company=world.company_a1, subject="Svar til kontakten")
        Message.objects.create(thread=thread, author=world.adviser_a.user, from_staff=True, body="Hei!")
        EmployeeImport.objects.create(company=world.company_a1, original_name="ny.csv", status=ImportStatus.PREVIEWED)
        EmployeeFactory.create_batch(2, company=world.company_a1)


def add_employees(world: World) -> None:
    with tenant_context(world.pta_a):
        location = LocationFactory(company=world.company_a1)
        department = DepartmentFactory(company=world.company_a1)
        EmployeeFactory.create_batch(3, company=world.company_a1, location=location, department=department)


def add_tickets(world: World) -> None:
    """Three employees of company A1 with a corporate ticket each, started at a roll-over."""
    with tenant_context(world.pta_a):
        ticket_type = TicketTypeFactory()
        for employee in EmployeeFactory.create_batch(3, company=world.company_a1):
            ticket_services.ticket_create(
                employee=employee, ticket_type=ticket_type, starts=date(2026, 6, 1), today=date(2026, 5, 1)
            )
        ticket_services.ticket_rollover(month=date(2026, 6, 1))


def add_notices(world: World) -> None:
    with tenant_context(world.pta_a):
        for i in range(2):
            notice = Notice.objects.create(title=f"Varsel {i}", body="Tekst", created_by=world.adviser_a.user)
            notice.companies.set([world.company_a1, world.company_a2])


def add_documents_threads_and_notices(world: World) -> None:
    with tenant_context(world.pta_a):
        for i in range(2):
            Document.objects.create(
                company=world.company_a1,
                title=f"Dokument {i}",
                kind=DocumentKind.REPORT,
                visibility=Visibility.CONTACTS,
                file=f"documents/ptaa/{world.company_a1.pk}/{i}.pdf",
                original_name=f"{i}.pdf",
                content_type="application/pdf",
                size=10,
                uploaded_by=world.adviser_a.user,
            )
            thread = MessageThread.objects.create(company=world.company_a1, subject=f"Tråd {i}")
            Message.objects.create(thread=thread, author=world.contact_a1.user, body="Spørsmål")
            Message.objects.create(thread=thread, author=world.adviser_a.user, from_staff=True, body="Svar")
            notice = Notice.objects.create(title=f"Varsel {i}", body="Tekst", created_by=world.adviser_a.user)
            notice.companies.set([world.company_a1])


def add_users_and_invitations(world: World) -> None:
    for role in (Role.ADVISER, Role.CONTACT):
        MembershipFactory(tenant=world.pta_a, role=role)
    for i in range(2):
        tenant_services.invitation_create(
            tenant=world.pta_a,
            email=f"invitert{i}.{timezone.now().timestamp()}@a.test.no",
            role=Role.ADVISER,
            invited_by=world.admin_a.user,
        )


def add_history(world: World) -> None:
    """Changes made through the site, so the events name the adviser who made them."""
    client = client_for(world.adviser_a)
    for status in ("paused", "member"):
        client.post(f"/bedrifter/{world.company_a1.pk}/status/", {"status": status, "changed_on": str(date.today())})
    client.post(f"/bedrifter/{world.company_a1.pk}/avdelinger/", {"name": f"Avdeling {timezone.now().timestamp()}"})
    # Rows that name a person or an agreement's period, from the recorded row (no query per row).
    with tenant_context(world.pta_a):
        contact = ContactPerson.objects.get(user=world.contact_a1.user, company=world.company_a1)
    rights = {} if contact.can_see_invoices else {"can_see_invoices": "on"}
    client.post(f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{contact.pk}/rettigheter/", rights)
    day = date.today().replace(day=1 + int(timezone.now().timestamp()) % 28)
    client.post(f"/bedrifter/{world.company_a1.pk}/avtale/", {"start_date": str(day), "invoice_grouping": "company"})


def add_regions(world: World) -> None:
    """Region rows without schemas (bulk_create skips the schema creation of Pta.save); the dashboard reads
    only the public schema."""
    stamp = int(timezone.now().timestamp() * 1000) % 10**6
    ptas = Pta.objects.bulk_create(
        Pta(name=f"Region {stamp}{i}", slug=f"r{stamp}x{i}", schema_name=f"r{stamp}x{i}") for i in range(2)
    )
    RegionStats.objects.bulk_create(RegionStats(tenant=pta, companies=5, employees=50) for pta in ptas)


# --- The pages -----------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    persona: str
    path: Callable[[World], str]
    add_rows: Callable[[World], None]
    statements: int


# Numbers are statements: MIDDLEWARE, then two per query of the view (its SET search_path and itself).
PAGES = {
    # + membership list for the adviser filter (1), COUNT for the paginator (1), the page of companies with
    # their employee counts (1).
    "company_list": Page("adviser_a", lambda w: "/bedrifter/", add_companies, MIDDLEWARE + 6),
    # + company (1), COUNT for the paginator (1), locations and departments for the filters (2), the page of
    # employees with their location and department (1).
    "employee_list": Page(
        "adviser_a", lambda w: f"/bedrifter/{w.company_a1.pk}/ansatte/", add_employees, MIDDLEWARE + 10
    ),
    # + company (1), COUNT for the paginator (1), the page of tickets with employee and ticket type (1), the
    # company's tickets by state (1).
    "company_tickets": Page(
        "adviser_a", lambda w: f"/bedrifter/{w.company_a1.pk}/billetter/", add_tickets, MIDDLEWARE + 8
    ),
    # + company (1), the employees offered (one query, capped; their live tickets a NOT EXISTS) (1), the
    # ticket types offered (1).
    "ticket_create": Page(
        "adviser_a", lambda w: f"/bedrifter/{w.company_a1.pk}/billetter/ny/", add_employees, MIDDLEWARE + 6
    ),
    # + the PTA's tickets by state (1), the tickets running in each of the twelve months (1).
    "ticket_overview": Page("adviser_a", lambda w: "/billetter/", add_tickets, MIDDLEWARE + 4),
    # + the notices with their company counts and authors (1).
    "notice_list": Page("adviser_a", lambda w: "/bedrifter/varsler/", add_notices, MIDDLEWARE + 2),
    # + company (1), documents with uploaders (1), notices with authors (1), threads with message and
    # unread counts (1).
    "documents_tab": Page(
        "adviser_a",
        lambda w: f"/bedrifter/{w.company_a1.pk}/dokumenter/",
        add_documents_threads_and_notices,
        MIDDLEWARE + 8,
    ),
    # + companies for the invitation form (1), memberships with users (1), pending invitations (1).
    "pta_users": Page("admin_a", lambda w: "/brukere/", add_users_and_invitations, MIDDLEWARE + 6),
    # + company (1), COUNT of the events for the paginator (1), the page of events (1), the acting users in
    # one query (1): 8 statements, and 12 more SET search_path: pghistory's event query (a union over the
    # event tables of the models referencing the company, tickets.Ticket's, tickets.Application's and
    # activities.Activity's among them) sets it 7 extra times, for the COUNT and again for the page.
    "company_history": Page(
        "adviser_a", lambda w: f"/bedrifter/{w.company_a1.pk}/historikk/", add_history, MIDDLEWARE + 22
    ),
    # + region stats with their PTAs (1), the totals (1), the count of active regions (1), the regions'
    # survey figures with their PTAs (1).
    # Seven queries, each after its SET search_path: region stats (with tenant), active regions count,
    # memberships per region and role, RegionMonth summed by month, min(refreshed_at), latest
    # RefreshRequest, survey figures -- none per region.
    "national_dashboard": Page("coordinator", lambda w: "/nasjonalt/", add_regions, MIDDLEWARE + 14),
    # The composed pages (config.composition): each card is its app's own view, called in-process.
    # + needs attention: one query per selector of NEEDS_ATTENTION (company imports, employee imports,
    # unanswered messages, companies without a contact person, agreements ending, ticket applications
    # waiting too long, invoice drafts to review, survey rounds closing below target: 8); the adviser's
    # companies with their agreements, contact counts and total (1); the trend of member companies and of
    # their employees (2); companies by status (1); employees on lists (1); activities planned in the past
    # (1, NEEDS_ATTENTION); the activities card (2); the targets card: the region's stats, its trend and its
    # users (3).
    "staff_start": Page("adviser_a", lambda w: "/i-dag/", add_things_to_do, MIDDLEWARE + 38),
    # + company, agreement, adviser, locations, departments, status changes (6); the employees card: its
    # company check (1) and the counts by status (1); the agreement products card: its company check (1)
    # and the agreement (1; A1 has none, so no product rows are read).
    "company_overview": Page("adviser_a", lambda w: f"/bedrifter/{w.company_a1.pk}/", add_employees, MIDDLEWARE + 20),
    # A contact person has no TOTP check (8 statements of middleware), + the contact's companies (1), the
    # contact person with the company (1), agreement (1); the next steps card (the contact person is
    # reused by every card): the latest employee import (1), unread conversations (1), contact count and
    # agreement end (1), ticket applications waiting (1), overdue invoices (1), survey rounds below
    # target (1); the adviser card: the
    # adviser (1); the employees card: counts by status (1); the tickets card: tickets by state (1); the
    # invoices card: the agreement (its credit limit), the balance, the overdue count and the latest
    # invoice (4); the messages card: staff check and unread conversations (2); the surveys card: the latest
    # round with its counts (1); the climate card: the company check, the latest report, and the
    # certification levels (3; the company has no survey round, so no figures are read); the other regions
    # the contact person is a contact in (1, the region switcher).
    "minside": Page("contact_a1", lambda w: "/min-side/", add_things_to_do, MIDDLEWARE - 2 + 46),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_list_page_query_count_is_pinned(world, django_assert_num_queries, name):
    page = PAGES[name]
    persona = getattr(world, page.persona)
    path = page.path(world)
    page.add_rows(world)
    client = client_for(persona)
    assert client.get(path).status_code == 200  # warm up: session, caches
    with django_assert_num_queries(page.statements):
        assert client.get(path).status_code == 200
    page.add_rows(world)
    with django_assert_num_queries(page.statements):
        assert client.get(path).status_code == 200
