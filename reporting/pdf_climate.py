"""The climate report's PDF, rendered with WeasyPrint from the figures
(reporting.services_climate.climate_figures).

Rules:
- Always in bokmål (the template is written in bokmål): a Norwegian document for the
  company's accounts, whoever asked for it.
- WeasyPrint fetches nothing: the stylesheet is read from the file next to the template
  and any URL is refused (the report has no images).
- Without coverage the report prints the reason and no numbers.
"""

from __future__ import annotations

from pathlib import Path

from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATE = "reporting/climate/pdf.html"
STYLESHEET = Path(__file__).resolve().parent / "templates" / "reporting" / "climate" / "pdf.css"

_stylesheet = None


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the climate report PDF fetches no URL ({url[:60]})")


def _css():
    """The stylesheet, parsed once per process."""
    global _stylesheet
    if _stylesheet is None:
        from weasyprint import CSS

        _stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=_refuse_fetch)
    return _stylesheet


def report_context(figures: dict) -> dict:
    tenant = getattr(connection, "tenant", None)
    baseline = figures["rounds"]["baseline"] if figures.get("rounds") else None
    followup = figures["rounds"]["followup"] if figures.get("rounds") else None
    current = figures["rounds"].get(figures["current"]) if figures.get("current") else None
    return {
        "f": figures,
        "tenant_name": getattr(tenant, "name", ""),
        "baseline": baseline,
        "followup": followup,
        "current_round": current,
        "rounds_used": [r for r in (baseline, followup) if r],
        "substitutes": [row for row in figures["factors"]["rows"] if not row["norwegian"]],
        "regional": [row for row in figures["factors"]["rows"] if row["regional"]],
    }


def render_html(figures: dict) -> str:
    with translation.override("nb"):
        return render_to_string(TEMPLATE, report_context(figures))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[_css()])


def render_pdf(figures: dict) -> bytes:
    """The report as a PDF, rendered now (not stored)."""
    return html_to_pdf(render_html(figures))
