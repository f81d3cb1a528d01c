"""A company's climate report, written to a file: `.pdf` the PDF, `.json` the figures."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError

from companies.models import Company
from reporting import services_climate as services
from reporting.emission_factors import FactorsUnavailable
from tenants.commands import PtaCommand


class Command(PtaCommand):
    help = (
        "Write a company's climate report (GHG Protocol Scope 3 category 7, commuting) to --out: a .pdf "
        "path gets the PDF, a .json path the figures. Runs here, not in the worker, and stores nothing "
        "(the report on the company's page is stored in its documents). --year defaults to this year."
    )

    def add_pta_arguments(self, parser) -> None:
        parser.add_argument("--company", required=True, help="the company's organisation number (9 digits)")
        parser.add_argument("--out", required=True, help="the file to write: .pdf or .json")
        parser.add_argument("--year", type=int, help="the report's year (this year unless given)")

    def handle_pta(self, pta, *args, company: str, out: str, year: int | None, **options):
        path = Path(out)
        suffix = path.suffix.lower()
        if suffix not in (".pdf", ".json"):
            raise CommandError(f"--out must end in .pdf or .json, not {out!r}.")
        if not path.parent.exists():
            raise CommandError(f"The folder {str(path.parent)!r} does not exist.")
        years = services.report_years()
        year = year or years[0]
        if year not in years:
            raise CommandError(f"--year must be from {years[-1]} to {years[0]}, not {year}.")
        found = Company.objects.filter(org_number=company.replace(" ", "")).first()
        if found is None:
            raise CommandError(f"No company with the organisation number {company!r} in {pta.slug}.")
        try:
            figures = services.climate_figures(company=found, year=year)
        except FactorsUnavailable as error:
            raise CommandError(f"No emission factors for {year}: {error}") from error
        if suffix == ".json":
            path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        else:
            from reporting.pdf_climate import render_pdf

            path.write_bytes(render_pdf(figures))
        summary = (
            f"{figures['totals']['tonnes']} t CO2e, {figures['totals']['kg_per_employee']} kg per employee"
            if figures["covered"]
            else f"no figures: {figures['reason_code']}"
        )
        self.stdout.write(f"Wrote {path} ({found.name}, {year}: {summary}).")
