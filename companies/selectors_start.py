"""Reads for the start pages: what needs doing about companies (as
core.attention items), an adviser's own companies, and the member trend.

config/composition.py names the attention selectors in NEEDS_ATTENTION (the
staff's "I dag") and NEXT_STEPS (a contact person's Min side). Each is one
query, capped at `limit` rows, whatever the number of companies.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from companies.models import (
    Agreement,
    Company,
    CompanyImport,
    CompanyStatus,
    CompanyStatusChange,
    ContactPerson,
    Message,
    MessageThread,
)
from companies.selectors import _with_unread
from core.attention import Attention, Severity
from core.dates import today
from core.imports import ImportStatus, needing_attention
from tenants.models import User
from tenants.permissions import STAFF

#: An agreement ending this soon (or ended, while the company is still a member) needs attention.
AGREEMENT_NOTICE_DAYS = 60


def mine_first(field: str, user: User):
    """An ordering that puts the rows whose `field` is the user (their own companies) first."""
    return Case(When(**{field: user.pk}, then=Value(0)), default=Value(1), output_field=IntegerField())


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


# --- "I dag": needs attention, for PTA staff (every company of the PTA) ------------------


def company_imports_needing_attention(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """Company imports (bulk onboarding) that failed, or that were checked but
    not confirmed for an hour. Gone when a newer company import exists, or
    when it is confirmed. "Mine" are the ones the user uploaded."""
    imports = (
        CompanyImport.objects.filter(needing_attention())
        .exclude(Exists(CompanyImport.objects.filter(created_at__gt=OuterRef("created_at"))))
        .only("id", "status", "original_name", "created_at", "created_by_id")
    )
    if mine:
        imports = imports.filter(created_by_id=user.pk)
    items = []
    for row in imports.order_by(mine_first("created_by_id", user), "created_at")[:limit]:
        failed = row.status == ImportStatus.FAILED
        items.append(
            Attention(
                kind="company_import_failed" if failed else "company_import_unconfirmed",
                title=_("The company import failed") if failed else _("A company import waits for confirmation"),
                url=reverse("companies:import_progress" if failed else "companies:import_preview", args=[row.pk]),
                adviser_id=row.created_by_id,
                since=row.created_at,
                detail=row.original_name,
                severity=Severity.DANGER if failed else Severity.WARNING,
            )
        )
    return items


def unanswered_messages(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """Conversations whose last message is from the company's side: a contact
    person waits for an answer. Gone when someone of the PTA answers."""
    last = Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-pk").values("from_staff")[:1]
    threads = (
        MessageThread.objects.annotate(last_from_staff=Subquery(last))
        .filter(last_from_staff=False)
        .select_related("company")
        .only("id", "subject", "last_message_at", "company__id", "company__name", "company__adviser_id")
    )
    if mine:
        threads = threads.filter(company__adviser_id=user.pk)
    return [
        Attention(
            kind="message_unanswered",
            title=_("Answer the message “%(subject)s”") % {"subject": thread.subject},
            url=reverse("companies:thread", args=[thread.company.pk, thread.pk]),
            company=thread.company.name,
            adviser_id=thread.company.adviser_id,
            since=thread.last_message_at,
        )
        for thread in threads.order_by(mine_first("company__adviser_id", user), "last_message_at")[:limit]
    ]


def companies_without_contact_person(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """Member companies nobody can sign in for (no contact person): nobody
    there sees Min side. Gone when a contact person accepts an invitation."""
    companies = (
        Company.objects.filter(status=CompanyStatus.MEMBER)
        .exclude(Exists(ContactPerson.objects.filter(company=OuterRef("pk"))))
        .only("id", "name", "adviser_id", "status_changed_on")
    )
    if mine:
        companies = companies.filter(adviser_id=user.pk)
    return [
        Attention(
            kind="company_without_contact",
            title=_("Add a contact person"),
            url=reverse("companies:contacts", args=[company.pk]),
            company=company.name,
            adviser_id=company.adviser_id,
            since=company.status_changed_on,
            detail=_("Nobody at the company can sign in to Min side."),
        )
        for company in companies.order_by(mine_first("adviser_id", user), "name")[:limit]
    ]


def agreements_ending(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """Agreements of member companies that end within AGREEMENT_NOTICE_DAYS,
    or have ended while the company is still a member. Gone when the
    agreement is extended or the company's status changes."""
    day = today()
    agreements = (
        Agreement.objects.filter(
            company__status=CompanyStatus.MEMBER, end_date__lte=day + timedelta(days=AGREEMENT_NOTICE_DAYS)
        )
        .select_related("company")
        .only("id", "end_date", "company__id", "company__name", "company__adviser_id")
    )
    if mine:
        agreements = agreements.filter(company__adviser_id=user.pk)
    items = []
    for agreement in agreements.order_by(mine_first("company__adviser_id", user), "end_date")[:limit]:
        ended = agreement.end_date < day
        items.append(
            Attention(
                kind="agreement_ended" if ended else "agreement_ending",
                title=(_("The agreement ended on %(date)s") if ended else _("The agreement ends on %(date)s"))
                % {"date": _short(agreement.end_date)},
                url=reverse("companies:agreement", args=[agreement.company.pk]),
                company=agreement.company.name,
                adviser_id=agreement.company.adviser_id,
                since=agreement.end_date,
                severity=Severity.DANGER if ended else Severity.WARNING,
            )
        )
    return items


# --- Min side: next steps, for one company's contact person -----------------------------


def company_next_steps(*, company: Company, contact: ContactPerson, user: User) -> list[Attention]:
    """Messages from the PTA the contact person has not read; a second contact
    person when they are the only one; an agreement that ends soon.
    Two queries."""
    steps = [
        Attention(
            kind="message_unread",
            title=_("Read and answer “%(subject)s”") % {"subject": thread.subject},
            url=reverse("companies:thread", args=[company.pk, thread.pk]),
            since=thread.last_message_at,
        )
        for thread in _with_unread(company.threads.all(), user=user, staff=False)
        .filter(unread__gt=0)
        .order_by("last_message_at")[:10]
    ]
    facts = (
        Company.objects.filter(pk=company.pk)
        .annotate(contacts=Count("contact_persons"))
        .values("contacts", "agreement__end_date")
        .get()
    )
    if facts["contacts"] < 2:
        steps.append(
            Attention(
                kind="second_contact",
                title=_("Ask your adviser to add a second contact person"),
                url=reverse("companies:thread_create", args=[company.pk]),
                detail=_("Then someone can stand in for you when you are away."),
                severity=Severity.INFO,
            )
        )
    end = facts["agreement__end_date"]
    if end is not None and end <= today() + timedelta(days=AGREEMENT_NOTICE_DAYS):
        steps.append(
            Attention(
                kind="agreement_ending",
                title=(_("Your agreement ended on %(date)s") if end < today() else _("Your agreement ends on %(date)s"))
                % {"date": _short(end)},
                url=reverse("companies:thread_create", args=[company.pk]),
                detail=_("Write to your adviser about renewing it."),
                since=end,
            )
        )
    return steps


def company_adviser(*, company: Company) -> User | None:
    """The company's responsible adviser, with what Min side shows of them, if
    they are still staff of this PTA (one query; none without one)."""
    if company.adviser_id is None:
        return None
    return (
        User.objects.filter(
            pk=company.adviser_id,
            is_active=True,
            memberships__tenant_id=connection.tenant.pk,
            memberships__role__in=STAFF,
        )
        .only("id", "first_name", "last_name", "email", "phone")
        .first()
    )


# --- An adviser's own companies ---------------------------------------------------------


def companies_of_adviser(*, user: User, limit: int) -> list[Company]:
    """The companies `user` is responsible adviser for, by name, at most
    `limit`, each with `contacts` (contact persons), `agreement_state`
    ("active", "future", "ended", "none") and `total` (how many there are in
    all), in one query."""
    day = today()
    # Subqueries rather than a join and GROUP BY over every company of the
    # adviser: PostgreSQL counts the contacts of the shown companies only, and
    # the total once (an uncorrelated subquery).
    mine = Company.objects.filter(adviser=user)
    return list(
        mine.select_related("agreement")
        .annotate(
            contacts=Coalesce(
                Subquery(
                    ContactPerson.objects.filter(company=OuterRef("pk"))
                    .values("company")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            agreement_state=Case(
                When(agreement__isnull=True, then=Value("none")),
                When(agreement__end_date__lt=day, then=Value("ended")),
                When(agreement__start_date__gt=day, then=Value("future")),
                default=Value("active"),
            ),
            total=Subquery(mine.values("adviser").annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        )
        .order_by("name", "pk")[:limit]
    )


# --- The trend of member companies --------------------------------------------------------


def member_figures() -> tuple[int, int]:
    """Member companies now, and the employees on their lists (leavers not
    counted): one query over the companies, from the kept employee counts."""
    members = Company.objects.filter(status=CompanyStatus.MEMBER).aggregate(
        companies=Count("pk"), employees=Sum("employee_count")
    )
    return members["companies"], members["employees"] or 0


def member_spans_sql() -> str:
    """SQL for the periods companies were members: rows of (company_id,
    since, until), `until` exclusive and NULL while it lasts; parameters
    %(member)s and %(tz)s (see member_company_trend).

    The periods come from the dated status changes (CompanyStatusChange,
    which every write of a status records, backdated when the adviser says
    so); a member company without any (made before changes were recorded)
    counts from the day it was registered."""
    changes = CompanyStatusChange._meta.db_table
    companies = Company._meta.db_table
    # Table names from the models, not from input.
    return f"""
        SELECT company_id, since, until FROM (
            SELECT company_id, status, changed_on AS since,
                   lead(changed_on) OVER (PARTITION BY company_id ORDER BY changed_on, id) AS until
            FROM {changes}
        ) AS changes
        WHERE status = %(member)s
        UNION ALL
        SELECT c.id, (c.created_at AT TIME ZONE %(tz)s)::date, NULL FROM {companies} AS c
        WHERE c.status = %(member)s AND NOT EXISTS (SELECT 1 FROM {changes} AS s WHERE s.company_id = c.id)
    """  # noqa: S608


def trend_params(ends: list[date]) -> dict:
    return {"ends": ends, "member": CompanyStatus.MEMBER.value, "tz": settings.TIME_ZONE}


def member_company_trend(*, ends: list[date]) -> list[int]:
    """Member companies at each of the past days `ends`, reconstructed from
    the dated status changes, in one query: how reporting fills the months
    of its monthly figures from before it first recorded them (see
    reporting.services.monthly_figures_record for why pages read those).
    pghistory's event tables were not used: they date a change when it was
    saved, not when it took effect, and they grow with every edit."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH spans AS ({member_spans_sql()})
            SELECT m.day, count(DISTINCT s.company_id)
            FROM unnest(%(ends)s::date[]) AS m(day)
            LEFT JOIN spans AS s ON s.since <= m.day AND (s.until IS NULL OR s.until > m.day)
            GROUP BY m.day ORDER BY m.day
            """,  # noqa: S608
            trend_params(ends),
        )
        counted = dict(cursor.fetchall())
    return [counted.get(day, 0) for day in ends]
