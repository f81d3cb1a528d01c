"""The zone of the employer's contribution: from the company, else from its municipality's row of
the yearly zone list (tickets/data/employer_zones.csv)."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tests.base import client_for
from tests.factories import CompanyFactory
from tickets import selectors, zones

DEMO_MUNICIPALITIES = [
    "Stavanger",
    "Sandnes",
    "Sola",
    "Randaberg",
    "Trondheim",
    "Malvik",
    "Melhus",
    "Stjørdal",
    "Bergen",
    "Askøy",
    "Bjørnafjorden",
    "Øygarden",
]


@pytest.mark.parametrize("municipality", DEMO_MUNICIPALITIES)
def test_the_demo_municipalities_have_a_zone(municipality):
    assert zones.zone_for_municipality(municipality=municipality, year=2026) == "1"


def test_lookup_by_number_ignores_case_and_spaces_and_knows_no_year_before_the_list():
    assert zones.zone_for_municipality(municipality="1103", year=2026) == "1"
    assert zones.zone_for_municipality(municipality="  stavanger ", year=2025) == "1"
    assert zones.zone_for_municipality(municipality="Stavanger", year=2024) is None
    assert zones.zone_for_municipality(municipality="Ukjentby", year=2026) is None
    assert zones.zone_for_municipality(municipality="", year=2026) is None


def test_a_zone_set_on_the_company_wins_over_the_municipality(world):
    with tenant_context(world.pta_a):
        assert selectors.company_zone(company=CompanyFactory(municipality="Bergen"), year=2026) == "1"
        set_by_hand = CompanyFactory(municipality="Bergen", employer_zone="4a")
        assert selectors.company_zone(company=set_by_hand, year=2026) == "4a"
        assert selectors.company_zone(company=CompanyFactory(municipality="Ukjentby"), year=2026) is None


def test_staff_set_the_zone_and_the_finance_flag_on_the_company(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(municipality="Tromsø")
    response = client_for(world.adviser_a).post(
        f"/bedrifter/{company.pk}/rediger/",
        {
            "org_number": company.org_number,
            "name": company.name,
            "municipality": "Tromsø",
            "employer_zone": "4a",
            "finance_sector": "on",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        company.refresh_from_db()
        assert (company.employer_zone, company.finance_sector) == ("4a", True)
        assert selectors.company_zone(company=company, year=2026) == "4a"
