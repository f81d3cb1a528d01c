"""Certification (reporting.certification): the achieved level and what the next one needs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from reporting import certification
from reporting.certification import Level, Measured, certify
from reporting.models import CertificationLevel

D = Decimal
BRONZE = Level("Bronse", 1, D(50), D(0), D(30))
SILVER = Level("Sølv", 2, D(60), D(5), D(40))
GOLD = Level("Gull", 3, D(75), D(10), D(50))
LEVELS = [GOLD, BRONZE, SILVER]  # any order


def test_nothing_measured_reaches_no_level():
    result = certify(LEVELS, Measured())
    assert result.achieved is None
    assert result.next == BRONZE
    assert {g.metric for g in result.gaps} == {certification.RESPONSE_RATE, certification.SUSTAINABLE_SHARE}
    assert all(g.current is None for g in result.gaps)


def test_bronze_without_a_follow_up():
    # No follow-up: the reduction is not measured, which meets bronze's 0 but not silver's 5.
    result = certify(LEVELS, Measured(D("62.5"), None, D(45)))
    assert result.achieved == BRONZE
    assert result.next == SILVER
    assert [(g.metric, g.needed, g.current) for g in result.gaps] == [(certification.CAR_SHARE_REDUCTION, D(5), None)]


def test_silver_and_what_gold_needs():
    result = certify(LEVELS, Measured(D(70), D("7.5"), D(52)))
    assert result.achieved == SILVER
    assert result.next == GOLD
    gaps = {g.metric: g for g in result.gaps}
    assert set(gaps) == {certification.RESPONSE_RATE, certification.CAR_SHARE_REDUCTION}
    assert gaps[certification.RESPONSE_RATE].missing == D(5)
    assert gaps[certification.CAR_SHARE_REDUCTION].missing == D("2.5")


def test_thresholds_are_met_at_their_value():
    result = certify(LEVELS, Measured(D(75), D(10), D(50)))
    assert result.achieved == GOLD
    assert result.next is None and result.gaps == ()


def test_a_car_share_increase_misses_even_a_zero_threshold():
    result = certify(LEVELS, Measured(D(80), D(-2), D(60)))
    assert result.achieved is None
    assert [g.metric for g in result.gaps] == [certification.CAR_SHARE_REDUCTION]


def test_highest_reached_level_counts():
    # Meets gold's thresholds except a lower level's higher sustainable bar (odd configuration).
    odd = [Level("A", 1, D(0), D(0), D(90)), Level("B", 2, D(0), D(0), D(10))]
    assert certify(odd, Measured(D(10), D(0), D(20))).achieved.name == "B"


@pytest.mark.django_db
def test_defaults_created_once_on_first_use(world):
    from reporting.services_climate import certification_levels

    with tenant_context(world.pta_a):
        CertificationLevel.objects.all().delete()
        first = certification_levels()
        again = certification_levels()
        assert [level.rank for level in first] == [1, 2, 3]
        assert [level.pk for level in again] == [level.pk for level in first]
        assert CertificationLevel.objects.count() == 3


@pytest.mark.django_db
def test_levels_saved_with_swapped_ranks(world):
    from reporting.services_climate import certification_levels, certification_levels_save

    with tenant_context(world.pta_a):
        CertificationLevel.objects.all().delete()
        bronze, silver, gold = certification_levels()
        rows = [
            {
                "pk": level.pk,
                "name": level.name,
                "rank": rank,
                "min_response_rate": level.min_response_rate,
                "min_car_share_reduction": level.min_car_share_reduction,
                "min_sustainable_share": level.min_sustainable_share,
            }
            for level, rank in ((bronze, 2), (silver, 1), (gold, 3))
        ]
        saved = certification_levels_save(rows=rows, delete=[])
        assert [level.pk for level in saved] == [silver.pk, bronze.pk, gold.pk]
