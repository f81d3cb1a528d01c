"""Write one company's payroll and benefit-tax report for a month:

    manage.py payroll_report --pta SLUG --company ORGNR --month YYYY-MM --out PATH

The format follows the extension of PATH: .csv or .xlsx. Prints the number of
rows and the path. Reads only.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from companies.models import Company
from tenants.commands import PtaCommand
from tickets import payroll, rules


class Command(PtaCommand):
    help = "Write one company's payroll and benefit-tax report for a month (.csv or .xlsx)."

    def add_pta_arguments(self, parser):
        parser.add_argument("--company", required=True, help="the company's organisation number")
        parser.add_argument("--month", required=True, help="the month, YYYY-MM")
        parser.add_argument("--out", required=True, help="the file to write, ending .csv or .xlsx")

    def handle_pta(self, pta, *args, company: str, month: str, out: str, **opts):
        try:
            first = payroll.parse_month(month)
        except ValueError:
            raise CommandError(f"--month must be YYYY-MM, not {month!r}.") from None
        path = Path(out)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in payroll.FORMATS:
            raise CommandError(f"--out must end .csv or .xlsx, not {path.name!r}.")
        found = Company.objects.filter(org_number=company.replace(" ", "")).first()
        if found is None:
            raise CommandError(f"No company with the organisation number {company!r} in {pta.slug}.")
        try:
            rows = payroll.payroll_rows(company=found, month=first)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except rules.NoRulePeriod as exc:
            raise CommandError(str(exc)) from None
        if fmt == payroll.CSV:
            content = payroll.payroll_csv(rows)
        else:
            content = payroll.payroll_xlsx(rows, company=found, month=first)
        path.write_bytes(content)
        self.stdout.write(f"rows={len(rows)} out={path}")
