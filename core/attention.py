"""What a start page says needs doing: the item every app's selectors return
for the lists composed in config/composition.py (NEEDS_ATTENTION on the
staff's "I dag", NEXT_STEPS on a contact person's Min side).

It lives on the ground floor so that every app can build one without
knowing the page, and the page can show them without knowing the apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.utils.functional import Promise


class Severity(StrEnum):
    """How the item is shown (a Designsystemet colour) and sorted: failures first."""

    DANGER = "danger"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Attention:
    """One thing someone should do, and the page where it is done.

    `kind` is a stable key per rule ("employee_import_failed"), for tests and
    styling; `title` says what to do in the reader's language; `company` is
    the name of the company it is about, if any, and `adviser_id` that
    company's responsible adviser, so that an adviser's own come first.
    """

    kind: str
    title: str | Promise
    url: str
    company: str = ""
    adviser_id: int | None = None
    since: date | datetime | None = None
    detail: str | Promise = ""
    severity: Severity = Severity.WARNING

    def sort_key(self, user_id: int | None) -> tuple:
        since = self.since
        if isinstance(since, datetime):
            since = since.date()
        return (self.adviser_id != user_id, SEVERITY_ORDER[self.severity], since or date.max, str(self.company))
