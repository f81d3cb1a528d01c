"""The national KPIs against the 2027 targets from the public aggregates, the weighted car share,
the trend, the refresh state, the national companies' footprint (suppressed under 5) and a
region's share of the targets."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants import selectors_national
from tenants.models import Pta, RefreshRequest, RegionCompany, RegionMonth, RegionStats
from tests.base import client_for

pytestmark = pytest.mark.django_db


def _stats(world):
    now = timezone.now()
    RegionStats.objects.update_or_create(
        tenant=world.pta_a,
        defaults=dict(
            companies=40,
            member_companies=30,
            employees=1200,
            active_tickets=300,
            activities_done=50,
            activities_planned=20,
            members_behind=4,
            companies_measured=4,
            companies_reduced=3,
            car_share_baseline=Decimal("50.0"),
            car_share_followup=Decimal("40.0"),
            refreshed_at=now,
        ),
    )
    RegionStats.objects.update_or_create(
        tenant=world.pta_b,
        defaults=dict(
            companies=10,
            member_companies=8,
            employees=800,
            active_tickets=100,
            activities_done=25,
            activities_planned=5,
            members_behind=1,
            companies_measured=1,
            companies_reduced=0,
            car_share_baseline=Decimal("30.0"),
            car_share_followup=Decimal("29.0"),
            refreshed_at=now,
        ),
    )
    for pta, tickets in ((world.pta_a, 280), (world.pta_b, 90)):
        RegionMonth.objects.update_or_create(
            tenant=pta, month=date(2026, 11, 1), defaults=dict(member_companies=5, employees=9, active_tickets=tickets)
        )


def test_the_kpis_add_the_regions_up_against_the_targets(world):
    _stats(world)
    board = selectors_national.national_dashboard()
    progress = {p.label: (p.now, p.target) for p in board["progress"]}
    assert progress["companies"] == (38, 3000)
    assert progress["employees"] == (2000, 200_000)
    assert progress["activities"] == (75, 750)
    assert board["totals"]["active_tickets"] == 400
    # Weighted by the companies measured: (50*4 + 30*1) / 5 = 46.0 -> (40*4 + 29*1) / 5 = 37.8.
    assert board["car_share"].baseline == Decimal("46.0")
    assert board["car_share"].followup == Decimal("37.8")
    assert board["car_share"].companies_reduced == 3
    november = next(row for row in board["trend"] if row["month"] == date(2026, 11, 1))
    assert november["active_tickets"] == 370
    html = client_for(world.coordinator).get("/nasjonalt/").content.decode()
    assert "Aktive bedriftsbilletter" in html
    assert "3 / 5" in html  # companies that met the car-share target


def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_months(world):
    _stats(world)
    with CaptureQueriesContext(connection) as few:
        selectors_national.national_dashboard()
    for month in range(1, 11):
        RegionMonth.objects.create(tenant=world.pta_a, month=date(2026, month, 1))
    with CaptureQueriesContext(connection) as many:
        selectors_national.national_dashboard()
    # The regions' stats, the active regions, the usage, the trend, the refresh state (2), each
    # after django-tenants' SET search_path.
    assert len(many) == len(few) <= 12


def test_the_export_has_the_regions_columns_in_csv_and_excel(world):
    _stats(world)
    coordinator = client_for(world.coordinator)
    text = coordinator.get("/nasjonalt/eksport.csv").content.decode("utf-8-sig")
    assert "Region A;30;1200;300;50;20;4;4;3;50,0;40,0" in text
    workbook = openpyxl.load_workbook(io.BytesIO(coordinator.get("/nasjonalt/eksport.xlsx").content))
    rows = list(workbook.worksheets[0].values)
    assert [row[0] for row in rows[1:]][:2] == ["Region A", "Region B"]
    assert coordinator.get("/nasjonalt/eksport.pdf").status_code == 404


def test_a_refresh_asked_for_shows_until_every_region_has_refreshed(world):
    with mock.patch("tenants.views_national.current_app.send_task"):
        client_for(world.coordinator).post("/nasjonalt/oppdater/")
    request = RefreshRequest.objects.get()
    RegionStats.objects.filter(tenant__in=Pta.objects.regions()).update(refreshed_at=timezone.now().replace(year=2025))
    assert selectors_national.refresh_state()["requested_at"] == request.requested_at
    assert "Det ble bedt om en oppdatering" in client_for(world.coordinator).get("/nasjonalt/").content.decode()
    RegionStats.objects.filter(tenant__in=Pta.objects.regions()).update(refreshed_at=timezone.now())
    assert selectors_national.refresh_state()["requested_at"] is None


def test_a_refresh_survives_a_broker_that_is_down(world, django_capture_on_commit_callbacks):
    with (
        mock.patch("tenants.views_national.current_app.send_task", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_for(world.coordinator).post("/nasjonalt/oppdater/")
    assert response.status_code == 302
    assert RefreshRequest.objects.count() == 1


def _footprint(world):
    now = timezone.now()
    RegionCompany.objects.create(
        tenant=world.pta_a,
        org_number="914778271",
        name="Alfa Energi AS",
        status="member",
        employees=120,
        active_tickets=40,
        responses=30,
        car_share=Decimal("41.5"),
        refreshed_at=now,
    )
    RegionCompany.objects.create(
        tenant=world.pta_b,
        org_number="914778271",
        name="Alfa Energi Vest AS",
        status="member",
        employees=None,
        active_tickets=None,
        responses=None,
        refreshed_at=now,
    )
    RegionCompany.objects.create(
        tenant=world.pta_b,
        org_number="988077917",
        name="Gamma Helse AS",
        status="member",
        employees=5,
        refreshed_at=now,
    )


def test_a_company_in_two_regions_is_a_national_company_with_its_footprint(world):
    _footprint(world)
    companies = selectors_national.national_companies()
    assert [(c.org_number, c.regions, c.employees) for c in companies] == [("914778271", 2, 120)]
    coordinator = client_for(world.coordinator)
    html = coordinator.get("/bedrifter/").content.decode()
    assert "/bedrifter/914778271/" in html and "988077917" not in html
    detail = coordinator.get("/bedrifter/914778271/").content.decode()
    assert "41,5 %" in detail
    assert detail.count(">under 5<") == 3  # the other region's employees, tickets and responses
    assert coordinator.get("/bedrifter/123/").status_code == 404
    assert coordinator.get("/bedrifter/000000000/").status_code == 404


def test_a_suspended_region_drops_out_of_the_national_companies(world):
    _footprint(world)
    Pta.objects.filter(pk=world.pta_b.pk).update(is_active=False)
    try:
        assert selectors_national.national_companies() == []
    finally:
        Pta.objects.filter(pk=world.pta_b.pk).update(is_active=True)


def test_a_regions_page_measures_it_against_its_share_of_the_targets(world):
    _stats(world)
    coordinator = client_for(world.coordinator)
    response = coordinator.post(f"/regioner/{world.pta_a.pk}/", {"target_share": "20"})
    assert response.status_code == 302
    try:
        assert Pta.objects.get(pk=world.pta_a.pk).target_share == Decimal("20.00")
        html = coordinator.get(f"/regioner/{world.pta_a.pk}/").content.decode()
        assert "av 600" in html  # member companies: 20 % of 3,000
        assert "av 40\xa0000" in html  # employees: 20 % of 200,000
        coordinator.post(f"/regioner/{world.pta_a.pk}/", {"target_share": "120"})
        assert Pta.objects.get(pk=world.pta_a.pk).target_share == Decimal("20.00")
    finally:
        Pta.objects.filter(pk=world.pta_a.pk).update(target_share=Decimal(10))
