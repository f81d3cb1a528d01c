"""Write one PTA's corporate-ticket entitlements of a month as a file:

    manage.py export_entitlements --pta SLUG --month YYYY-MM --format csv|json --out PATH

CSV: UTF-8 with BOM, semicolons, a header row; JSON: the document the webhook
sends (tickets.fulfilment). Prints one line
`entitlements=N month=YYYY-MM key=<first 12 hex of the idempotency key> out=PATH`.
Reads only: whatever the PTA's backend, nothing is sent or recorded.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from tenants.commands import PtaCommand
from tickets import fulfilment, payroll, services_fulfilment


class Command(PtaCommand):
    help = "Write one PTA's corporate-ticket entitlements of a month as CSV or JSON."

    def add_pta_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month, YYYY-MM")
        parser.add_argument("--format", required=True, dest="fmt", help="csv or json")
        parser.add_argument("--out", required=True, help="the file to write")

    def handle_pta(self, pta, *args, month: str, fmt: str, out: str, **opts):
        try:
            first = payroll.parse_month(month)
        except ValueError:
            raise CommandError(f"--month must be YYYY-MM, not {month!r}.") from None
        fmt = fmt.lower()
        if fmt not in fulfilment.FORMATS:
            raise CommandError(f"--format must be csv or json, not {fmt!r}.")
        entitlements, key, body = services_fulfilment.month_document(month=first)
        content = fulfilment.entitlements_csv(entitlements) if fmt == fulfilment.CSV else body
        path = Path(out)
        path.write_bytes(content)
        self.stdout.write(f"entitlements={len(entitlements)} month={first:%Y-%m} key={key[:12]} out={path}")
