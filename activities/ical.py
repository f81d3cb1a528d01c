"""An iCalendar (RFC 5545) feed of activities, written by hand: a few
VEVENTs need no library. CRLF line endings, lines folded at 75 octets, text
escaped. Only the company's name, the kind, the place and the title go in:
no employee's personal data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from activities.models import Activity

PRODID = "-//Reisevaner//Aktiviteter//NB"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(timezone.UTC if hasattr(timezone, "UTC") else timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def calendar(activities: Iterable[Activity], *, host: str, name: str) -> str:
    """The feed's text. `activities` with their company selected."""
    stamp = datetime.now(tz=timezone.get_fixed_timezone(0)).strftime("%Y%m%dT%H%M%SZ")
    tz = timezone.get_default_timezone()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append(f"X-WR-CALNAME:{_escape(name)}")
    for activity in activities:
        summary = f"{activity.company.name}: {activity.title or activity.get_kind_display()}"
        lines += ["BEGIN:VEVENT", f"UID:activity-{activity.pk}@{host}", f"DTSTAMP:{stamp}"]
        if activity.starts_at:
            start = timezone.make_aware(datetime.combine(activity.day, activity.starts_at), tz)
            end = (
                timezone.make_aware(datetime.combine(activity.day, activity.ends_at), tz)
                if activity.ends_at
                else start + timedelta(hours=1)
            )
            lines += [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(end)}"]
        else:
            lines += [
                f"DTSTART;VALUE=DATE:{activity.day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{activity.day + timedelta(days=1):%Y%m%d}",
            ]
        lines.append(f"SUMMARY:{_escape(summary)}")
        lines.append(f"CATEGORIES:{_escape(str(activity.get_kind_display()))}")
        place = activity.place or (activity.location.name if activity.location_id else "")
        if place:
            lines.append(f"LOCATION:{_escape(place)}")
        lines.append("STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
