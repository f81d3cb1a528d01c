"""The table provider (reporting.emission_factors.TableProvider): the national rows valid in the
year, a PTA's override in place of its mode's row (marked regional) only in its own schema and
years, and factors_for falling back to the table with "not configured"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from reporting import emission_factors
from reporting.emission_factors import FactorsUnavailable, TableProvider, factors_for
from reporting.models import EmissionFactorOverride
from surveys.models import Mode
from tenants.models import EmissionFactor


@pytest.fixture(autouse=True)
def _no_miljodata(settings):
    settings.MILJODATA_BASE_URL = ""


def test_the_national_table_in_a_pta(world):
    with tenant_context(world.pta_a):
        factor_set = TableProvider().factors(2026)
    assert factor_set.provider == "table" and factor_set.basis == "tailpipe" and factor_set.year == 2026
    assert set(factor_set.factors) == set(Mode.values)
    bus = factor_set.factors["bus"]
    assert bus.grams_per_pkm == Decimal("59") and bus.source_year == 2019 and bus.norwegian and not bus.regional
    assert factor_set.grams("car_driver") == Decimal("112.2")
    assert not factor_set.factors["tram"].norwegian


def test_an_override_replaces_its_modes_row_in_its_years_and_region(world):
    with tenant_context(world.pta_a):
        EmissionFactorOverride.objects.create(
            mode="bus", grams_per_pkm=Decimal("4.5"), valid_from=2025, valid_until=2027, source="Kolumbus elbuss"
        )
        during = TableProvider().factors(2026)
        before = TableProvider().factors(2024)
        after = TableProvider().factors(2028)
    bus = during.factors["bus"]
    assert bus.grams_per_pkm == Decimal("4.5") and bus.regional and bus.source == "Kolumbus elbuss"
    assert "59" in bus.note  # says which national figure it replaces
    assert during.factors["train"].regional is False
    assert before.grams("bus") == Decimal("59") and after.grams("bus") == Decimal("59")
    with tenant_context(world.pta_b):
        assert TableProvider().factors(2026).grams("bus") == Decimal("59")
    # On the national site there are no overrides.
    assert TableProvider().factors(2026).grams("bus") == Decimal("59")


def test_national_rows_by_validity_years(world):
    EmissionFactor.objects.filter(mode="train").update(valid_until=2024)
    EmissionFactor.objects.create(
        mode="train", grams_per_pkm=Decimal("8"), valid_from=2025, source="SSB", source_year=2024, norwegian=True
    )
    with tenant_context(world.pta_a):
        assert TableProvider().factors(2024).grams("train") == Decimal("12.2")
        assert TableProvider().factors(2025).grams("train") == Decimal("8")


def test_a_table_without_a_mode_is_unavailable(world):
    EmissionFactor.objects.filter(mode="ferry").delete()
    with tenant_context(world.pta_a), pytest.raises(FactorsUnavailable, match="ferry"):
        TableProvider().factors(2026)


def test_not_configured_uses_the_table_and_says_so(world, settings):
    settings.MILJODATA_BASE_URL = ""
    with tenant_context(world.pta_a):
        factor_set = factors_for(year=2026)
    assert factor_set.provider == "table" and factor_set.fallback_reason == "not configured"
    assert not emission_factors.is_configured()
    assert isinstance(emission_factors.TableProvider(), emission_factors.FactorProvider)
