"""Write one issued invoice or credit note of a PTA as a file:

    manage.py export_invoice --pta SLUG --number N --format ehf|pdf --out PATH

ehf: the PEPPOL BIS Billing 3.0 document (invoicing.ehf); pdf: the invoice's
PDF (invoicing.pdf). Prints one line `invoice=N format=ehf out=PATH bytes=N`.
Reads only: nothing is sent or recorded.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from invoicing.models import Invoice, InvoiceState
from tenants.commands import PtaCommand

FORMATS = ("ehf", "pdf")


def _render(invoice: Invoice, fmt: str) -> bytes:
    if fmt == "pdf":
        from invoicing.pdf import invoice_pdf  # written separately; imported only when asked for

        return invoice_pdf(invoice)
    from invoicing.ehf import invoice_xml

    return invoice_xml(invoice)


class Command(PtaCommand):
    help = "Write one issued invoice or credit note as EHF (XML) or PDF."

    def add_pta_arguments(self, parser):
        parser.add_argument("--number", required=True, type=int, help="the invoice number")
        parser.add_argument("--format", required=True, dest="fmt", help="ehf or pdf")
        parser.add_argument("--out", required=True, help="the file to write")

    def handle_pta(self, pta, *args, number: int, fmt: str, out: str, **opts):
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise CommandError(f"--format must be ehf or pdf, not {fmt!r}.")
        invoice = (
            Invoice.objects.select_related("credited_invoice").filter(number=number, state=InvoiceState.ISSUED).first()
        )
        if invoice is None:
            raise CommandError(f"No issued invoice number {number} in {pta.slug}.")
        content = _render(invoice, fmt)
        path = Path(out)
        path.write_bytes(content)
        self.stdout.write(f"invoice={number} format={fmt} out={path} bytes={len(content)}")
