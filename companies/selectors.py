from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from companies.models import (
    Agreement,
    Company,
    CompanyStatus,
    ContactPerson,
    Document,
    Message,
    MessageThread,
    Notice,
    Visibility,
)
from tenants.models import Membership, User
from tenants.permissions import STAFF


def company_choices() -> list[tuple[int, str]]:
    return [(c.pk, f"{c.name} ({c.org_number})") for c in Company.objects.only("pk", "name", "org_number")]


SORTABLE = {"name", "org_number", "municipality", "status", "employee_count", "status_changed_on"}


def company_list(
    *,
    search: str = "",
    status: str = "",
    adviser_id: int | None = None,
    municipality: str = "",
    size: str = "",
    sort: str = "name",
) -> QuerySet[Company]:
    """The adviser's company list: filtered and sorted on a whitelisted column."""
    # employee_count is a column the employees app's triggers keep: nothing is counted here.
    companies = Company.objects.all()
    if search:
        compact = search.replace(" ", "")
        companies = companies.filter(Q(name__icontains=search) | Q(org_number__startswith=compact))
    if status in CompanyStatus.values:
        companies = companies.filter(status=status)
    if adviser_id:
        companies = companies.filter(adviser_id=adviser_id)
    if municipality:
        companies = companies.filter(municipality__iexact=municipality.strip())
    if size:
        companies = companies.filter(size=size)
    field = sort.removeprefix("-")
    if field not in SORTABLE:
        sort, field = "name", "name"
    return companies.order_by(sort, "name" if field != "name" else "pk")


def companies_for_contact(*, user) -> QuerySet[Company]:
    """Only the companies this contact person is named for; every Min side view goes through here."""
    return company_list().filter(contact_persons__user=user)


def company_status_counts() -> list[tuple[str, int]]:
    """(status label, number of companies) for every status, in one query."""
    by_status = dict(Company.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return [(label, by_status.get(value, 0)) for value, label in CompanyStatus.choices]


def company_overview(*, company: Company) -> dict:
    agreement = Agreement.objects.filter(company=company).first()
    return {
        "agreement": agreement,
        "adviser": User.objects.filter(pk=company.adviser_id).first() if company.adviser_id else None,
        "locations": list(company.locations.all()),
        "departments": list(company.departments.all()),
        "status_changes": list(company.status_changes.all()[:10]),
    }


def contact_person_list(*, company: Company) -> list[ContactPerson]:
    """Contact persons with their user (public schema) attached, in two queries."""
    contacts = list(company.contact_persons.all())
    users = User.objects.in_bulk([c.user_id for c in contacts])
    for contact in contacts:
        contact.person = users.get(contact.user_id)
    return sorted(contacts, key=lambda c: str(c.person).casefold() if c.person else "")  # by name


def company_history(*, company: Company):
    """Changes to the company and to everything that references it (contact
    persons, employees, agreement...): who, when, old and new value.

    pghistory records them with database triggers, so bulk imports are
    recorded as well as form edits.
    """
    from pghistory.models import Events

    return Events.objects.references(company).order_by("-pgh_created_at")


HIDDEN_HISTORY_FIELDS = {"updated_at", "created_at"}


# Columns of tracked rows that hold a user's id (public schema): shown by the person's name.
USER_COLUMNS = {"adviser_id", "user_id"}


def history_rows(events) -> list[dict]:
    """Shape pghistory events for display: what each row is (a company or an
    employee by name, a contact person by the person's name, an agreement by
    its period) and its changes with the fields' labels. Every
    user named (who acted, contact persons, advisers in a change) is fetched
    in one query for the whole page."""
    events = list(events)
    user_ids: set[int] = set()
    for event in events:
        user_ids.add((event.pgh_context or {}).get("user"))
        user_ids.add((event.pgh_data or {}).get("user_id"))
        for column, change in (event.pgh_diff or {}).items():
            if column in USER_COLUMNS:
                user_ids.update(change)
    users = User.objects.in_bulk([uid for uid in user_ids if isinstance(uid, int)])
    rows = []
    for event in events:
        data = event.pgh_data or {}
        diff = {k: v for k, v in (event.pgh_diff or {}).items() if k not in HIDDEN_HISTORY_FIELDS}
        if event.pgh_label == "update" and not diff:
            continue
        model = event.pgh_model.split(".")[-1].removesuffix("Event")
        tracked = getattr(apps.get_model(event.pgh_model), "pgh_tracked_model", None)
        changes = sorted(diff.items())
        rows.append(
            {
                "at": event.pgh_created_at,
                "who": users.get((event.pgh_context or {}).get("user")),
                "model": model,
                "label": event.pgh_label,
                "object": _history_object(model, tracked, data, users) or f"#{event.pgh_obj_id}",
                "changes": [(column, change[0], change[1]) for column, change in changes],
                "shown_changes": [
                    (_column_label(tracked, column), *(_shown(tracked, column, value, users) for value in change))
                    for column, change in changes
                ],
            }
        )
    return rows


def _history_object(model: str, tracked, data: dict, users: dict[int, User]) -> str:
    """What a history row is about, from the row as it was recorded (no
    query). A model of a higher app describes its own rows through a
    `history_label(data)` classmethod, so this app needs not know it."""
    if label := getattr(tracked, "history_label", None):
        return label(data)
    if model == "ContactPerson":
        user = users.get(data.get("user_id"))
        return str(user) if user else ""
    if model == "Agreement":
        # Its products are the tickets app's rows now (tickets.AgreementProduct), with their own history.
        start, end = (_shown_date(data.get(key)) for key in ("start_date", "end_date"))
        return f"{start or '…'} – {end or '…'}" if start or end else _("no period registered")
    return data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))


def _column_label(tracked, column: str) -> str:
    try:
        return capfirst(tracked._meta.get_field(column).verbose_name)
    except (AttributeError, FieldDoesNotExist):
        return column


def _shown(tracked, column: str, value, users: dict[int, User]):
    """A recorded value as the reader knows it: a person's name, a choice's label, a date as dd.mm.yyyy."""
    if value is None or value == "":
        return ""
    if column in USER_COLUMNS:
        user = users.get(value)
        return str(user) if user else f"#{value}"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    try:
        field = tracked._meta.get_field(column)
    except (AttributeError, FieldDoesNotExist):
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.get_internal_type() == "DateField":
        return _shown_date(value)
    return value


def _shown_date(value) -> str:
    try:
        return date.fromisoformat(value).strftime("%d.%m.%Y") if value else ""
    except (TypeError, ValueError):
        return str(value)


def contact_invitations_pending(*, tenant, company: Company):
    from tenants.models import Invitation, Role

    return Invitation.objects.pending().filter(tenant=tenant, role=Role.CONTACT, company_ids__contains=[company.pk])


def company_agreement(*, company: Company) -> Agreement | None:
    return Agreement.objects.filter(company=company).first()


# --- Documents, notices and message threads ---------------------------------


def document_list(*, company: Company, staff: bool) -> QuerySet[Document]:
    """The company's documents; contact persons see only those shared with them."""
    documents = company.documents.select_related("uploaded_by")
    if not staff:
        documents = documents.filter(visibility=Visibility.CONTACTS)
    return documents


def notice_list_for_company(*, company: Company) -> QuerySet[Notice]:
    return company.notices.select_related("created_by")


def notice_list(*, limit: int = 50) -> QuerySet[Notice]:
    return Notice.objects.select_related("created_by").annotate(company_count=Count("companies"))[:limit]


def _with_unread(threads: QuerySet[MessageThread], *, user: User, staff: bool) -> QuerySet[MessageThread]:
    """Annotate `unread`: messages from the other side (staff for a contact person,
    contact persons for staff) newer than the user's read marker, counted in SQL."""
    return threads.annotate(
        my_read=FilteredRelation("reads", condition=Q(reads__user_id=user.pk)),
        message_count=Count("messages"),
        unread=Count(
            "messages",
            filter=Q(messages__from_staff=not staff)
            & ~Q(messages__author_id=user.pk)
            & (Q(my_read__last_read_at__isnull=True) | Q(messages__created_at__gt=F("my_read__last_read_at"))),
        ),
    )


def thread_list(*, company: Company, user: User, staff: bool) -> QuerySet[MessageThread]:
    return _with_unread(company.threads.all(), user=user, staff=staff).order_by("-last_message_at", "-pk")


def _is_staff(user: User) -> bool:
    return Membership.objects.filter(user=user, tenant=connection.tenant, role__in=STAFF).exists()


def unread_thread_count(*, user: User, company_ids: Iterable[int] | None = None) -> int:
    """Threads with messages from the other side that this user has not read, for start pages.

    Staff of this PTA count every company's threads, anyone else only the
    companies they are a contact person for; `company_ids` narrows it further.
    """
    staff = _is_staff(user)
    threads = (
        MessageThread.objects.all() if staff else MessageThread.objects.filter(company__contact_persons__user=user)
    )
    if company_ids is not None:
        threads = threads.filter(company_id__in=list(company_ids))
    return _with_unread(threads, user=user, staff=staff).filter(unread__gt=0).count()


def thread_messages(*, thread: MessageThread) -> QuerySet[Message]:
    return thread.messages.select_related("author")
