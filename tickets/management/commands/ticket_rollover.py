"""Move one PTA's corporate tickets into a month, as the beat task does for the current one:

    manage.py ticket_rollover --pta SLUG --month YYYY-MM [--dry-run]

Prints one line `activated=N paused=N ended=N`. Running it again for the same
month changes nothing (and prints zeros). With --dry-run the changes are
counted and rolled back.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import CommandError
from django.db import transaction

from tenants.commands import PtaCommand
from tickets import services


def _month(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month must be YYYY-MM, not {value!r}.") from None


class Command(PtaCommand):
    help = "Move one PTA's corporate tickets into a month (activate, pause, end)."

    def add_pta_arguments(self, parser):
        parser.add_argument("--month", required=True, type=str, help="the month, YYYY-MM")
        parser.add_argument("--dry-run", action="store_true", help="count the changes, write nothing")

    def handle_pta(self, pta, *args, month: str, dry_run: bool = False, **opts):
        with transaction.atomic():
            result = services.ticket_rollover(month=_month(month))
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(f"activated={result.activated} paused={result.paused} ended={result.ended}")
