"""Log filters. Links mailed to employees carry their secret in the path (a survey's
answer link, a ticket application's one-time link; likewise a hand-over between regions and
an adviser's calendar feed); Django's request logger writes
the path of a 404 or 410, so the console handler masks those secrets before any
record is written."""

from __future__ import annotations

import logging
import re

#: The path segments that are secrets, after the prefix that names them.
SECRET_PATHS = re.compile(
    r"(/undersokelse/|/soknad/[^/\s]+/skjema/|/invitasjon/|/overgang/|/aktiviteter/ical/)[^/\s?]+"
)
MASK = r"\1…"


def mask(text: str) -> str:
    return SECRET_PATHS.sub(MASK, text)


class SecretPathFilter(logging.Filter):
    """Masks the secret of an e-mailed link in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True
