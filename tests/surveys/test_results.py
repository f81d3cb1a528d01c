"""The survey results' arithmetic (surveys.rules, worked by hand) and the figures the selectors
work out in SQL on a small hand-made dataset (surveys.selectors_results), with their query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.charts import horizontal_bar_chart
from surveys import rules
from surveys import selectors_results as selectors
from surveys.models import Answer, Question, Response, RoundKind
from tests.factories import DepartmentFactory, LocationFactory
from tests.surveys.helpers import make_round

D = Decimal


# --- rules, by hand ------------------------------------------------------------------------------


def test_shares_are_percent_with_one_decimal_half_up():
    assert rules.share(1, 3) == D("33.3")
    assert rules.share(2, 3) == D("66.7")
    assert rules.share(1, 8) == D("12.5")  # exactly half: up
    assert rules.share(20, 46) == D("43.5")
    assert rules.share(0, 10) == D("0.0")
    assert rules.share(5, 0) is None and rules.share(5, None) is None


def test_change_in_points_and_relative():
    assert rules.point_change(D("40.0"), D("35.0")) == D("-5.0")
    assert rules.relative_change(D("40.0"), D("35.0")) == D("-12.5")
    assert rules.relative_change(D("50.0"), D("45.0")) == D("-10.0")  # the national target: 10 % relative
    assert rules.relative_change(D("0.0"), D("10.0")) is None
    assert rules.point_change(None, D("10")) is None


def test_distance_bands_hold_their_lower_bound():
    assert rules.BAND_LABELS == ("0–2", "2–5", "5–10", "10–20", "20–50", "50+")
    assert [rules.distance_band(km) for km in (0, D("1.9"), 2, D("4.9"), 5, 10, D("19.9"), 20, 50, 300)] == [
        0, 0, 1, 1, 2, 3, 3, 4, 5, 5,
    ]  # fmt: skip


def test_target_met_at_or_above():
    assert rules.target_met(D("75.0"), 75) and not rules.target_met(D("74.9"), 75)
    assert not rules.target_met(None, 60)


def test_figures_from_sums():
    sums = {
        "responses": 10,
        "trips": D("46"),
        "car_trips": D("20"),
        "car_trips_with_passengers": D("30"),
        "sustainable_trips": D("16"),
        "home_office_days": D("4"),
        "car_drivers": 4,
        "willing_to_switch": 2,
        "try_offer": 3,
        "distance_answers": 10,
        "band_0": 2,
        "band_3": 4,
    }
    f = rules.figures(sums)
    assert not f.suppressed
    assert (f.car_share, f.car_share_with_passengers, f.sustainable_share) == (D("43.5"), D("65.2"), D("34.8"))
    assert f.home_office_share == D("8.0")  # 4 / (46 + 4)
    assert f.potential == D("50.0") and f.try_offer_share == D("30.0")
    assert [(b.label, b.respondents, b.share) for b in f.bands][:4] == [
        ("0–2", 2, D("20.0")),
        ("2–5", 0, D("0.0")),
        ("5–10", 0, D("0.0")),
        ("10–20", 4, D("40.0")),
    ]
    assert rules.figures({**sums, "responses": 4}).hidden == rules.TOO_FEW
    assert rules.figures({**sums, "responses": 4}).car_share is None


def test_mode_shares_add_up():
    shares = rules.mode_shares([("car_driver", "Car", 4, D(20)), ("bus", "Bus", 2, D(8)), ("walk", "Walk", 1, D(3))])
    assert [m.share for m in shares] == [D("64.5"), D("25.8"), D("9.7")]


def test_change_is_hidden_when_either_round_is():
    before = rules.figures({"responses": 10, "trips": 50, "car_trips": 25})
    after = rules.figures({"responses": 10, "trips": 50, "car_trips": 20})
    change = rules.Change(baseline=before, followup=after)
    assert (change.points, change.relative) == (D("-10.0"), D("-20.0"))
    hidden = rules.Change(baseline=before, followup=rules.figures({"responses": 3}))
    assert not hidden.available and hidden.points is None and hidden.relative is None


def test_horizontal_bar_chart_geometry():
    chart = horizontal_bar_chart([("a", 50), ("b", None), ("c", 25)], width=300, label_width=100, value_width=0)
    assert chart.scale_max == 100 and chart.height == 66
    assert [bar.width for bar in chart.bars] == [100.0, 0, 50.0]
    assert chart.bars[1].value is None and chart.bars[0].value_x == 204.0


# --- selectors on a hand-made dataset --------------------------------------------------------------

#: 10 responses: (mode, commute days, home-office days, km, switch likelihood, location key)
DATASET = [
    ("car_driver", 5, 0, 15, 4, "sentrum"),
    ("car_driver", 5, 0, 15, 4, "sentrum"),
    ("car_driver", 5, 0, 15, 2, "sentrum"),
    ("car_driver", 5, 0, 15, None, "sentrum"),
    ("car_passenger", 5, 0, 8, None, "sentrum"),
    ("car_passenger", 5, 0, 8, None, "havn"),
    ("bus", 4, 1, 3, None, "havn"),
    ("bus", 4, 1, 3, None, "havn"),
    ("bicycle", 5, 0, 1, None, "havn"),
    ("walk", 3, 2, D("0.5"), None, "havn"),
]


def add_responses(round_, rows, *, locations=None, department=None, submitted_on=None) -> list[Response]:
    """Responses to the round from (mode, commute days, home-office days, km, switch, location key) rows."""
    locations = locations or {}
    return Response.objects.bulk_create(
        Response(
            round=round_,
            company=round_.company,
            location=locations.get(where),
            department=department,
            submitted_on=submitted_on or timezone.localdate(),
            main_mode=mode,
            commute_days=D(str(days)),
            home_office_days=D(str(home)),
            distance_km=D(str(km)),
            switch_likelihood=switch,
        )
        for mode, days, home, km, switch, where in rows
    )


def add_answers(responses, key: str, **fields) -> None:
    question = Question.objects.filter(questionnaire=responses[0].round.questionnaire, key=key).get()
    Answer.objects.bulk_create(Answer(response=r, question=question, **fields) for r in responses)


@pytest.fixture
def dataset(world):
    """Company A1's baseline round with 12 invited and the 10 responses of DATASET (Sentrum 5, Havn 5);
    two of them would try an offer."""
    with tenant_context(world.pta_a):
        locations = {
            "sentrum": LocationFactory(company=world.company_a1, name="Sentrum"),
            "havn": LocationFactory(company=world.company_a1, name="Havn"),
        }
        round_, _invited = make_round(world.company_a1, employees=12, opens_on=timezone.localdate() - timedelta(days=3))
        responses = add_responses(round_, DATASET, locations=locations)
        add_answers(responses[:2], "try_offer", choices=["ebike_trial"])
        add_answers(responses[2:3], "try_offer", choices=[])
        return round_, locations, responses


def _board(world, **kwargs):
    rounds = selectors.company_rounds(company=world.company_a1)
    return selectors.company_dashboard(
        company=world.company_a1, round_=rounds[0], rounds=rounds, day=timezone.localdate(), **kwargs
    )


def test_the_company_figures_by_hand(world, dataset):
    with tenant_context(world.pta_a):
        board = _board(world)
    assert (board.rate.responses, board.rate.invited, board.rate.rate, board.rate.met) == (10, 12, D("83.3"), True)
    f = board.figures
    assert f.responses == 10 and f.trips == D("46")
    assert f.car_share == D("43.5")  # 20 / 46
    assert f.car_share_with_passengers == D("65.2")  # 30 / 46
    assert f.sustainable_share == D("34.8")  # (8 + 5 + 3) / 46
    assert f.home_office_share == D("8.0")  # 4 / 50
    assert (f.car_drivers, f.willing_to_switch, f.potential) == (4, 2, D("50.0"))
    assert (f.try_offer, f.try_offer_share) == (2, D("20.0"))
    assert [b.respondents for b in f.bands] == [2, 2, 2, 4, 0, 0]
    assert [(m.mode, m.responses, m.share) for m in board.modes] == [
        ("walk", 1, D("6.5")),
        ("bicycle", 1, D("10.9")),
        ("car_driver", 4, D("43.5")),
        ("car_passenger", 2, D("21.7")),
        ("bus", 2, D("17.4")),
    ]
    assert [(g.name, g.figures.responses, g.figures.car_share) for g in board.locations] == [
        ("Havn", 5, D("0.0")),
        ("Sentrum", 5, D("80.0")),  # 20 / 25
    ]
    assert board.change is None  # no follow-up


def test_one_location_with_the_filter(world, dataset):
    _round, locations, _responses = dataset
    with tenant_context(world.pta_a):
        board = _board(world, location=locations["havn"].pk)
    assert board.location_name == "Havn" and board.rate is None
    assert board.figures.responses == 5 and board.figures.sustainable_share == D("76.2")  # 16 / 21
    assert {m.mode for m in board.modes} == {"car_passenger", "bus", "bicycle", "walk"}


def test_an_unknown_location_filter_shows_every_location(world, dataset):
    with tenant_context(world.pta_a):
        board = _board(world, location=999_999)
    assert board.location is None and board.figures.responses == 10


def test_baseline_and_follow_up_change(world, dataset):
    with tenant_context(world.pta_a):
        followup, _ = make_round(world.company_a1, employees=10, kind=RoundKind.FOLLOWUP)
        # 10 responses: 3 car drivers 5 days, 7 by bus 5 days: car share 30 %.
        add_responses(followup, [("car_driver", 5, 0, 15, 3, "")] * 3 + [("bus", 5, 0, 3, None, "")] * 7)
        board = _board(world)
    assert board.round == followup and board.baseline == dataset[0] and board.followup == followup
    assert board.change.baseline.car_share == D("43.5") and board.change.followup.car_share == D("30.0")
    assert board.change.points == D("-13.5") and board.change.relative == D("-31.0")
    assert board.rate.target == 60


def test_free_text_is_sorted_and_only_when_asked(world, dataset):
    _round, _locations, responses = dataset
    with tenant_context(world.pta_a):
        add_answers(responses[:1], "comment", text="Øke parkeringsavgiften")
        add_answers(responses[1:2], "comment", text="Bedre sykkelparkering")
        add_answers(responses[2:3], "comment", text="")
        assert _board(world).comments is None
        board = _board(world, with_comments=True)
    assert board.comments == ["Bedre sykkelparkering", "Øke parkeringsavgiften"] and board.comments_total == 2


def _selects(queries: CaptureQueriesContext) -> list[str]:
    """The queries but django-tenants' SET search_path (run before each one inside tenant_context)."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]


def test_the_company_dashboard_is_a_handful_of_queries(world, dataset):
    with tenant_context(world.pta_a), CaptureQueriesContext(connection) as queries:
        _board(world, with_comments=True)
    # rounds; sums per round; per location; modes; departments; free text
    assert len(_selects(queries)) == 6


def test_the_pta_dashboard_over_the_latest_round_of_each_company(world, dataset):
    with tenant_context(world.pta_a):
        # Company A2: an older baseline (ignored), a later one with 6 car drivers, and a follow-up with 3 of 6.
        day = timezone.localdate()
        old, _ = make_round(world.company_a2, employees=6, opens_on=day - timedelta(days=400))
        add_responses(old, [("bus", 5, 0, 3, None, "")] * 6)
        baseline, _ = make_round(world.company_a2, employees=8, opens_on=day - timedelta(days=200))
        add_responses(baseline, [("car_driver", 5, 0, 30, 5, "")] * 6)
        followup, _ = make_round(
            world.company_a2, employees=10, kind=RoundKind.FOLLOWUP, opens_on=day - timedelta(days=5)
        )
        add_responses(followup, [("car_driver", 5, 0, 30, 5, "")] * 3 + [("train", 5, 0, 30, None, "")] * 3)
        with CaptureQueriesContext(connection) as queries:
            board = selectors.pta_dashboard(day=day)
    assert len(_selects(queries)) == 3
    base = board.baseline
    assert base.rounds == 2 and base.rate.responses == 16 and base.rate.invited == 20
    assert base.figures.car_share == D("65.8")  # (20 + 30) / (46 + 30)
    assert [g.name for g in base.companies] == ["Alfa Energi AS", "Beta Bygg AS"]
    assert board.followup.rounds == 1 and board.followup.figures.car_share == D("50.0")
    # Only A2 has both: 100 % -> 50 %.
    assert board.companies_compared == 1
    assert (board.change.points, board.change.relative) == (D("-50.0"), D("-50.0"))
    assert board.followup.companies[0].change.points == D("-50.0")
    # The follow-up has a single company: under 5 it would be hidden, here it has 6.
    assert not board.followup.companies[0].figures.suppressed


def test_the_pta_dashboard_with_no_rounds(world):
    with tenant_context(world.pta_a):
        board = selectors.pta_dashboard(day=timezone.localdate())
    assert board.baseline.rounds == 0 and board.baseline.figures.hidden == rules.TOO_FEW
    assert board.change.available is False


def test_departments_breakdown(world, dataset):
    _round, _locations, responses = dataset
    with tenant_context(world.pta_a):
        sales = DepartmentFactory(company=world.company_a1, name="Salg")
        Response.objects.filter(pk__in=[r.pk for r in responses[:6]]).update(department=sales)
        board = _board(world)
    assert [(g.name, g.figures.responses, g.figures.hidden) for g in board.departments] == [
        ("Salg", 6, rules.COMPLEMENTARY),
        (str(board.departments[1].name), 4, rules.TOO_FEW),
    ]
