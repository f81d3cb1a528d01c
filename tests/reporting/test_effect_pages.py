"""The effect model's calculator pages: the national one (coordinator) and the PTA's (admin and
adviser), per role; the GET form's results and refusals (400, each error on its field, nothing
computed); the report's tables on the page; and the model on real data: a PTA's own employees
and measured car shares (with the "too few responses" case), and the regions' published figures
on the national page, summed as trips rather than averaged as percentages."""

from __future__ import annotations

import importlib
import sys
import types
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from employees.models import Employee, EmployeeStatus
from surveys.models import RoundKind
from tenants.models import RegionStats, RegionSurveyFigures
from tenants.views_effects import national_effects
from tests.base import HOST_A, HOST_B, NATIONAL_HOST, client_for
from tests.surveys.helpers import make_round
from tests.surveys.test_results import add_responses
from tests.surveys.test_round_pages import signed_in_on

pytestmark = pytest.mark.django_db

NATIONAL_URL = "/effekter/"
PTA_URL = "/effekter/"


def _with(name: str, base: str, pattern) -> str:
    """A URLconf of `base`'s patterns plus `pattern`, until config's URLconfs name these pages."""
    module = types.ModuleType(name)
    module.urlpatterns = [pattern, *importlib.import_module(base).urlpatterns]
    sys.modules[name] = module
    return name


@pytest.fixture(autouse=True)
def effects_urls(settings):
    try:
        reverse("national_effects", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    except NoReverseMatch:
        settings.PUBLIC_SCHEMA_URLCONF = _with(
            "tests.reporting._public_urls_effects",
            settings.PUBLIC_SCHEMA_URLCONF,
            path("effekter/", national_effects, name="national_effects"),
        )
    try:
        reverse("effects:calculator", urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        settings.ROOT_URLCONF = _with(
            "tests.reporting._urls_effects", settings.ROOT_URLCONF, path("effekter/", include("reporting.urls_effects"))
        )


# --- Who may see the pages -----------------------------------------------------------


def test_the_national_page_is_the_coordinators(world):
    anonymous = client_for(None, NATIONAL_HOST).get(NATIONAL_URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(world.coordinator).get(NATIONAL_URL).status_code == 200
    assert signed_in_on(world.admin_a, NATIONAL_HOST).get(NATIONAL_URL).status_code == 403
    assert signed_in_on(world.contact_a1, NATIONAL_HOST).get(NATIONAL_URL).status_code == 403
    assert client_for(world.coordinator).post(NATIONAL_URL).status_code == 405


def test_the_pta_page_is_for_the_ptas_staff(world):
    anonymous = client_for(None, HOST_A).get(PTA_URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(world.contact_a1).get(PTA_URL).status_code == 403
    assert client_for(world.adviser_a).get(PTA_URL).status_code == 200
    assert client_for(world.admin_a).get(PTA_URL).status_code == 200
    assert signed_in_on(world.coordinator, HOST_A).get(PTA_URL).status_code == 403
    assert client_for(world.adviser_a).post(PTA_URL).status_code == 405


# --- The calculator -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "adviser_a"])
def test_without_parameters_the_page_shows_the_reports_scenario(world, persona):
    page = client_for(getattr(world, persona)).get(NATIONAL_URL if persona == "coordinator" else PTA_URL)
    assert page.status_code == 200
    car_trips, subscription = page.context["car_trips"], page.context["subscription"]
    assert car_trips.reduced_car_trips == 4_025_000
    assert [r.revenue for r in car_trips.revenues] == [16_100_000, 32_200_000]
    assert [r.revenue for r in subscription.revenues] == [1_890_000_000, 1_575_000_000]
    html = page.content.decode()
    assert 'id="results-i"' in html and 'id="results-ii"' in html and "<caption>" in html
    # Norwegian grouping (a no-break space), right-aligned.
    assert '<td class="num" data-key="reduced_car_trips">4\xa0025\xa0000</td>' in html
    assert '<td class="num" data-key="subscription_revenue_nok">1\xa0890\xa0000\xa0000</td>' in html


def test_the_reports_tables_are_reproduced_on_the_page(world):
    page = client_for(world.coordinator).get(NATIONAL_URL)
    html = page.content.decode()
    assert 'id="report-i"' in html and 'id="report-ii"' in html
    for figure in (
        "12\xa0650\xa0000",
        "101\xa0200\xa0000",
        "22\xa0770\xa0000",
        "182\xa0160\xa0000",
        "2\xa0835\xa0000\xa0000",
    ):
        assert figure in html
    assert all(row.matches for row in page.context["report_i"] + page.context["report_ii"])
    assert 'data-color="danger"' not in html


def test_a_scenario_of_ones_own_is_bookmarkable_and_read_the_norwegian_way(world):
    query = {
        "employees": "1 234",
        "car_share": "42,5",
        "reduction": "12,5",
        "trips_per_year": "230",
        "transit_shares": "33,3; 100",
        "price_per_trip": "19,50",
        "monthly_price": "812,50",
        "cannibalisations": "12,5",
    }
    page = client_for(world.adviser_a).get(PTA_URL, query)
    assert page.status_code == 200
    assert page.context["car_trips"].reduced_car_trips == D("15077.9375")
    assert [r.revenue for r in page.context["car_trips"].revenues] == [D("97908.58715625"), D("294019.78125")]
    assert [r.revenue for r in page.context["subscription"].revenues] == [D("10527562.5")]
    html = page.content.decode()
    assert "15\xa0077,9375" in html
    assert 'value="1 234"' in html  # the form keeps what was typed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("employees", "-1"),
        ("employees", "12,5"),
        ("car_share", "101"),
        ("reduction", "abc"),
        ("trips_per_year", "1001"),
        ("transit_shares", "20 140"),
        ("price_per_trip", "-20"),
        ("monthly_price", "-700"),
        ("cannibalisations", "10 125"),
        ("cannibalisations", ""),
    ],
)
@pytest.mark.parametrize("persona", ["coordinator", "admin_a"])
def test_a_bad_parameter_is_400_with_its_error_on_its_field_and_nothing_computed(world, persona, field, value):
    page = client_for(getattr(world, persona)).get(NATIONAL_URL, {field: value})
    assert page.status_code == 400
    assert list(page.context["form"].errors) == [field]
    assert page.context["car_trips"] is None and page.context["subscription"] is None
    html = page.content.decode()
    assert f'id="id_{field}_error"' in html or 'aria-invalid="true"' in html
    assert 'id="results-i"' not in html and 'id="measured-table"' not in html
    assert "measured" not in page.context or page.context.get("measured") is None


def test_the_message_names_the_parameter_and_its_value(world):
    page = client_for(world.coordinator).get(NATIONAL_URL, {"car_share": "120"})
    assert page.context["form"].errors["car_share"] == ["Bilandel må være mellom 0 og 100 %, ikke 120."]


# --- The model on the PTA's own figures ----------------------------------------------


def _seed_pta_a(world, *, baseline, followup=None):
    """Company A1's baseline (and follow-up) round, each response a (mode, commute days) pair."""
    day = timezone.localdate()
    with tenant_context(world.pta_a):
        round_, _ = make_round(world.company_a1, employees=len(baseline), opens_on=day - timedelta(days=30))
        add_responses(round_, [(mode, days, 0, 10, None, "") for mode, days in baseline])
        if followup:
            later, _ = make_round(world.company_a1, employees=len(followup), kind=RoundKind.FOLLOWUP, opens_on=day)
            add_responses(later, [(mode, days, 0, 10, None, "") for mode, days in followup])
        return Employee.objects.exclude(status=EmployeeStatus.LEFT).count()


def test_the_pta_page_runs_the_model_on_its_employees_and_measured_car_shares(world):
    # Baseline: 6 x 5 car-driver trips of 50 = 60 %; follow-up: 4 x 5 of 50 = 40 %; reduction 33.3 %.
    employees = _seed_pta_a(
        world, baseline=[("car_driver", 5)] * 6 + [("bus", 5)] * 4, followup=[("car_driver", 5)] * 4 + [("bus", 5)] * 6
    )
    page = client_for(world.adviser_a).get(PTA_URL, {"trips_per_year": "200", "transit_shares": "50"})
    assert page.status_code == 200
    measured = page.context["measured"]
    assert measured.employees == employees
    assert measured.measured.baseline_car_share == D("60.0")
    assert measured.measured.followup_car_share == D("40.0")
    assert measured.measured.reduction == D("33.3")
    expected = D(employees) * D("0.6") * D("0.333") * 200
    assert measured.car_trips.reduced_car_trips == expected
    assert measured.car_trips.revenues[0].revenue == expected * D("0.5") * 20
    assert [r.revenue for r in measured.subscription.revenues] == [
        employees * 12 * 700 * D("0.9"),
        employees * 8400 * D("0.75"),
    ]  # noqa: E501
    html = page.content.decode()
    assert 'id="measured-table"' in html and 'data-reason=""' in html
    assert f'<td class="num" data-key="reduced_car_trips">{round(expected)}</td>' in html.replace("\xa0", "")


def test_too_few_responses_give_no_measured_figures(world):
    _seed_pta_a(world, baseline=[("car_driver", 5)] * 4)
    page = client_for(world.admin_a).get(PTA_URL)
    assert page.status_code == 200
    measured = page.context["measured"]
    assert measured.reason == "no_baseline" and measured.car_trips is None
    assert measured.measured.baseline_car_share is None
    html = page.content.decode()
    assert 'id="no-measured-figures"' in html and 'data-reason="no_baseline"' in html
    assert measured.subscription.revenues  # Effects II needs only the employees


def test_without_a_follow_up_there_is_no_measured_reduction(world):
    _seed_pta_a(world, baseline=[("car_driver", 5)] * 5 + [("walk", 5)] * 5)
    measured = client_for(world.adviser_a).get(PTA_URL).context["measured"]
    assert measured.measured.baseline_car_share == D("50.0")
    assert measured.reason == "no_followup" and measured.car_trips is None


def test_another_ptas_host_shows_its_own_figures(world):
    _seed_pta_a(world, baseline=[("car_driver", 5)] * 10, followup=[("bus", 5)] * 10)
    with tenant_context(world.pta_b):
        employees_b = Employee.objects.exclude(status=EmployeeStatus.LEFT).count()
    page = client_for(world.adviser_b, HOST_B).get(PTA_URL)
    assert page.status_code == 200
    assert page.context["measured"].employees == employees_b
    assert page.context["measured"].reason == "no_baseline"
    assert page.context["measured_rows"][0].name == world.pta_b.name
    assert world.pta_a.name not in page.content.decode()


# --- The model on the regions' published figures --------------------------------------


def _publish(pta, *, employees, kind, trips, car_trips, responses=20):
    RegionStats.objects.update_or_create(tenant=pta, defaults={"employees": employees})
    RegionSurveyFigures.objects.update_or_create(
        tenant=pta,
        kind=kind,
        defaults={
            "responses": responses,
            "invited": responses * 2,
            "trips": D(trips),
            "trips_by_mode": {"car_driver": str(car_trips), "bus": str(D(trips) - D(car_trips))},
            "refreshed_at": timezone.now(),
        },
    )


def test_the_national_page_runs_the_model_per_region_and_on_the_sums(world):
    RegionSurveyFigures.objects.filter(tenant__in=[world.pta_a, world.pta_b]).delete()
    _publish(world.pta_a, employees=1000, kind="baseline", trips=100, car_trips=60)
    _publish(world.pta_a, employees=1000, kind="followup", trips=100, car_trips=48)
    _publish(world.pta_b, employees=500, kind="baseline", trips=300, car_trips=90)
    _publish(world.pta_b, employees=500, kind="followup", trips=200, car_trips=50)
    page = client_for(world.coordinator).get(NATIONAL_URL, {"transit_shares": "20"})
    assert page.status_code == 200
    regions = {row.name: row for row in page.context["regions"]}
    a, b = regions[world.pta_a.name], regions[world.pta_b.name]
    assert (a.effects.measured.baseline_car_share, a.effects.measured.reduction) == (D("60.0"), D("20.0"))
    # 1,000 x 0.6 x 0.2 x 460 = 55,200 trips; 20 % x NOK 20: 220,800.
    assert a.effects.car_trips.reduced_car_trips == 55_200
    assert a.effects.car_trips.revenues[0].revenue == 220_800
    assert (b.effects.measured.baseline_car_share, b.effects.measured.followup_car_share) == (D("30.0"), D("25.0"))
    assert b.effects.measured.reduction == D("16.7")
    nation = page.context["nation"]
    others = [row for row in page.context["regions"] if row.name not in (world.pta_a.name, world.pta_b.name)]
    if not any(row.baseline_responses for row in others):
        # The sums of trips, not the average of the shares (45 %): 150 of 400 and 98 of 300.
        assert nation.effects.measured.baseline_car_share == D("37.5")
        assert nation.effects.measured.followup_car_share == D("32.7")
        assert nation.effects.measured.reduction == D("12.8")
        assert nation.baseline_responses == 40
    assert nation.effects.employees == sum(row.effects.employees for row in page.context["regions"])
    html = page.content.decode()
    assert 'id="measured-table"' in html and "<tfoot>" in html
    assert "55\xa0200" in html


def test_a_region_without_published_survey_figures_says_so(world):
    RegionSurveyFigures.objects.filter(tenant=world.pta_b).delete()
    RegionStats.objects.update_or_create(tenant=world.pta_b, defaults={"employees": 300})
    page = client_for(world.coordinator).get(NATIONAL_URL)
    row = next(row for row in page.context["regions"] if row.name == world.pta_b.name)
    assert row.effects.reason == "no_baseline" and row.effects.employees == 300
    assert row.effects.subscription.revenues[0].revenue == 300 * 12 * 700 * D("0.9")
    assert f'data-region="{world.pta_b.name}"' in page.content.decode()
