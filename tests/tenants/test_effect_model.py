"""The report's effect model (tenants.effects): every figure of the report's tables exactly,
other parameters checked by hand, exact fractional results, each bad parameter refused with a
message naming it and its value, the measured car shares, and the form's Norwegian numbers."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import translation

from tenants import effects
from tenants.forms_effects import EffectsForm, list_text, number_text

# The report's tables as printed (DOMAIN.md), typed in again here rather than read from the module.
TABLE_I = [
    (250_000, 35, 10, 4_025_000, 16_100_000, 32_200_000),
    (250_000, 55, 20, 12_650_000, 50_600_000, 101_200_000),
    (450_000, 35, 10, 7_245_000, 28_980_000, 57_960_000),
    (450_000, 55, 20, 22_770_000, 91_080_000, 182_160_000),
]
TABLE_II = [
    (250_000, 10, 1_890_000_000),
    (250_000, 25, 1_575_000_000),
    (450_000, 10, 3_402_000_000),
    (450_000, 25, 2_835_000_000),
]


@pytest.mark.parametrize(("employees", "car_share", "reduction", "trips", "at_20", "at_40"), TABLE_I)
def test_effects_i_reproduces_the_reports_table(employees, car_share, reduction, trips, at_20, at_40):
    result = effects.car_trip_effects(
        effects.CarTripParameters.build(
            employees=employees,
            car_share=car_share,
            reduction=reduction,
            trips_per_year=460,
            price_per_trip=20,
            transit_shares=[20, 40],
        )
    )
    assert result.reduced_car_trips == trips
    assert [r.revenue for r in result.revenues] == [at_20, at_40]
    assert effects.plain(result.reduced_car_trips) == str(trips)
    assert [effects.plain(r.revenue) for r in result.revenues] == [str(at_20), str(at_40)]


@pytest.mark.parametrize(("employees", "cannibalisation", "revenue"), TABLE_II)
def test_effects_ii_reproduces_the_reports_table(employees, cannibalisation, revenue):
    result = effects.subscription_effects(
        effects.SubscriptionParameters.build(employees=employees, monthly_price=700, cannibalisations=[cannibalisation])
    )
    assert [r.revenue for r in result.revenues] == [revenue]
    assert effects.plain(result.revenues[0].revenue) == str(revenue)
    assert result.gross_revenue == employees * 12 * 700


def test_the_defaults_are_the_reports_first_scenario():
    result = effects.car_trip_effects(effects.CarTripParameters.build(employees=250_000, car_share=35, reduction=10))
    assert result.reduced_car_trips == 4_025_000
    assert [r.revenue for r in result.revenues] == [16_100_000, 32_200_000]
    sub = effects.subscription_effects(effects.SubscriptionParameters.build(employees=250_000))
    assert [r.revenue for r in sub.revenues] == [1_890_000_000, 1_575_000_000]


def test_the_report_tables_on_the_page_match_the_printed_figures():
    table_i, table_ii = effects.report_tables()
    assert len(table_i) == 4 and len(table_ii) == 2
    assert all(row.matches for row in table_i + table_ii)
    assert [row.computed for row in table_i] == [tuple(map(D, r[3:])) for r in TABLE_I]


def test_effects_i_on_other_parameters_checked_by_hand():
    # 1,234 x 0.425 = 524.45; x 0.125 = 65.55625; x 230 = 15,077.9375 reduced car trips.
    # 33.3 % of them by transit: 5,020.9531875 trips; x NOK 19.50 = NOK 97,908.58715625.
    result = effects.car_trip_effects(
        effects.CarTripParameters.build(
            employees=1234,
            car_share="42.5",
            reduction="12.5",
            trips_per_year=230,
            price_per_trip="19.50",
            transit_shares=["33.3", "100"],
        )
    )
    assert result.reduced_car_trips == D("15077.9375")
    assert result.revenues[0].transit_trips == D("5020.9531875")
    assert result.revenues[0].revenue == D("97908.58715625")
    # Everyone to transit: the reduced trips x NOK 19.50 = 294,019.78125.
    assert result.revenues[1].revenue == D("294019.78125")
    assert effects.plain(result.reduced_car_trips) == "15077.9375"


def test_effects_ii_on_other_parameters_checked_by_hand():
    # 1,234 x 12 x 812.50 = 12,031,500; less 12.5 %: 10,527,562.5.
    result = effects.subscription_effects(
        effects.SubscriptionParameters.build(employees=1234, monthly_price="812.50", cannibalisations=["12.5", 0, 100])
    )
    assert result.gross_revenue == 12_031_500
    assert [r.revenue for r in result.revenues] == [D("10527562.5"), 12_031_500, 0]
    assert effects.plain(result.revenues[0].revenue) == "10527562.5"


def test_the_edges_zero_and_the_largest_values_are_exact():
    nothing = effects.car_trip_effects(effects.CarTripParameters.build(employees=0, car_share=100, reduction=100))
    assert nothing.reduced_car_trips == 0 and effects.plain(nothing.reduced_car_trips) == "0"
    # The largest parameters, each with two decimals: no digit is lost.
    big = effects.car_trip_effects(
        effects.CarTripParameters.build(
            employees=effects.MAX_EMPLOYEES,
            car_share="99.99",
            reduction="99.99",
            trips_per_year="999.99",
            price_per_trip="9999.99",
            transit_shares=["99.99"],
        )
    )
    expected = D(10_000_000) * D("0.9999") * D("0.9999") * D("999.99")
    assert big.reduced_car_trips == expected
    assert big.revenues[0].revenue == expected * D("0.9999") * D("9999.99")
    assert "E" not in effects.plain(big.revenues[0].revenue)


def test_a_fractional_result_is_a_decimal_with_a_point_and_a_whole_one_an_integer():
    result = effects.car_trip_effects(
        effects.CarTripParameters.build(employees=1, car_share=35, reduction=10, trips_per_year=1)
    )
    assert effects.plain(result.reduced_car_trips) == "0.035"
    assert effects.whole(D("4025000.000")) == 4025000 and isinstance(effects.whole(D("4025000.000")), int)
    assert effects.plain(D("1234.50")) == "1234.5"


@pytest.mark.parametrize(
    ("values", "name", "value"),
    [
        ({"employees": -1}, "employees", "-1"),
        ({"employees": "1.5"}, "employees", "1.5"),
        ({"employees": "abc"}, "employees", "abc"),
        ({"employees": effects.MAX_EMPLOYEES + 1}, "employees", str(effects.MAX_EMPLOYEES + 1)),
        ({"car_share": "100.01"}, "car_share", "100.01"),
        ({"car_share": -5}, "car_share", "-5"),
        ({"car_share": "NaN"}, "car_share", "NaN"),
        ({"reduction": 101}, "reduction", "101"),
        ({"reduction": "1.234"}, "reduction", "1.234"),
        ({"trips_per_year": 1001}, "trips_per_year", "1001"),
        ({"trips_per_year": -1}, "trips_per_year", "-1"),
        ({"price_per_trip": -20}, "price_per_trip", "-20"),
        ({"transit_shares": ["20", "140"]}, "transit_shares", "140"),
        ({"transit_shares": []}, "transit_shares", ""),
        ({"transit_shares": ["1", "2", "3", "4", "5", "6"]}, "transit_shares", "6"),
    ],
)
def test_each_bad_parameter_of_effects_i_is_refused_with_its_name_and_value(values, name, value):
    with translation.override("en"):
        with pytest.raises(effects.ParameterError) as refused:
            effects.CarTripParameters.build(**{"employees": 100, "car_share": 35, "reduction": 10, **values})
        [problem] = refused.value.problems
        assert problem.name == name
        assert str(effects.LABELS[name]) in problem.message
        assert value in problem.message


@pytest.mark.parametrize(
    ("values", "name", "value"),
    [
        ({"monthly_price": -700}, "monthly_price", "-700"),
        ({"monthly_price": "sju hundre"}, "monthly_price", "sju hundre"),
        ({"cannibalisations": ["10", "125"]}, "cannibalisations", "125"),
        ({"cannibalisations": ["-1"]}, "cannibalisations", "-1"),
        ({"employees": -250_000}, "employees", "-250000"),
    ],
)
def test_each_bad_parameter_of_effects_ii_is_refused_with_its_name_and_value(values, name, value):
    with translation.override("en"), pytest.raises(effects.ParameterError) as refused:
        effects.SubscriptionParameters.build(**{"employees": 100, **values})
    [problem] = refused.value.problems
    assert problem.name == name and value in problem.message


def test_every_bad_parameter_is_named_at_once():
    with translation.override("en"), pytest.raises(effects.ParameterError) as refused:
        effects.CarTripParameters.build(employees=-1, car_share=120, reduction="x")
    assert [p.name for p in refused.value.problems] == ["employees", "car_share", "reduction"]
    assert "Car share must be between 0 and 100 %, not 120." in str(refused.value)


def test_measured_car_shares_come_from_trip_sums_and_the_reduction_is_relative():
    measured = effects.measured_shares(
        baseline_car_trips=D(150), baseline_trips=D(400), followup_car_trips=D(98), followup_trips=D(300)
    )
    assert measured.baseline_car_share == D("37.5")
    assert measured.followup_car_share == D("32.7")  # 32.666... to a tenth
    assert measured.reduction == D("12.8")  # (37.5 - 32.7) / 37.5 = 12.8 %
    assert effects.measured_shares(
        baseline_car_trips=D(0), baseline_trips=D(0), followup_car_trips=D(1), followup_trips=D(2)
    ) == effects.Measured(None, D("50.0"))


def test_the_model_on_measured_figures_explains_what_is_missing():
    scenario = effects.CarTripParameters.build(employees=1, car_share=35, reduction=10)
    subscription = effects.SubscriptionParameters.build(employees=1)

    def run(measured):
        return effects.measured_effects(employees=200, measured=measured, scenario=scenario, subscription=subscription)

    assert run(effects.Measured(None, None)).reason == "no_baseline"
    assert run(effects.Measured(D(40), None)).reason == "no_followup"
    rose = run(effects.Measured(D(40), D(45)))
    assert rose.reason == "no_fall" and rose.car_trips is None and rose.measured.reduction == D("-12.5")
    fell = run(effects.Measured(D(40), D(30)))
    assert fell.reason == ""
    # 200 x 0.40 x 0.25 x 460 = 9,200 trips; 20 % of them x NOK 20 = 36,800.
    assert fell.car_trips.reduced_car_trips == 9200
    assert [r.revenue for r in fell.car_trips.revenues] == [36_800, 73_600]
    # Effects II needs only the employees: 200 x 12 x 700 x 0.9.
    assert fell.subscription.revenues[0].revenue == 1_512_000
    assert run(effects.Measured(None, None)).subscription.revenues[0].revenue == 1_512_000


def test_the_form_reads_numbers_as_norwegians_write_them():
    assert number_text(" 250 000 ") == "250000"
    assert number_text("250\u00a0000") == "250000"
    assert number_text("42,5") == "42.5"
    assert list_text("20 40") == ["20", "40"]
    assert list_text("12,5; 40") == ["12.5", "40"]
    assert list_text("20, 40") == ["20", "40"]
    form = EffectsForm.from_query({"employees": "1 234", "car_share": "42,5", "reduction": "12,5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["car_trips"].employees == 1234
    assert form.cleaned_data["car_trips"].car_share == D("42.5")
    assert form.cleaned_data["car_trips"].transit_shares == (D(20), D(40))  # the default


def test_the_form_puts_each_refusal_on_its_field():
    form = EffectsForm.from_query(
        {
            "employees": "-3",
            "car_share": "120",
            "transit_shares": "20 abc",
            "cannibalisations": "",
            "monthly_price": "7",
        }
    )
    assert not form.is_valid()
    assert set(form.errors) == {"employees", "car_share", "transit_shares", "cannibalisations"}
