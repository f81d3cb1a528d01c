"""An iCalendar (RFC 5545) feed of activities, built with the icalendar library (folding,
escaping, CRLF). Only the company's name, the kind, the place and the title go in: no
employee's personal data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import icalendar
from django.utils import timezone

from activities.models import Activity

PRODID = "-//Reisevaner//Aktiviteter//NB"


def _event(activity: Activity, *, host: str, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"activity-{activity.pk}@{host}")
    event.add("dtstamp", stamp)
    if activity.starts_at:
        tz = timezone.get_default_timezone()
        start = timezone.make_aware(datetime.combine(activity.day, activity.starts_at), tz)
        end = (
            timezone.make_aware(datetime.combine(activity.day, activity.ends_at), tz)
            if activity.ends_at
            else start + timedelta(hours=1)
        )
        event.add("dtstart", start.astimezone(UTC))
        event.add("dtend", end.astimezone(UTC))
    else:
        event.add("dtstart", activity.day)
        event.add("dtend", activity.day + timedelta(days=1))
    event.add("summary", f"{activity.company.name}: {activity.title or activity.get_kind_display()}")
    event.add("categories", [str(activity.get_kind_display())])
    place = activity.place or (activity.location.name if activity.location_id else "")
    if place:
        event.add("location", place)
    event.add("status", "CONFIRMED")
    return event


def calendar(activities: Iterable[Activity], *, host: str, name: str) -> str:
    """The feed's text. `activities` with their company (and location) selected."""
    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(UTC)
    for activity in activities:
        feed.add_component(_event(activity, host=host, stamp=stamp))
    return feed.to_ical().decode()
