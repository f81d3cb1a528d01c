"""Draft (and with --issue, issue) one PTA's invoices of a month, as the beat task does on the 1st:

    manage.py invoice_run --pta SLUG --month YYYY-MM [--issue]

Prints one line per invoice of the run: its number (or draft-ID for a draft),
the buyer's organisation number and the total including VAT, e.g.
`1042 914778271 8412.50`. Running it again for the same month drafts nothing
new (the run resumes where it stopped); --issue issues every draft of the run,
each in its own transaction, and names on stderr those it refuses (exit 1).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from invoicing import forms, services
from invoicing.models import InvoiceState
from tenants.commands import PtaCommand


def _month(value: str) -> date:
    month = forms.parse_month(value)
    if month is None:
        raise CommandError(f"--month must be YYYY-MM, not {value!r}.")
    return month


class Command(PtaCommand):
    help = "Draft one PTA's invoices of a month (and issue them with --issue)."

    def add_pta_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month billed, YYYY-MM")
        parser.add_argument("--issue", action="store_true", help="issue the run's drafts")

    def handle_pta(self, pta, *args, month: str, issue: bool = False, **opts):
        try:
            result = services.invoice_run(month=_month(month))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        invoices = result.invoices
        refused = []
        if issue:
            drafts = [invoice for invoice in invoices if invoice.state == InvoiceState.DRAFT]
            outcome = services.invoices_issue(invoices=drafts)
            refused = outcome.refused
            issued = {invoice.pk: invoice for invoice in outcome.issued}
            invoices = [issued.get(invoice.pk, invoice) for invoice in invoices]
        for invoice in invoices:
            self.stdout.write(f"{invoice.label} {invoice.buyer_org_number} {invoice.gross_total}")
        for invoice, reasons in refused:
            self.stderr.write(f"{invoice.label} {invoice.buyer_org_number}: {' '.join(reasons)}")
        if refused:
            raise CommandError(f"{len(refused)} of the run's drafts could not be issued.")
