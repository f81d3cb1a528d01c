"""The climate report pages by role: the company's page (staff and its own contact persons),
the report's files, the Min side card, and the PTA's certification levels (admin edits,
advisers read). Another company is 404, a missing role 403."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django_tenants.utils import tenant_context

from reporting import services_climate as services
from reporting.models import CertificationLevel, ClimateReport, ReportState
from tests.base import HOST_A, client_for
from tests.reporting.climate_helpers import FIVE, answer, climate_setup, known_factors  # noqa: F401
from tests.surveys.helpers import make_round
from tests.surveys.test_round_pages import signed_in_on

pytestmark = pytest.mark.usefixtures("climate_setup")


@pytest.fixture
def done_report(world):
    with tenant_context(world.pta_a):
        known_factors()
        round_, _ = make_round(world.company_a1, employees=5)
        answer(round_, FIVE)
        report = services.climate_report_request(
            company=world.company_a1, year=services.report_years()[0], by=world.contact_a1.user
        )
        return services.climate_report_build(report_id=report.pk)


def _clients(world):
    return {
        "anonymous": client_for(None, HOST_A),
        "contact_own": client_for(world.contact_a1),
        "contact_other": client_for(world.contact_a2),
        "adviser": client_for(world.adviser_a),
        "admin": client_for(world.admin_a),
        "coordinator": signed_in_on(world.coordinator, HOST_A),
    }


def _statuses(clients, url, method="get", data=None):
    result = {}
    for role, client in clients.items():
        response = getattr(client, method)(url, data or {})
        result[role] = response.status_code
    return result


def test_company_page_by_role(world, done_report):
    pk = world.company_a1.pk
    expected = {
        "anonymous": 302,
        "contact_own": 200,
        "contact_other": 404,
        "adviser": 200,
        "admin": 200,
        "coordinator": 403,
    }
    for url in (
        f"/bedrifter/{pk}/klima/",
        f"/bedrifter/{pk}/klima/{done_report.pk}/",
        f"/bedrifter/{pk}/klima/{done_report.pk}/rapport.pdf",
        f"/bedrifter/{pk}/klima/{done_report.pk}/tall.csv",
        f"/bedrifter/{pk}/klima/{done_report.pk}/tall.json",
        f"/min-side/{pk}/kort/klima/",
    ):
        assert _statuses(_clients(world), url) == expected, url


def test_another_ptas_member_gets_404(world, done_report):
    client = client_for(world.adviser_b)  # on PTA B's host
    assert client.get("/bedrifter/987654/klima/").status_code == 404
    assert client.get(f"/bedrifter/987654/klima/{done_report.pk}/rapport.pdf").status_code == 404


def test_a_report_is_reached_only_through_its_own_company(world, done_report):
    # contact_a2 asks for A1's report under A2's address: 404.
    client = client_for(world.contact_a2)
    pk2 = world.company_a2.pk
    for suffix in ("", "rapport.pdf", "tall.json"):
        assert client.get(f"/bedrifter/{pk2}/klima/{done_report.pk}/{suffix}").status_code == 404


def test_contact_person_asks_for_a_report(world):
    pk = world.company_a1.pk
    response = client_for(world.contact_a1).post(f"/bedrifter/{pk}/klima/", {"year": services.report_years()[0]})
    assert response.status_code == 302 and response["Location"] == f"/bedrifter/{pk}/klima/"
    with tenant_context(world.pta_a):
        report = ClimateReport.objects.get(company_id=pk)
        assert report.state == ReportState.QUEUED and report.requested_by_id == world.contact_a1.user.pk


def test_asking_is_refused_for_others_and_bad_years(world):
    pk = world.company_a1.pk
    year = services.report_years()[0]
    assert client_for(world.contact_a2).post(f"/bedrifter/{pk}/klima/", {"year": year}).status_code == 404
    assert signed_in_on(world.coordinator, HOST_A).post(f"/bedrifter/{pk}/klima/", {"year": year}).status_code == 403
    assert client_for(None, HOST_A).post(f"/bedrifter/{pk}/klima/", {"year": year}).status_code == 302
    assert client_for(world.adviser_a).post(f"/bedrifter/{pk}/klima/", {"year": 1990}).status_code == 400
    with tenant_context(world.pta_a):
        assert not ClimateReport.objects.filter(company_id=pk).exists()


def test_a_report_not_ready_has_no_files(world):
    with tenant_context(world.pta_a):
        report = ClimateReport.objects.create(company=world.company_a1, year=2026)
    client = client_for(world.contact_a1)
    base = f"/bedrifter/{world.company_a1.pk}/klima/{report.pk}/"
    assert client.get(base + "rapport.pdf").status_code == 404
    assert client.get(base + "tall.json").status_code == 404


def test_page_shows_the_certification_and_the_reports(world, done_report):
    with translation.override("en"):
        page = client_for(world.contact_a1, HOST_A).get(
            f"/bedrifter/{world.company_a1.pk}/klima/", HTTP_ACCEPT_LANGUAGE="en"
        )
    html = page.content.decode()
    assert f"/bedrifter/{world.company_a1.pk}/klima/{done_report.pk}/rapport.pdf" in html
    assert f"/bedrifter/{world.company_a1.pk}/klima/{done_report.pk}/tall.csv" in html
    assert "Bronse" in html  # 100 % response, 58.3 % sustainable, no follow-up: bronze
    assert "Sølv" in html  # the next level


def test_minside_card_links_the_latest_report(world, done_report):
    html = client_for(world.contact_a1).get(f"/min-side/{world.company_a1.pk}/kort/klima/").content.decode()
    assert f"/bedrifter/{world.company_a1.pk}/klima/{done_report.pk}/rapport.pdf" in html
    assert f'href="/bedrifter/{world.company_a1.pk}/klima/"' in html


def test_minside_card_without_a_report(world):
    response = client_for(world.contact_a2).get(f"/min-side/{world.company_a2.pk}/kort/klima/")
    assert response.status_code == 200
    assert "/rapport.pdf" not in response.content.decode()


# --- Certification levels -----------------------------------------------------------------------


def test_certification_page_by_role(world):
    clients = _clients(world)
    statuses = _statuses(clients, "/klima/sertifisering/")
    assert statuses == {
        "anonymous": 302,
        "contact_own": 403,
        "contact_other": 403,
        "adviser": 200,
        "admin": 200,
        "coordinator": 403,
    }
    assert client_for(world.adviser_b).get("/klima/sertifisering/").status_code == 200  # PTA B's own levels
    adviser_page = clients["adviser"].get("/klima/sertifisering/").content.decode()
    admin_page = clients["admin"].get("/klima/sertifisering/").content.decode()
    assert "form-TOTAL_FORMS" not in adviser_page and "form-TOTAL_FORMS" in admin_page


def _formset_data(levels, **changes):
    data = {
        "form-TOTAL_FORMS": str(len(levels) + 1),
        "form-INITIAL_FORMS": str(len(levels)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, level in enumerate(levels):
        data.update(
            {
                f"form-{i}-id": str(level.pk),
                f"form-{i}-name": level.name,
                f"form-{i}-rank": str(level.rank),
                f"form-{i}-min_response_rate": str(level.min_response_rate),
                f"form-{i}-min_car_share_reduction": str(level.min_car_share_reduction),
                f"form-{i}-min_sustainable_share": str(level.min_sustainable_share),
            }
        )
    data.update(changes)
    return data


def test_admin_edits_the_thresholds_and_adviser_may_not(world):
    with tenant_context(world.pta_a):
        CertificationLevel.objects.all().delete()
        levels = services.certification_levels()
    data = _formset_data(levels, **{"form-2-min_response_rate": "80"})
    assert client_for(world.adviser_a).post("/klima/sertifisering/", data).status_code == 403
    response = client_for(world.admin_a).post("/klima/sertifisering/", data)
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        assert CertificationLevel.objects.get(rank=3).min_response_rate == Decimal(80)


def test_bad_thresholds_are_refused(world):
    with tenant_context(world.pta_a):
        CertificationLevel.objects.all().delete()
        levels = services.certification_levels()
    admin = client_for(world.admin_a)
    assert (
        admin.post("/klima/sertifisering/", _formset_data(levels, **{"form-0-min_response_rate": "120"})).status_code
        == 400
    )
    assert admin.post("/klima/sertifisering/", _formset_data(levels, **{"form-1-rank": "1"})).status_code == 400
    with tenant_context(world.pta_a):
        assert [level.min_response_rate for level in services.certification_levels()] == [50, 60, 75]
