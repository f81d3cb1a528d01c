"""Onboard companies from a file, the same way as the web page:

    manage.py import_companies --pta SLUG FILE [--dry-run]

Prints one line `added=N updated=N unchanged=N errors=N`, then the errors
one per line (in English). With errors, nothing is written (not even the import record)
and the exit code is 1.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, no_translations

from companies import services
from tenants.commands import PtaCommand


class Command(PtaCommand):
    help = "Onboard companies from a CSV/XLSX file (org number, name, address, municipality, industry)."

    def add_pta_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and show what would change, write nothing")

    @no_translations  # the lines are for scripts and logs: English, like the field names
    def handle_pta(self, pta, *args, file: str, dry_run: bool, **opts):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from None
        summary = services.company_import_file(content=content, filename=path.name, dry_run=dry_run)
        self.stdout.write(summary.summary_line())
        for error in summary.errors:
            self.stdout.write(error.as_line())
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} errors; nothing was written.")
