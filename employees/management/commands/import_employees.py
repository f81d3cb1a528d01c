"""Import an employee list from the command line, the same way as the web:

    manage.py import_employees --pta SLUG --company ORGNR FILE [--full] [--dry-run] [--create-missing]

Prints one line `added=N updated=N unchanged=N left=N errors=N`, then the
errors one per line (notes such as ignored columns go to stderr). With
errors, nothing is written and the exit code is 1.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from companies.models import Company
from config.tabular import TableError, read_table
from employees import services
from employees.importing import detect_mapping, mapping_problems
from tenants.models import Pta


class Command(BaseCommand):
    help = "Import employees of one company from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--pta", required=True, help="the PTA's short name (slug)")
        parser.add_argument("--company", required=True, help="the company's organisation number")
        parser.add_argument("--full", action="store_true", help="the file is the full list: mark others as left")
        parser.add_argument("--create-missing", action="store_true", help="create unknown locations and departments")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            content = path.read_bytes()
            table = read_table(content, path.name)
        except (OSError, TableError) as exc:
            raise CommandError(str(exc)) from None
        mapping = detect_mapping(table)
        problems = mapping_problems(set(mapping.values()))
        if problems:
            raise CommandError("The columns were not recognised: " + " ".join(problems))
        pta = Pta.objects.exclude(schema_name="public").filter(slug=opts["pta"]).first()
        if pta is None:
            raise CommandError(f"No PTA with the short name {opts['pta']!r}.")
        with tenant_context(pta):
            company = Company.objects.filter(org_number=opts["company"].replace(" ", "")).first()
            if company is None:
                raise CommandError(f"No company with organisation number {opts['company']!r} in {pta.name}.")
            plan = services.employee_import_check(
                company=company,
                table=table,
                mapping=mapping,
                full_list=opts["full"],
                create_missing=opts["create_missing"],
            )
            for warning in plan.warnings:  # e.g. a column of national identity numbers that was left out
                self.stderr.write(warning)
            if not plan.errors and not opts["dry_run"]:
                try:
                    employee_import = services.employee_import_create(
                        company=company,
                        content=content,
                        filename=path.name,
                        user_id=None,
                        full_list=opts["full"],
                        create_missing=opts["create_missing"],
                    )
                    employee_import = services.employee_import_confirm(employee_import=employee_import, run_now=True)
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from None
                self.stdout.write(
                    f"added={employee_import.added} updated={employee_import.updated} "
                    f"unchanged={employee_import.unchanged} left={employee_import.left} "
                    f"errors={employee_import.error_count}"
                )
                for error in employee_import.errors:
                    self.stdout.write(f"row {error['row']}, {error['field']}: {error['message']}")
                if employee_import.error_count:
                    raise CommandError("The list changed while importing; nothing was written.")
                return
        self.stdout.write(plan.summary_line())
        for error in plan.errors:
            self.stdout.write(error.as_line())
        if plan.errors:
            raise CommandError(f"{len(plan.errors)} errors; nothing was written.")
