"""Build the climate reports of COMPANIES companies of one PTA through a real Celery worker,
against WeasyPrint rendering a fixed one-page HTML in the same run:

    .venv/bin/python bench/climate_reports.py [COMPANIES] [EMPLOYEES]

One throwaway PTA (pta_create, dropped at the end) on the embedded development database, with
COMPANIES companies (300 unless given) of EMPLOYEES employees (20 unless given), each with a
baseline round that opened a month ago, an invitation per employee and answers from 80 % of
them (modes, distances and days drawn with a fixed seed). One Celery worker process (`-P solo`,
one core, on a queue of its own, the climate task included) is started; the clock starts when
the reports are asked for the way the page asks (reporting.services_climate.
climate_report_request: a row and an outbox message per company, handed to the broker on
commit) and stops when every report is DONE (figures, PDF, stored as the company's document).
The baseline is WeasyPrint in this process rendering a fixed one-page HTML (a heading, a
paragraph and a ten-row table) as many times, after the worker has finished. Also printed: the
median and largest PDF size, and the pages of a report.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

QUEUE = f"bench-climate-{os.getpid()}"
os.environ["CELERY_QUEUE"] = QUEUE

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.WARNING)

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from companies.models import Company, Document  # noqa: E402
from employees.models import Employee  # noqa: E402
from reporting import services_climate  # noqa: E402
from reporting.models import ClimateReport, ReportState  # noqa: E402
from surveys.models import Invitation, InvitationState, Response, RoundKind, SurveyRound  # noqa: E402
from surveys.services import questionnaire_for_new_round  # noqa: E402
from tenants.models import Pta  # noqa: E402
from tenants.services import pta_create  # noqa: E402

SLUG = "benchclimate"
FIXED_HTML = (
    "<!DOCTYPE html><html lang='nb'><head><meta charset='utf-8'><title>Fast side</title></head><body>"
    "<h1>Klimarapport</h1><p>En fast side med en overskrift, et avsnitt og en tabell på ti rader.</p>"
    "<table><thead><tr><th>Reisemåte</th><th>Svar</th><th>t CO2e</th></tr></thead><tbody>"
    + "".join(f"<tr><td>Reisemåte {i}</td><td>{i}</td><td>{i},25</td></tr>" for i in range(1, 11))
    + "</tbody></table></body></html>"
)
MODES = [
    ("car_driver", 40),
    ("bus", 20),
    ("walk", 10),
    ("bicycle", 10),
    ("train", 8),
    ("car_passenger", 7),
    ("ebike", 5),
]


def seed(companies: int, employees: int) -> list[int]:
    rng = random.Random(13)  # noqa: S311 - figures for a benchmark
    questionnaire = questionnaire_for_new_round()
    today = timezone.localdate()
    company_rows = Company.objects.bulk_create(
        Company(org_number=str(800000000 + i), name=f"Benk Klima {i} AS", municipality="Stavanger")
        for i in range(companies)
    )
    Employee.objects.bulk_create(
        (
            Employee(company=c, first_name=f"Ansatt{i}", last_name="Klima", email=f"a{i}.{c.pk}@benk-klima.no")
            for c in company_rows
            for i in range(employees)
        ),
        batch_size=5000,
    )
    rounds = SurveyRound.objects.bulk_create(
        SurveyRound(
            company=c,
            questionnaire=questionnaire,
            kind=RoundKind.BASELINE,
            opens_on=today - timedelta(days=30),
            closes_on=today - timedelta(days=16),
        )
        for c in company_rows
    )
    Invitation.objects.bulk_create(
        (
            Invitation(
                round=r,
                email=f"a{i}.{r.company_id}@benk-klima.no",
                nonce=secrets.token_hex(16),
                token_hash=secrets.token_hex(32),
                state=InvitationState.SENT,
            )
            for r in rounds
            for i in range(employees)
        ),
        batch_size=5000,
    )
    modes, weights = zip(*MODES, strict=True)
    Response.objects.bulk_create(
        (
            Response(
                round=r,
                company_id=r.company_id,
                submitted_on=r.opens_on,
                main_mode=rng.choices(modes, weights)[0],
                distance_km=Decimal(rng.randint(5, 400)) / 10,
                commute_days=Decimal(rng.choice([2, 3, 4, 5, 5])),
                home_office_days=Decimal(0),
            )
            for r in rounds
            for _ in range(employees * 8 // 10)
        ),
        batch_size=5000,
    )
    return [c.pk for c in company_rows]


def main() -> None:
    companies = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    employees = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    from weasyprint import HTML

    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(
        name="Benk klima", slug=SLUG, domain=f"{SLUG}.localhost", org_number="923609016", bank_account="86011117947"
    )
    worker = None
    try:
        with tenant_context(pta):
            ids = seed(companies, employees)
        log = open(Path(__file__).resolve().parent.parent / ".data" / f"{QUEUE}.log", "w")  # noqa: SIM115
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                "solo",
                "-Q",
                QUEUE,
                "-l",
                "warning",
            ],
            env={**os.environ, "CELERY_QUEUE": QUEUE, "MILJODATA_BASE_URL": ""},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        time.sleep(6)  # the worker's start (Django, Celery, the outbox relay at start)
        HTML(string=FIXED_HTML).write_pdf()  # warm-up here; the worker warms up on its first report
        with tenant_context(pta):
            started = time.perf_counter()
            for pk in ids:
                services_climate.climate_report_request(
                    company=Company.objects.get(pk=pk), year=timezone.localdate().year, by=None
                )
            queued = time.perf_counter() - started
            while True:
                open_reports = ClimateReport.objects.exclude(state__in=[ReportState.DONE, ReportState.FAILED]).count()
                if not open_reports:
                    break
                if worker.poll() is not None:
                    raise SystemExit("the worker stopped; see " + log.name)
                time.sleep(0.2)
            total = time.perf_counter() - started
            failed = list(ClimateReport.objects.filter(state=ReportState.FAILED).values_list("error", flat=True)[:3])
            sizes = sorted(Document.objects.values_list("size", flat=True))
            sample = ClimateReport.objects.filter(state=ReportState.DONE).select_related("document").first()
            if sample is None:
                raise SystemExit(f"no report was made: {failed[:1]}; see {log.name}")
            from pypdf import PdfReader

            with sample.document.file.open("rb") as handle:
                pages = len(PdfReader(handle).pages)
            covered = ClimateReport.objects.filter(figures__covered=True).count()
        started = time.perf_counter()
        for _ in range(companies):
            HTML(string=FIXED_HTML).write_pdf()
        baseline = companies / (time.perf_counter() - started)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        connection.set_schema_to_public()
        with tenant_context(pta):
            for document in Document.objects.all():
                document.file.storage.delete(document.file.name)
        connection.set_schema_to_public()
        pta.delete(force_drop=True)

    rate = companies / total
    print(
        f"companies={companies}, employees each={employees}, answers each={employees * 8 // 10}; one worker (-P solo)"
    )
    print(f"asked for (rows + outbox, one request each): {queued:.2f} s")
    failures = f"{len(failed)} failed" + (f": {failed[0]}" if failed else "")
    print(f"all reports DONE: {total:.1f} s, {rate:.2f} reports/s ({failures})")
    print(f"reports with figures: {covered} of {companies}; pages of a report: {pages}")
    print(f"baseline, WeasyPrint on a fixed one-page HTML (this process): {baseline:.1f} /s")
    print(f"ratio reports / baseline: {rate / baseline:.3f}")
    print(f"PDF size: median {statistics.median(sizes) / 1024:.1f} KiB, largest {sizes[-1] / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
