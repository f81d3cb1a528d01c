"""The results exports: CSV and Excel of the dashboards' aggregate tables, hidden cells empty with
a note, free text only in staff's export, an unknown format 404, always a download."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.utils import translation

from tests.base import client_for
from tests.surveys.test_results_pages import make_results


@pytest.fixture
def results(world):
    return make_results(world)


def _csv(response) -> str:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return response.content.decode("utf-8-sig")


def _headers_are_a_download(response, fmt: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_the_company_csv_has_the_figures_and_no_free_text_for_the_contact(world, results):
    baseline, _followup, _locations = results
    url = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/eksport.csv"
    contact = client_for(world.contact_a1).get(url, {"round": baseline.pk})
    _headers_are_a_download(contact, "csv")
    text = _csv(contact)
    assert "Alfa Energi AS;" in text
    assert ";43,5;65,2;34,8;8,0;50,0;" in text  # car share, with passengers, sustainable, home office, potential
    assert "Havn;5;" in text and "Sentrum;5;" in text
    assert "Hemmelig kommentar" not in text
    staff = _csv(client_for(world.adviser_a).get(url, {"round": baseline.pk}))
    assert "Hemmelig kommentar" in staff and "Annen kommentar" in staff


def test_a_hidden_group_has_empty_cells_and_a_note(world, results):
    _baseline, followup, _locations = results
    url = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/eksport.csv"
    with translation.override("en"):
        text = _csv(client_for(world.adviser_a).get(url, {"round": followup.pk}, HTTP_ACCEPT_LANGUAGE="en"))
    summary = [line for line in text.splitlines() if line.startswith("Alfa Energi AS;")][0]
    cells = summary.split(";")
    assert cells[3:6] == ["10", "40,0", "60"]  # invited, rate, target
    assert cells[7] == "4" and cells[8:14] == ["", "", "", "", "", ""]
    assert cells[14] != ""  # the note
    assert "Liten gruppe" not in text  # a hidden group's free text is not exported either


def test_the_company_xlsx_has_a_sheet_per_table(world, results):
    baseline, _followup, _locations = results
    url = f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/eksport.xlsx"
    response = client_for(world.contact_a1).get(url, {"round": baseline.pk})
    _headers_are_a_download(response, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 6  # summary, modes, distances, change, locations, departments
    summary = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert summary[1][0] == "Alfa Energi AS" and float(summary[1][8]) == 43.5


def test_the_pta_export(world, results):
    client = client_for(world.adviser_a)
    csv_file = client.get("/undersokelser/resultater/eksport.csv")
    _headers_are_a_download(csv_file, "csv")
    text = _csv(csv_file)
    assert "Alfa Energi AS;12;83,3;75;" in text and "Hemmelig" not in text
    xlsx = client.get("/undersokelser/resultater/eksport.xlsx", {"kind": "followup"})
    _headers_are_a_download(xlsx, "xlsx")
    assert len(openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames) == 5


def test_another_format_is_404(world, results):
    client = client_for(world.adviser_a)
    assert client.get("/undersokelser/resultater/eksport.pdf").status_code == 404
    assert client.get(f"/bedrifter/{world.company_a1.pk}/undersokelser/resultater/eksport.json").status_code == 404


def test_the_pta_export_is_for_staff_only(world, results):
    assert client_for(world.contact_a1).get("/undersokelser/resultater/eksport.csv").status_code == 403
    assert client_for(None, world.adviser_a.host).get("/undersokelser/resultater/eksport.csv").status_code == 302
