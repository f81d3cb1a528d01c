"""Time the invoice PDF (invoicing.pdf.render_invoice_pdf) for issued one-page invoices, against
WeasyPrint rendering a fixed one-page HTML in the same run, on one core.

    .venv/bin/python bench/invoice_pdf.py [INVOICES] [ROUNDS]

One throwaway PTA (pta_create, dropped at the end) on the embedded development database, with
INVOICES issued invoices (the worked example: two lines, two VAT rates; 40 unless given). The
process is pinned to one CPU. Each round renders every invoice (read from the database, template,
layout, PDF; not stored), then the baselines the same number of times:

- baseline: a fixed one-page HTML (a heading, a paragraph and a ten-row table, no stylesheet);
- the invoice HTML rendered once, laid out again each time (the layout share of the figure).

Figures are the medians of the rounds (3 unless given), in invoices (documents) per second.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from invoicing import pdf  # noqa: E402
from invoicing.models import Invoice, InvoiceSettings  # noqa: E402
from tenants.models import Pta  # noqa: E402
from tenants.services import pta_create  # noqa: E402

SLUG = "benchinvoicepdf"
FIXED_HTML = (
    "<!DOCTYPE html><html lang='nb'><head><meta charset='utf-8'><title>Fast side</title></head><body>"
    "<h1>Faktura</h1><p>En fast side med en overskrift, et avsnitt og en tabell på ti rader.</p>"
    "<table><thead><tr><th>Beskrivelse</th><th>Antall</th><th>Beløp</th></tr></thead><tbody>"
    + "".join(f"<tr><td>Linje {i}</td><td>{i}</td><td>{i * 100},00</td></tr>" for i in range(1, 11))
    + "</tbody></table></body></html>"
)


def rate(count: int, run) -> float:
    started = time.perf_counter()
    for _ in range(count):
        run()
    return count / (time.perf_counter() - started)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from weasyprint import HTML

    from tests.factories import invoiced_company, issued_invoice

    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(
        name="Bench faktura",
        slug=SLUG,
        domain=f"{SLUG}.localhost",
        org_number="923609016",
        bank_account="86011117947",
        contact_email="faktura@bench.test.no",
    )
    results = []
    try:
        with tenant_context(pta):
            InvoiceSettings.objects.filter(singleton=1).update(
                seller_address="Postboks 1", seller_postcode="4001", seller_city="Stavanger"
            )
            company = invoiced_company()
            ids = [issued_invoice(company, today=date(2026, 12, 1)).pk for _ in range(n)]
            sample = Invoice.objects.get(pk=ids[0])
            assert len(pdf.render_invoice_pdf(sample)) > 0  # warm-up: fonts, the stylesheet
            HTML(string=FIXED_HTML).write_pdf()
            invoice_html = pdf.render_html(sample)
            for _ in range(rounds):
                started = time.perf_counter()
                for pk in ids:
                    pdf.render_invoice_pdf(Invoice.objects.get(pk=pk))
                invoices = n / (time.perf_counter() - started)
                baseline = rate(n, lambda: HTML(string=FIXED_HTML).write_pdf())
                layout = rate(n, lambda: pdf.html_to_pdf(invoice_html))
                results.append({"invoices": invoices, "baseline": baseline, "layout": layout})
    finally:
        connection.set_schema_to_public()
        pta.delete(force_drop=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    print(f"invoices={n}; median of {rounds} rounds, one core")
    print(f"invoice PDFs (query + template + WeasyPrint): {median('invoices'):.1f} /s")
    print(f"baseline, WeasyPrint on a fixed one-page HTML: {median('baseline'):.1f} /s")
    print(f"the invoice HTML laid out again (no query, no template): {median('layout'):.1f} /s")
    print(f"ratio invoice / baseline: {median('invoices') / median('baseline'):.2f}")


if __name__ == "__main__":
    main()
