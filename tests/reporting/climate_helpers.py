"""Helpers for the climate report tests: the routes (until config/urls.py includes
reporting.urls_climate), known factors (the PTA's overrides over the seeded national
table), and answers to a round written straight into surveys.Response."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import include, path
from django.utils import timezone

from config import urls as pta_urls
from reporting.models import EmissionFactorOverride
from surveys.models import Response
from tenants.factors import SEED_TABLE
from tenants.models import EmissionFactor
from tenants.services_factors import factor_model


class PtaUrls:
    urlpatterns = [path("", include("reporting.urls_climate")), path("", include(pta_urls.urlpatterns))]


def routes(settings) -> None:
    if not any(getattr(p, "namespace", None) == "climate" for p in pta_urls.urlpatterns):
        settings.ROOT_URLCONF = PtaUrls
    settings.MILJODATA_BASE_URL = ""


#: The factors the worked examples use (g CO2e/pkm), set as the PTA's overrides.
FACTORS = {"car_driver": Decimal(112), "bus": Decimal(59), "walk": Decimal(0)}


def national_table() -> None:
    """The seeded national table, if the test database has none (public schema)."""
    if not EmissionFactor.objects.exists():
        EmissionFactor.objects.bulk_create(factor_model(row) for row in SEED_TABLE)


def known_factors() -> list[EmissionFactorOverride]:
    """FACTORS as the current PTA's overrides from 2000 (call inside tenant_context)."""
    return [
        EmissionFactorOverride.objects.create(mode=mode, grams_per_pkm=grams, valid_from=2000, source="Test")
        for mode, grams in FACTORS.items()
    ]


def answer(round_, rows) -> list[Response]:
    """One Response per (mode, one-way km, commuting days a week)."""
    day = timezone.localdate()
    return Response.objects.bulk_create(
        Response(
            round=round_,
            company=round_.company,
            submitted_on=day,
            main_mode=mode,
            distance_km=None if km is None else Decimal(str(km)),
            commute_days=None if days is None else Decimal(str(days)),
        )
        for mode, km, days in rows
    )


#: The worked example: 2 car drivers 10 km 5 days, 1 bus 20 km 4 days, 2 walkers 1 km 5 days.
FIVE = [("car_driver", 10, 5), ("car_driver", 10, 5), ("bus", 20, 4), ("walk", 1, 5), ("walk", 1, 5)]


@pytest.fixture
def climate_setup(world, settings, media_root):
    routes(settings)
    national_table()
    return world
