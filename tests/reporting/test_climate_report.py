"""The company climate report: figures, coverage rule, the PDF as the company's document,
building twice, and the CSV/JSON export."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from companies.models import Document, DocumentKind, Visibility
from core.outbox import OutboxMessage
from reporting import services_climate as services
from reporting.models import ClimateReport, ReportState
from surveys.models import RoundKind
from tests.base import client_for
from tests.reporting.climate_helpers import FIVE, answer, climate_setup, known_factors  # noqa: F401
from tests.surveys.helpers import make_round

pytestmark = pytest.mark.usefixtures("climate_setup")


def _report(world, company, *, year=None, by="adviser"):
    year = year or services.report_years()[0]
    user = world.adviser_a.user if by == "adviser" else by
    report = services.climate_report_request(company=company, year=year, by=user)
    return services.climate_report_build(report_id=report.pk)


def test_worked_example_end_to_end(world):
    with tenant_context(world.pta_a):
        known_factors()
        company = world.company_a1
        round_, _invited = make_round(company, employees=8)  # 12 + 8 employees on the list
        answer(round_, FIVE)
        report = _report(world, company)
        assert report.state == ReportState.DONE
        assert report.progress == 100 and report.finished_at is not None
        f = report.figures
        assert f["covered"] and f["employees"] == 20
        # 1 464.64 kg / 5 respondents = 292.928 kg per employee; × 20 = 5 858.56 kg.
        assert f["totals"]["kg_per_employee"] == "292.9"
        assert f["totals"]["tonnes"] == "5.86"
        baseline = f["rounds"]["baseline"]
        assert baseline["responses"] == 5 and baseline["invited"] == 8 and baseline["response_rate"] == "62.5"
        modes = {m["mode"]: m for m in baseline["modes"]}
        assert modes["car_driver"]["person_km_respondents"] == "9200"
        assert modes["car_driver"]["kg_respondents"] == "1030.4"
        assert modes["bus"]["kg_respondents"] == "434.2"
        assert modes["car_driver"]["grams_per_pkm"] == "112.00"
        assert f["factors"]["provider"] == "table"
        assert f["factors"]["fallback_reason"] == "not configured"
        assert {row["mode"] for row in f["factors"]["rows"]} >= {"car_driver", "bus", "walk", "train"}
        assert f["change"]["available"] is False and f["change"]["reason_code"] == "no_followup"
        assert f["certification"]["next"]
        assert report.factor_source == "table"


def test_change_from_baseline_to_follow_up(world):
    with tenant_context(world.pta_a):
        known_factors()
        company = world.company_a2  # 7 employees
        baseline, _ = make_round(company, employees=5, opens_on=services.today().replace(month=1, day=1))
        answer(baseline, FIVE)
        followup, _ = make_round(company, employees=0, kind=RoundKind.FOLLOWUP)
        followup.invitations.all().delete()
        # The same 5 invited again (make_round added none): copy the baseline's invitations' count.
        from surveys.models import Invitation

        Invitation.objects.bulk_create(
            Invitation(round=followup, email=f"f{i}@bedrift.test.no", nonce=f"n{i}", token_hash=f"h{i}")
            for i in range(6)
        )
        answer(followup, [("car_driver", 10, 5), ("bus", 20, 4), ("bus", 20, 4), ("walk", 1, 5), ("walk", 1, 5)])
        f = _report(world, company).figures
        assert f["current"] == "followup"
        assert f["employees"] == 12
        # 292.928 − 276.736 = 16.192 kg per employee; × 12 = 194.304 kg.
        assert f["change"]["available"] is True
        assert f["change"]["kg_per_employee_avoided"] == "16.2"
        assert f["change"]["tonnes_avoided"] == "0.19"
        # (10/24 − 5/23) × 12 employees × 23/5 days × 2 × 46 = 1 012 car trips.
        assert f["change"]["car_trips_replaced"] == "1012"
        assert f["change"]["car_share_points"] == "19.9"


def test_fewer_than_five_respondents_gives_no_numbers(world):
    with tenant_context(world.pta_a):
        known_factors()
        round_, _ = make_round(world.company_a1, employees=4)
        answer(round_, FIVE[:4])
        report = _report(world, world.company_a1)
        f = report.figures
        assert report.state == ReportState.DONE
        assert f["covered"] is False and f["reason_code"] == "too_few_responses"
        assert f["totals"] is None
        assert "modes" not in f["rounds"]["baseline"]
        assert "5" in f["reason"]
        assert report.document is not None  # the PDF says why


def test_too_low_response_rate_gives_no_numbers(world):
    with tenant_context(world.pta_a):
        known_factors()
        round_, _ = make_round(world.company_a1, employees=11)
        answer(round_, FIVE)  # 5 of 11: 45.5 %
        f = _report(world, world.company_a1).figures
        assert f["covered"] is False and f["reason_code"] == "rate_too_low"
        assert "45,5 %" in f["reason"]


def test_company_without_survey_data_says_what_is_missing(world):
    with tenant_context(world.pta_a):
        report = _report(world, world.company_a2)
        f = report.figures
        assert report.state == ReportState.DONE
        assert f["covered"] is False and f["reason_code"] == "no_rounds"
        # Names what is missing: a baseline survey (kartlegging) of the company.
        assert "kartlegging" in f["reason"] and "reisevaneundersøkelse" in f["reason"]


def test_round_with_no_answers_yet(world):
    with tenant_context(world.pta_a):
        make_round(world.company_a2, employees=5)
        f = _report(world, world.company_a2).figures
        assert f["reason_code"] == "no_responses"


def test_building_twice_leaves_the_report_as_it_is(world):
    with tenant_context(world.pta_a):
        known_factors()
        round_, _ = make_round(world.company_a1, employees=5)
        answer(round_, FIVE)
        report = _report(world, world.company_a1, by=None)  # e.g. a batch: nobody asked
        assert report.state == ReportState.DONE, report.error
        assert report.document.uploaded_by is None
        before = (report.document_id, report.finished_at, report.figures)
        again = services.climate_report_build(report_id=report.pk)
        assert (again.document_id, again.finished_at, again.figures) == before
        assert Document.objects.filter(company=world.company_a1, kind=DocumentKind.REPORT).count() == 1


def test_the_pdf_is_a_document_visible_to_the_contact_persons(world):
    with tenant_context(world.pta_a):
        known_factors()
        round_, _ = make_round(world.company_a1, employees=5)
        answer(round_, FIVE)
        report = _report(world, world.company_a1)
        document = report.document
        assert document.visibility == Visibility.CONTACTS and document.kind == DocumentKind.REPORT
        assert document.content_type == "application/pdf" and document.size > 1000
        with document.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
    contact = client_for(world.contact_a1)
    url = f"/bedrifter/{world.company_a1.pk}/dokumenter/{document.pk}/last-ned/"
    assert contact.get(url).status_code == 200
    response = contact.get(f"/bedrifter/{world.company_a1.pk}/klima/{report.pk}/rapport.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # On the company's documents page too.
    page = contact.get(f"/bedrifter/{world.company_a1.pk}/dokumenter/")
    assert document.title in page.content.decode()


def test_figures_as_json_and_csv(world):
    with tenant_context(world.pta_a):
        known_factors()
        round_, _ = make_round(world.company_a1, employees=5)
        answer(round_, FIVE)
        report = _report(world, world.company_a1)
    client = client_for(world.contact_a1)
    base = f"/bedrifter/{world.company_a1.pk}/klima/{report.pk}/tall"
    response = client.get(base + ".json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["totals"]["kg_per_employee"] == "292.9"
    assert data == report.figures
    response = client.get(base + ".csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any(row[1:] == ["292,9", "kg CO2e"] for row in rows if len(row) == 3)
    assert client.get(base + ".xml").status_code == 404


def test_a_pending_report_is_not_asked_for_twice_and_is_queued(world):
    with tenant_context(world.pta_a):
        year = services.report_years()[0]
        first = services.climate_report_request(company=world.company_a1, year=year, by=world.contact_a1.user)
        second = services.climate_report_request(company=world.company_a1, year=year, by=world.contact_a1.user)
        assert first.pk == second.pk and first.state == ReportState.QUEUED
        assert OutboxMessage.objects.filter(task_name="reporting.build_climate_report", args=[first.pk]).count() == 1
        with pytest.raises(ValidationError):
            services.climate_report_request(company=world.company_a1, year=year + 1, by=None)


def test_a_failure_is_recorded_on_the_row(world, monkeypatch):
    with tenant_context(world.pta_a):
        report = services.climate_report_request(company=world.company_a1, year=services.report_years()[0], by=None)

        def broken(figures):
            raise RuntimeError("WeasyPrint fell over")

        monkeypatch.setattr("reporting.pdf_climate.render_pdf", broken)
        result = services.climate_report_build(report_id=report.pk)
        assert result.state == ReportState.FAILED and "WeasyPrint fell over" in result.error
        assert result.document is None


def test_pdf_text_reads_as_a_report(world):
    """The PDF's HTML holds the parts a sustainability officer looks for."""
    from reporting.pdf_climate import render_html

    with tenant_context(world.pta_a):
        known_factors()
        round_, _ = make_round(world.company_a1, employees=5)
        answer(round_, FIVE)
        figures = services.climate_figures(company=world.company_a1, year=services.report_years()[0])
        html = render_html(figures)
    for text in (
        "Klimarapport for pendling",
        "t CO2e",
        "Utslipp per reisemåte",
        "Endring fra kartlegging til oppfølging",
        "Bedriftsbillett",
        "Sertifisering",
        "Avgrensning",
        "Datakilder",
        "Utslippsfaktorer",
        "Forutsetninger",
        "Unntak og begrensninger",
        "46 arbeidsuker",
        "Hjemmekontordager",
        "ikke satt opp",
    ):
        assert text in html, text
    assert Decimal(figures["totals"]["tonnes"]) > 0


def test_no_figures_pdf_has_no_numbers(world):
    from reporting.pdf_climate import render_html

    with tenant_context(world.pta_a):
        figures = services.climate_figures(company=world.company_a2, year=services.report_years()[0])
        html = render_html(figures)
    assert "Rapporten gir ingen tall" in html
    assert "Utslipp per reisemåte" not in html and "Utslipp i alt per år" not in html


def test_reports_listed_with_progress_polling(world):
    with tenant_context(world.pta_a):
        report = ClimateReport.objects.create(
            company=world.company_a1, year=2026, state=ReportState.RUNNING, progress=40
        )
    client = client_for(world.adviser_a)
    page = client.get(f"/bedrifter/{world.company_a1.pk}/klima/").content.decode()
    assert f'hx-get="/bedrifter/{world.company_a1.pk}/klima/{report.pk}/"' in page
    assert 'hx-trigger="every 2s"' in page and 'value="40"' in page
    row = client.get(f"/bedrifter/{world.company_a1.pk}/klima/{report.pk}/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and 'hx-trigger="every 2s"' in row.content.decode()
    with tenant_context(world.pta_a):
        ClimateReport.objects.filter(pk=report.pk).update(state=ReportState.FAILED, error="Oops")
    row = client.get(f"/bedrifter/{world.company_a1.pk}/klima/{report.pk}/").content.decode()
    assert "hx-trigger" not in row and "Oops" in row


# --- manage.py climate_report ---------------------------------------------------------------------


def test_command_writes_the_pdf_and_the_json(world, tmp_path):
    from django.core.management import call_command
    from pypdf import PdfReader

    with tenant_context(world.pta_a):
        known_factors()
        round_, _ = make_round(world.company_a1, employees=5)
        answer(round_, FIVE)
    pdf, data = tmp_path / "rapport.pdf", tmp_path / "tall.json"
    out = io.StringIO()
    call_command("climate_report", pta="ptaa", company=world.company_a1.org_number, out=str(pdf), stdout=out)
    assert "t CO2e" in out.getvalue()
    reader = PdfReader(str(pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    assert "Klimarapport for pendling" in pages[0] and "Alfa Energi AS" in pages[0]
    assert any("Utslipp per reisemåte" in text for text in pages)
    assert any("Metode (GHG Protocol Scope 3, kategori 7)" in text for text in pages)
    call_command("climate_report", pta="ptaa", company=world.company_a1.org_number, out=str(data), stdout=out)
    figures = json.loads(data.read_text())
    assert figures["totals"]["kg_per_employee"] == "292.9"
    assert figures["employees"] == 17


@pytest.mark.parametrize(
    "options, message",
    [
        ({"pta": "nosuch", "company": "914778271", "out": "x.pdf"}, "No PTA"),
        ({"pta": "ptaa", "company": "000000000", "out": "x.pdf"}, "No company"),
        ({"pta": "ptaa", "company": "914778271", "out": "x.txt"}, ".pdf or .json"),
        ({"pta": "ptaa", "company": "914778271", "out": "/no/such/dir/x.pdf"}, "does not exist"),
        ({"pta": "ptaa", "company": "914778271", "out": "x.pdf", "year": 1990}, "--year"),
    ],
)
def test_command_refuses_bad_input(world, tmp_path, monkeypatch, options, message):
    from django.core.management import CommandError, call_command

    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("climate_report", **options)
