"""Write one company's payroll and benefit-tax report for a month:

    manage.py payroll_report --pta SLUG --company ORGNR --month YYYY-MM --out PATH

The format follows the extension of PATH: .csv or .xlsx. Prints the number of
rows and the path. A month that has begun is stored as reported the first time
(tickets.payroll.payroll_report), as a download by the web page would.
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
            report = payroll.payroll_report(company=found, month=first, user=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except rules.NoRulePeriod as exc:
            raise CommandError(str(exc)) from None
        path.write_bytes(payroll.report_file(report, fmt=fmt))
        self.stdout.write(f"rows={len(report.rows)} out={path}")
