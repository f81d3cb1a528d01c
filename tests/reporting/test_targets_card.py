"""A PTA's start page shows its region's figures against its share of the national targets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tenants.models import Pta, RegionStats
from tests.base import client_for

pytestmark = pytest.mark.django_db


def test_the_start_page_measures_the_region_against_its_share_of_the_targets(world):
    RegionStats.objects.update_or_create(
        tenant=world.pta_a,
        defaults=dict(
            member_companies=120,
            employees=9000,
            active_tickets=700,
            activities_done=30,
            members_behind=7,
            refreshed_at=timezone.now(),
        ),
    )
    Pta.objects.filter(pk=world.pta_a.pk).update(target_share=Decimal("12.5"))
    try:
        html = client_for(world.adviser_a).get("/i-dag/kort/mal/").content.decode()
        assert "Vår andel av målene for 2027 (12,50 %)" in html
        assert "av 375" in html  # 12.5 % of 3,000 member companies
        assert "av 25\xa0000" in html  # of 200,000 employees
        assert "av 94" in html  # of 750 activities, rounded
        assert "7 medlemsbedrifter" in html
        start = client_for(world.adviser_a).get("/i-dag/").content.decode()
        assert "targets-heading" in start
    finally:
        Pta.objects.filter(pk=world.pta_a.pk).update(target_share=Decimal(10))


def test_the_card_is_for_the_ptas_staff(world):
    assert client_for(world.contact_a1).get("/i-dag/kort/mal/").status_code == 403
    # Region B's figures stay on region B's host.
    RegionStats.objects.update_or_create(tenant=world.pta_b, defaults=dict(member_companies=4321))
    assert "4\xa0321" not in client_for(world.adviser_a).get("/i-dag/kort/mal/").content.decode()
