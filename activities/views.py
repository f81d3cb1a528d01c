"""Activities: a company's tab (staff edit; the company's contact persons read), the PTA's
month (list and calendar grid), who is behind the agreed pace, the "I dag" card, and each
adviser's iCalendar feed (no login: the token in the address is the key).

Another company or PTA is 404, a missing role 403 (companies.permissions, tenants.permissions).
"""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities import ical, rules, selectors, services
from activities.forms import ActivityForm, DoneForm
from activities.models import Activity, ActivityStatus, CalendarFeed
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user, is_staff
from core.dates import today
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form(request, company, instance=None):
    return ActivityForm(
        request.POST or None,
        instance=instance,
        company=company,
        advisers=selectors.advisers(tenant=request.tenant),
    )


@company_member_required
@require_GET
def company_activities(request: CompanyRequest, pk: int):
    """The company's activities: planned and done, and done of the agreed this year."""
    company = get_company_for_user(request, pk)
    activities = list(selectors.company_activities(company=company))
    year = today().year
    done_this_year = sum(1 for a in activities if a.status == ActivityStatus.DONE and a.day.year == year)
    return render(
        request,
        "activities/company.html",
        {
            "company": company,
            "tab": "activities",
            "can_edit": is_staff(request),
            "planned": [a for a in activities if a.status == ActivityStatus.PLANNED],
            "done": [a for a in activities if a.status == ActivityStatus.DONE][::-1],
            "cancelled": [a for a in activities if a.status == ActivityStatus.CANCELLED],
            "done_this_year": done_this_year,
            "agreed": rules.AGREED_PER_YEAR,
            "year": year,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def activity_create(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    form = _form(request, company)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_create(company=company, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("activities:company", company.pk)
    return render(
        request,
        "activities/form.html",
        {"company": company, "tab": "activities", "form": form, "activity": None},
        status=400 if request.method == "POST" else 200,
    )


def _activity(pk: int) -> Activity:
    return get_object_or_404(Activity.objects.select_related("company", "billable_item"), pk=pk)


@staff_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthenticatedRequest, pk: int):
    activity = _activity(pk)
    company = activity.company
    form = _form(request, company, instance=Activity.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("activities:company", company.pk)
    return render(
        request,
        "activities/form.html",
        {
            "company": company,
            "tab": "activities",
            "form": form,
            "activity": activity,
            "done_form": DoneForm(initial={"participants": activity.participants}),
            "billed": services.is_billed(activity),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def activity_done(request: AuthenticatedRequest, pk: int):
    activity = _activity(pk)
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Participants must be a whole number, 0 or more."))
        return redirect("activities:edit", activity.pk)
    try:
        services.activity_mark_done(activity=activity, participants=form.cleaned_data["participants"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("activities:edit", activity.pk)
    messages.success(request, _("The activity is marked done."))
    return redirect("activities:company", activity.company_id)


@staff_required
@require_POST
def activity_cancel(request: AuthenticatedRequest, pk: int):
    activity = _activity(pk)
    try:
        services.activity_cancel(activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("activities:edit", activity.pk)
    messages.success(request, _("The activity is cancelled."))
    return redirect("activities:company", activity.company_id)


def _month(request) -> date:
    value = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return today().replace(day=1)


def _month_context(request) -> dict:
    month = _month(request)
    mine = request.GET.get("mine") == "1"
    activities = list(selectors.month_activities(month=month, adviser=request.user if mine else None))
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return {
        "month": month,
        "mine": mine,
        "activities": activities,
        "previous": f"{previous:%Y-%m}",
        "next": f"{following:%Y-%m}",
        "mine_query": "&mine=1" if mine else "",
    }


@staff_required
@require_GET
def month_list(request: AuthenticatedRequest):
    """The PTA's activities of the month as a list (?month=YYYY-MM, ?mine=1)."""
    return render(request, "activities/month_list.html", _month_context(request))


@staff_required
@require_GET
def month_calendar(request: AuthenticatedRequest):
    """The month as a table of weeks, each day listing its activities."""
    context = _month_context(request)
    month = context["month"]
    by_day: dict[date, list[Activity]] = {}
    for activity in context["activities"]:
        by_day.setdefault(activity.day, []).append(activity)
    weeks = [
        [{"day": day, "in_month": day.month == month.month, "activities": by_day.get(day, [])} for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
    context["weeks"] = weeks
    context["today"] = today()
    return render(request, "activities/month_calendar.html", context)


@staff_required
@require_GET
def behind_list(request: AuthenticatedRequest):
    """Member companies with their activities done this year against the agreed, and planned."""
    day = today()
    progress = selectors.members_progress(day=day)
    return render(
        request,
        "activities/behind.html",
        {
            "progress": progress,
            "behind_count": sum(1 for p in progress if p.behind),
            "agreed": rules.AGREED_PER_YEAR,
            "due": rules.due_by(day),
            "year": day.year,
        },
    )


@staff_required
@require_GET
def today_card(request: AuthenticatedRequest):
    year = today().year
    counts = selectors.activity_counts(year=year)
    return render(request, "activities/cards/today.html", {"counts": counts, "year": year})


@staff_required
@require_http_methods(["GET", "POST"])
def feed_subscribe(request: AuthenticatedRequest):
    """The adviser's own calendar feed: POST makes it, or gives it a new address."""
    url = None
    if request.method == "POST":
        token = services.calendar_feed_renew(user=request.user)
        url = request.build_absolute_uri(f"/aktiviteter/ical/{token}.ics").replace("http://", "https://", 1)
        messages.success(request, _("Your calendar address is ready. Any older address no longer works."))
    return render(
        request,
        "activities/subscribe.html",
        {"feed": selectors.feed_for_user(user=request.user), "url": url},
    )


@require_GET
def ical_feed(request, token: str):
    """The adviser's activities as iCalendar (no login: the token is the key; 404 when unknown)."""
    feed = CalendarFeed.objects.filter(token_hash=services.token_hash(token)).first()
    if feed is None:
        raise Http404
    body = ical.calendar(
        selectors.feed_activities(feed=feed),
        host=request.get_host().split(":")[0],
        name=_("Activities – %(pta)s") % {"pta": request.tenant.name},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
