"""Time EHF generation (PEPPOL BIS Billing 3.0) of issued invoices of ~20 lines, against lxml
serialising a fixed UBL document of the same size:

    .venv/bin/python bench/invoice_ehf.py [INVOICES] [ROUNDS]

One throwaway PTA (pta_create, dropped at the end) on the embedded development
database: one company and INVOICES issued invoices (200 unless given) of 20
lines each (ticket lines at 12 %, add-ons at 25 %, a course at 0 %). Each
round times invoicing.ehf.invoice_xml over every invoice, the lines fetched
(one query per invoice, as the export command does) and, separately, with the
lines already fetched; the baseline is etree.tostring of one such document,
parsed once, serialised INVOICES times. Figures are medians of the rounds (3
unless given). The last line times the validation (invoicing.ehf_validation)
of one document, after compiling the rules once.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
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
from lxml import etree  # noqa: E402

from companies.models import Agreement, Company  # noqa: E402
from invoicing import ehf, ehf_validation, services  # noqa: E402
from invoicing.billing import LineSpec  # noqa: E402
from invoicing.models import Invoice  # noqa: E402
from tenants.models import Pta  # noqa: E402
from tenants.services import pta_create  # noqa: E402

SLUG = "benchehf"
LINES = 20


def _specs() -> list[LineSpec]:
    specs = []
    for i in range(LINES):
        if i % 10 == 9:
            spec = ("Kurs", "2", "500.00", "0.00")
        elif i % 2:
            spec = (f"Tilleggstjeneste {i}", "3", "125.5000", "25.00")
        else:
            spec = (f"Bedriftsbillett sone {i}", str(10 + i), "723.2143", "12.00")
        d, q, p, v = spec
        specs.append(LineSpec(description=d, quantity=Decimal(q), unit_price=Decimal(p), vat_rate=Decimal(v)))
    return specs


def seed(invoices: int) -> list[Invoice]:
    settings = services.invoice_settings()
    settings.seller_address, settings.seller_postcode, settings.seller_city = "Torget 1", "4006", "Stavanger"
    settings.save()
    company = Company.objects.create(
        org_number="923456783",
        name="Bench Bedrift AS",
        municipality="Stavanger",
        postal_address="Gate 1",
        postcode="4006",
    )
    Agreement.objects.create(company=company, start_date=date(2027, 1, 1), invoice_email="faktura@bench.no")
    company.refresh_from_db()
    specs = _specs()
    issued = []
    for _ in range(invoices):
        draft = services.draft_create(
            company=company, lines=specs, period_start=date(2027, 3, 1), period_end=date(2027, 3, 31)
        )
        issued.append(services.invoice_issue(invoice=draft, today=date(2027, 4, 1)))
    return issued


def one_round(invoices: list[Invoice], fixed: etree._Element) -> dict:
    result = {}
    started = time.perf_counter()
    for invoice in invoices:
        ehf.invoice_xml(invoice)
    result["ehf"] = time.perf_counter() - started
    fetched = [(invoice, list(invoice.lines.order_by("position"))) for invoice in invoices]
    started = time.perf_counter()
    for invoice, lines in fetched:
        ehf.invoice_xml(invoice, lines=lines)
    result["ehf_no_db"] = time.perf_counter() - started
    started = time.perf_counter()
    for _ in invoices:
        etree.tostring(fixed, xml_declaration=True, encoding="UTF-8")
    result["baseline"] = time.perf_counter() - started
    return result


def _validation_time(xml: bytes) -> tuple[float, float, bool]:
    started = time.perf_counter()
    ehf_validation.warm_up()
    compile_time = time.perf_counter() - started
    started = time.perf_counter()
    report = ehf_validation.validate(xml)
    return compile_time, time.perf_counter() - started, report.ok


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(
        name="Bench EHF", slug=SLUG, domain=f"{SLUG}.localhost", org_number="923609016", bank_account="86011117947"
    )
    try:
        with tenant_context(pta):
            invoices = seed(count)
            sample = ehf.invoice_xml(invoices[0])
            fixed = etree.fromstring(sample)
            results = [one_round(invoices, fixed) for _ in range(rounds)]
            compile_time, validate_time, ok = _validation_time(sample)
    finally:
        connection.set_schema_to_public()
        pta.delete(force_drop=True)

    def rate(key: str) -> float:
        return count / statistics.median(r[key] for r in results)

    print(f"invoices={count} lines={LINES} document={len(sample):,} bytes; median of {rounds} rounds")
    print(f"EHF generation (lines fetched per invoice): {rate('ehf'):,.0f} documents/s")
    print(f"EHF generation (lines already fetched): {rate('ehf_no_db'):,.0f} documents/s")
    print(f"baseline (lxml serialising a fixed document of the same size): {rate('baseline'):,.0f} documents/s")
    ratio, ratio_no_db = rate("ehf") / rate("baseline"), rate("ehf_no_db") / rate("baseline")
    print(f"ratio generation/baseline: {ratio:.3f} (without the query: {ratio_no_db:.3f})")
    print(f"validation: compile once {compile_time:.2f} s, then {validate_time * 1000:.0f} ms per document (ok={ok})")


if __name__ == "__main__":
    main()
