"""Suppression of small groups (fewer than 5 responses) and complementary suppression: in a
breakdown whose total is shown, one hidden group takes the next smallest with it, so it cannot
be worked out as the total minus the others. surveys.rules by hand, then through the selectors."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from surveys import rules
from surveys import selectors_results as selectors
from tests.factories import CompanyFactory, LocationFactory
from tests.surveys.helpers import make_round
from tests.surveys.test_results import add_responses

C, T = rules.COMPLEMENTARY, rules.TOO_FEW


def test_a_group_under_five_is_hidden_and_five_is_shown():
    assert rules.too_few(4) and not rules.too_few(5)
    assert rules.suppressed_groups({"a": 4, "b": 5, "c": 5, "d": 9}) == {"a": T, "b": C}


def test_one_hidden_group_takes_the_next_smallest_with_it():
    assert rules.suppressed_groups({"a": 3, "b": 7, "c": 6}) == {"a": T, "c": C}
    # Ties go to the group listed first.
    assert rules.suppressed_groups({"a": 8, "b": 6, "c": 6, "d": 1}) == {"d": T, "b": C}


def test_two_hidden_groups_hide_each_other():
    assert rules.suppressed_groups({"a": 3, "b": 2, "c": 20}) == {"a": T, "b": T}


def test_nothing_hidden_when_every_group_is_large_enough():
    assert rules.suppressed_groups({"a": 5, "b": 6}) == {}
    assert rules.suppressed_groups({}) == {}


def test_of_two_groups_one_small_both_are_hidden():
    assert rules.suppressed_groups({"big": 40, "small": 1}) == {"small": T, "big": C}


def test_a_single_small_group_is_hidden_alone():
    assert rules.suppressed_groups({"only": 2}) == {"only": T}


def test_the_unknown_location_is_a_group_like_the_others():
    assert rules.suppressed_groups({1: 6, 2: 5, "none": 1}) == {"none": T, 2: C}


def test_breakdown_hides_the_figures_but_keeps_the_count():
    figures = rules.breakdown({"a": {"responses": 3, "trips": 15, "car_trips": 15}, "b": {"responses": 6, "trips": 30}})
    assert figures["a"].hidden == T and figures["a"].car_share is None and figures["a"].responses == 3
    assert figures["b"].hidden == C and figures["b"].trips == 0 and figures["b"].responses == 6


def _locations_dataset(world):
    """Company A1: Sentrum 6 responses, Havn 5, one with no location."""
    sentrum = LocationFactory(company=world.company_a1, name="Sentrum")
    havn = LocationFactory(company=world.company_a1, name="Havn")
    round_, _ = make_round(world.company_a1, employees=15, opens_on=timezone.localdate() - timedelta(days=1))
    add_responses(
        round_,
        [("car_driver", 5, 0, 10, 3, "s")] * 6 + [("bus", 5, 0, 4, None, "h")] * 5 + [("walk", 5, 0, 1, None, "")],
        locations={"s": sentrum, "h": havn},
    )
    return sentrum, havn


def _board(world, **kwargs):
    rounds = selectors.company_rounds(company=world.company_a1)
    return selectors.company_dashboard(
        company=world.company_a1, round_=rounds[0], rounds=rounds, day=timezone.localdate(), **kwargs
    )


def test_a_companys_locations_with_complementary_suppression(world):
    with tenant_context(world.pta_a):
        sentrum, havn = _locations_dataset(world)
        board = _board(world)
    assert [(g.name, g.figures.responses, g.figures.hidden) for g in board.locations] == [
        ("Havn", 5, C),
        ("Sentrum", 6, ""),
        (str(board.locations[2].name), 1, T),
    ]
    assert board.locations[2].key == selectors.NO_LOCATION
    assert not board.figures.suppressed and board.figures.responses == 12


def test_a_location_hidden_in_the_breakdown_is_hidden_when_chosen_too(world):
    with tenant_context(world.pta_a):
        sentrum, havn = _locations_dataset(world)
        hidden = _board(world, location=havn.pk)
        unknown = _board(world, location=selectors.NO_LOCATION)
        shown = _board(world, location=sentrum.pk)
    assert hidden.figures.hidden == C and hidden.modes == [] and hidden.departments == []
    assert unknown.figures.hidden == T
    assert not shown.figures.suppressed and shown.figures.car_share == 100


def test_the_free_text_of_a_hidden_group_is_not_read(world):
    with tenant_context(world.pta_a):
        _sentrum, havn = _locations_dataset(world)
        board = _board(world, location=havn.pk, with_comments=True)
    assert board.comments is None


def test_the_companies_of_a_pta_with_complementary_suppression(world):
    with tenant_context(world.pta_a):
        day = timezone.localdate()
        third = CompanyFactory(name="Cetus AS")
        for company, count in ((world.company_a1, 10), (world.company_a2, 3), (third, 6)):
            round_, _ = make_round(company, employees=count, opens_on=day - timedelta(days=2))
            add_responses(round_, [("car_driver", 5, 0, 10, 3, "")] * count)
        board = selectors.pta_dashboard(day=day)
    groups = {g.name: g for g in board.baseline.companies}
    assert groups["Beta Bygg AS"].figures.hidden == T
    assert groups["Cetus AS"].figures.hidden == C
    assert not groups["Alfa Energi AS"].figures.suppressed
    # The PTA's own total is shown, with every company in it.
    assert board.baseline.figures.responses == 19 and board.baseline.figures.car_share == 100
    # Response counts and rates stay: they say nothing of the answers.
    assert groups["Beta Bygg AS"].rate.rate == 100


def test_a_pta_with_fewer_than_five_responses_shows_nothing(world):
    with tenant_context(world.pta_a):
        round_, _ = make_round(world.company_a1, employees=4, opens_on=timezone.localdate())
        add_responses(round_, [("bus", 5, 0, 3, None, "")] * 4)
        board = selectors.pta_dashboard(day=timezone.localdate())
    assert board.baseline.figures.hidden == T and board.baseline.modes == []
