"""The survey figures the national site reads (tenants.RegionSurveyFigures): totals per
region and kind of round, written in the PTA's schema, none for a kind with fewer than 5
responses, and never a person."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from reporting.services import region_stats_refresh
from surveys import demo
from surveys.models import Response, RoundKind
from tenants.models import RegionSurveyFigures
from tests.base import client_for
from tests.factories import CompanyFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def _seed(pta, *, companies: int, employees: int):
    with tenant_context(pta):
        for _ in range(companies):
            EmployeeFactory.create_batch(employees, company=CompanyFactory())
        demo._seed_pta(rng=random.Random(3))


def test_a_region_gets_survey_totals_per_kind_and_the_national_page_shows_them(world):
    _seed(world.pta_a, companies=2, employees=40)
    with tenant_context(world.pta_a):
        region_stats_refresh()
        expected = Response.objects.filter(round__kind=RoundKind.FOLLOWUP).count()
    figures = RegionSurveyFigures.objects.get(tenant=world.pta_a, kind=RoundKind.FOLLOWUP)
    assert figures.responses == expected
    assert figures.companies >= 2
    assert sum(float(trips) for trips in figures.trips_by_mode.values()) == pytest.approx(float(figures.trips))
    page = client_for(world.coordinator).get("/nasjonalt/")
    assert page.status_code == 200
    assert "surveys-heading" in page.content.decode()
    assert world.pta_a.name in page.content.decode()


def test_a_kind_with_fewer_than_five_responses_has_no_row(world):
    _seed(world.pta_a, companies=1, employees=5)
    with tenant_context(world.pta_a):
        Response.objects.filter(round__kind=RoundKind.BASELINE).exclude(
            pk__in=Response.objects.filter(round__kind=RoundKind.BASELINE).values("pk")[:4]
        ).delete()
        assert Response.objects.filter(round__kind=RoundKind.BASELINE).count() <= 4
        region_stats_refresh()
    assert not RegionSurveyFigures.objects.filter(tenant=world.pta_a, kind=RoundKind.BASELINE).exists()


def test_the_public_survey_table_has_no_column_for_a_person(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s",
            [RegionSurveyFigures._meta.db_table],
        )
        columns = {name for (name,) in cursor.fetchall()}
    assert columns and not columns & {"email", "name", "first_name", "last_name", "mobile", "phone", "employee_id"}
