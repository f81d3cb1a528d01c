"""Dates as Norwegians mean them: in Europe/Oslo, whatever the server's zone."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

OSLO = ZoneInfo("Europe/Oslo")


def today() -> date:
    """Today's date in Oslo."""
    return timezone.localdate(timezone=OSLO)
