"""Import an employee list from the command line, the same way as the web:

    manage.py import_employees --pta SLUG --company ORGNR FILE [--full] [--dry-run] [--create-missing]

Prints one line `added=N updated=N unchanged=N left=N errors=N`, then the
errors one per line (notes such as ignored columns go to stderr). With
errors, nothing is written and the exit code is 1.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from companies.models import Company
from employees import services
from tenants.commands import PtaCommand


class Command(PtaCommand):
    help = "Import employees of one company from a CSV or XLSX file."

    def add_pta_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--company", required=True, help="the company's organisation number")
        parser.add_argument("--full", action="store_true", help="the file is the full list: mark others as left")
        parser.add_argument("--create-missing", action="store_true", help="create unknown locations and departments")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle_pta(self, pta, *args, **opts):
        company = Company.objects.filter(org_number=opts["company"].replace(" ", "")).first()
        if company is None:
            raise CommandError(f"No company with organisation number {opts['company']!r} in {pta.name}.")
        path = Path(opts["file"])
        try:
            summary = services.employee_import_file(
                company=company,
                content=path.read_bytes(),
                filename=path.name,
                full_list=opts["full"],
                create_missing=opts["create_missing"],
                dry_run=opts["dry_run"],
            )
        except OSError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for warning in summary.warnings:  # e.g. a column of national identity numbers that was left out
            self.stderr.write(warning)
        self.stdout.write(summary.summary_line())
        for error in summary.errors:
            self.stdout.write(error.as_line())
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} errors; nothing was written.")
