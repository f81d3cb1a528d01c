"""Reads of activities: a company's list, the month, who is behind, counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities import rules
from activities.models import Activity, ActivityStatus, CalendarFeed
from companies.models import Company, CompanyStatus
from core.attention import Attention, Severity
from core.dates import today
from tenants.models import Membership, Role, User

FEED_DAYS_BACK = 90


def advisers(*, tenant) -> QuerySet[User]:
    """The PTA's staff users (advisers and PTA admins of `tenant`)."""
    return User.objects.filter(
        memberships__tenant=tenant, memberships__role__in=(Role.ADVISER, Role.PTA_ADMIN)
    ).order_by("first_name", "last_name", "email")


def is_staff_user(*, tenant, user_id: int) -> bool:
    return Membership.objects.filter(tenant=tenant, user_id=user_id, role__in=(Role.ADVISER, Role.PTA_ADMIN)).exists()


def company_activities(*, company: Company) -> QuerySet[Activity]:
    return Activity.objects.filter(company=company).select_related("location", "adviser", "product")


def month_activities(*, month: date, adviser: User | None = None) -> QuerySet[Activity]:
    """Planned and done activities of `month` (its first day), with their company."""
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    activities = (
        Activity.objects.filter(day__gte=month, day__lt=end)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("company", "adviser", "location")
    )
    if adviser is not None:
        activities = activities.filter(adviser=adviser)
    return activities


@dataclass(frozen=True)
class Progress:
    company: Company
    done: int
    planned: int
    due: int

    @property
    def behind(self) -> bool:
        return self.done < self.due


def members_progress(*, day: date) -> list[Progress]:
    """Every member company with its activities done and planned in `day`'s year; one query."""
    year = day.year
    companies = (
        Company.objects.filter(status=CompanyStatus.MEMBER)
        .annotate(
            done_count=Count(
                "activities", filter=Q(activities__status=ActivityStatus.DONE, activities__day__year=year)
            ),
            planned_count=Count(
                "activities", filter=Q(activities__status=ActivityStatus.PLANNED, activities__day__year=year)
            ),
        )
        .select_related("adviser")
        .order_by("done_count", "name")
    )
    due = rules.due_by(day)
    return [Progress(company=c, done=c.done_count, planned=c.planned_count, due=due) for c in companies]


def activity_counts(*, year: int) -> dict:
    """This year's activities done and planned, and the member companies behind
    (as of today in the current year, as of the year's end for a past year)."""
    totals = Activity.objects.in_year(year).aggregate(
        done=Count("pk", filter=Q(status=ActivityStatus.DONE)),
        planned=Count("pk", filter=Q(status=ActivityStatus.PLANNED)),
    )
    now = today()
    day = now if now.year == year else date(year, 12, 31)
    due = rules.due_by(day)
    behind = (
        Company.objects.filter(status=CompanyStatus.MEMBER)
        .annotate(n=Count("activities", filter=Q(activities__status=ActivityStatus.DONE, activities__day__year=year)))
        .filter(n__lt=due)
        .count()
        if due
        else 0
    )
    return {"done": totals["done"], "planned": totals["planned"], "members_behind": behind}


def feed_for_user(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_activities(*, feed: CalendarFeed) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(adviser_id=feed.user_id, day__gte=today() - timedelta(days=FEED_DAYS_BACK))
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("company", "location")
    )


def activities_not_marked_done(*, user: User, mine: bool, limit: int) -> list[Attention]:
    """Planned activities whose day has passed and that are not marked done (or cancelled)."""
    activities = Activity.objects.planned().filter(day__lt=today()).select_related("company")
    if mine:
        activities = activities.filter(adviser_id=user.pk)
    items = []
    for activity in activities.order_by("day")[:limit]:
        items.append(
            Attention(
                kind="activity_not_marked_done",
                title=_("Mark the activity of %(date)s done or cancelled")
                % {"date": date_format(activity.day, "SHORT_DATE_FORMAT")},
                url=reverse("activities:edit", args=[activity.pk]),
                company=activity.company.name,
                adviser_id=activity.adviser_id,
                since=activity.day,
                detail=str(activity),
                severity=Severity.INFO,
            )
        )
    return items
