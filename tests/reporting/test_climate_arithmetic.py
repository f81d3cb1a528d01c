"""The emission arithmetic (reporting.climate) on worked examples checked by hand."""

from __future__ import annotations

from decimal import Decimal

from reporting import climate
from reporting.climate import ModeSums, RoundSums

D = Decimal
FACTORS = {"car_driver": D(112), "bus": D(59), "walk": D(0), "train": D("12.2")}
CAR = ("car_driver",)
SUSTAINABLE = ("walk", "bicycle", "bus", "train")


def five_respondents(invited: int = 8) -> RoundSums:
    """2 car drivers 10 km 5 days, 1 bus 20 km 4 days, 2 walkers 1 km 5 days."""
    return RoundSums(
        responses=5,
        invited=invited,
        modes=(
            ModeSums("bus", 1, 1, D(20 * 4), D(4), 1),
            ModeSums("car_driver", 2, 2, D(10 * 5 * 2), D(10), 2),
            ModeSums("walk", 2, 2, D(1 * 5 * 2), D(10), 2),
        ),
    )


def emissions(sums: RoundSums, employees: int = 12, factors=FACTORS) -> climate.RoundEmissions:
    return climate.round_emissions(
        sums, factors=factors, employees=employees, car_modes=CAR, sustainable_modes=SUSTAINABLE
    )


def test_worked_example_five_respondents():
    # Car: 2 × 10 km × 2 × 5 days × 46 weeks = 9 200 pkm × 112 g = 1 030.4 kg.
    # Bus: 20 km × 2 × 4 days × 46 = 7 360 pkm × 59 g = 434.24 kg. Walking: 0.
    # 1 464.64 kg / 5 respondents = 292.928 kg per employee; × 12 employees = 3 515.136 kg.
    result = emissions(five_respondents())
    assert result.ok
    by_mode = {m.mode: m for m in result.modes}
    assert by_mode["car_driver"].person_km == D(9200)
    assert by_mode["car_driver"].kg == D("1030.4")
    assert by_mode["bus"].person_km == D(7360)
    assert by_mode["bus"].kg == D("434.24")
    assert by_mode["walk"].kg == 0
    assert result.kg_per_employee == D("292.928")
    assert result.total_kg == D("3515.136")
    assert climate.q(result.total_tonnes, climate.TONNES) == D("3.52")
    assert climate.q(result.kg_per_employee, climate.KG) == D("292.9")
    # Scaled to all employees: 1 030.4 kg × 12 / 5 = 2 472.96 kg by car.
    assert by_mode["car_driver"].kg_all_employees == D("2472.96")
    # Shares of days: car 10 of 24 days, sustainable 14 of 24.
    assert climate.q(result.car_share, climate.ONE_DECIMAL) == D("41.7")
    assert climate.q(result.sustainable_share, climate.ONE_DECIMAL) == D("58.3")
    assert result.days_per_respondent == D("4.8")


def test_home_office_days_are_not_commuting_days():
    # One car driver 30 km, commuting 2 days (3 at home): 30 × 2 × 2 × 46 = 5 520 pkm × 112 g = 618.24 kg.
    sums = RoundSums(5, 5, (ModeSums("car_driver", 1, 1, D(60), D(2), 1), ModeSums("walk", 4, 4, D(4), D(8), 4)))
    result = emissions(sums, employees=5)
    assert {m.mode: m for m in result.modes}["car_driver"].kg == D("618.24")
    assert result.total_kg == D("618.24")  # 5 employees, 5 respondents


def test_mode_without_factor_is_not_estimated_and_others_stand_for_it():
    # 5 respondents; one "other" without a factor. 4 estimated: 2 car drivers (1 030.4 kg) and 2 walkers.
    sums = RoundSums(
        5,
        6,
        (
            ModeSums("car_driver", 2, 2, D(100), D(10), 2),
            ModeSums("other", 1, 1, D(50), D(5), 1),
            ModeSums("walk", 2, 2, D(10), D(10), 2),
        ),
    )
    result = emissions(sums, employees=10)
    assert result.estimated == 4
    assert result.not_estimated == 1
    assert result.not_estimated_modes == ("other",)
    # 1 030.4 kg / 4 = 257.6 kg per employee; × 10 = 2 576 kg.
    assert result.kg_per_employee == D("257.6")
    assert result.total_kg == D("2576.0")


def test_missing_distance_is_not_estimated():
    sums = RoundSums(5, 5, (ModeSums("car_driver", 3, 2, D(100), D(15), 3), ModeSums("walk", 2, 2, D(2), D(10), 2)))
    result = emissions(sums, employees=5)
    assert result.not_estimated == 1
    assert result.kg_per_employee == D("1030.4") / 4


def test_coverage_rule():
    assert climate.coverage(responses=4, invited=4).reason == climate.TOO_FEW_RESPONSES
    assert climate.coverage(responses=5, invited=11).reason == climate.RATE_TOO_LOW  # 45.5 %
    assert climate.coverage(responses=5, invited=10).ok  # 50 % exactly
    assert climate.coverage(responses=5, invited=0).reason == climate.NO_INVITATIONS
    result = emissions(RoundSums(4, 4, (ModeSums("car_driver", 4, 4, D(100), D(20), 4),)))
    assert not result.ok
    assert result.kg_per_employee is None and result.modes == ()


def test_change_avoided_and_car_trips_replaced():
    baseline = emissions(five_respondents(), employees=12)
    # Follow-up: 1 car driver 10 km 5 days, 2 bus 20 km 4 days... by hand:
    # car 10 × 5 = 50 → 4 600 pkm × 112 = 515.2 kg; bus 2 × 80 = 160 → 14 720 pkm × 59 = 868.48 kg;
    # walkers 2 × 1 km 5 days → 0. 1 383.68 kg / 5 = 276.736 kg per employee.
    followup_sums = RoundSums(
        5,
        6,
        (
            ModeSums("bus", 2, 2, D(160), D(8), 2),
            ModeSums("car_driver", 1, 1, D(50), D(5), 1),
            ModeSums("walk", 2, 2, D(10), D(10), 2),
        ),
    )
    followup = emissions(followup_sums, employees=12)
    assert followup.kg_per_employee == D("276.736")
    change = climate.change(baseline, followup, employees=12)
    assert change.available
    # 292.928 − 276.736 = 16.192 kg per employee; × 12 = 194.304 kg = 0.194304 t.
    assert change.kg_per_employee_avoided == D("16.192")
    assert change.tonnes_avoided == D("0.194304")
    # Car share: baseline 10/24 days, follow-up 5/23 days. Trips per year: 12 employees × 23/5 days
    # × 2 × 46 = 5 078.4; replaced = (10/24 − 5/23) × 5 078.4 = 110/552 × 5 078.4 = 110 × 9.2 = 1 012.
    assert change.trips_per_year == D("5078.4")
    assert climate.q(change.car_trips_replaced, climate.WHOLE) == D(1012)
    assert abs(change.car_trips_replaced - D(1012)) < D("1e-20")
    # 41.67 % − 21.74 % = 19.93 percentage points.
    assert climate.q(change.car_share_points, D("0.01")) == D("19.93")


def test_change_needs_both_rounds_covered():
    baseline = emissions(five_respondents())
    small = emissions(RoundSums(3, 3, (ModeSums("walk", 3, 3, D(3), D(15), 3),)))
    assert climate.change(baseline, None, employees=12).reason == climate.NO_FOLLOWUP
    assert climate.change(None, None, employees=12).reason == climate.NO_BASELINE
    assert climate.change(baseline, small, employees=12).reason == climate.FOLLOWUP_NOT_COVERED
    assert climate.change(small, baseline, employees=12).reason == climate.BASELINE_NOT_COVERED


def test_rail_factor_with_decimals():
    # 5 train commuters 40 km 5 days: 5 × 200 = 1 000 → 92 000 pkm × 12.2 g = 1 122.4 kg; / 5 = 224.48 kg.
    result = emissions(RoundSums(5, 5, (ModeSums("train", 5, 5, D(1000), D(25), 5),)), employees=100)
    assert result.kg_per_employee == D("224.48")
    assert result.total_kg == D("22448.00")
    assert climate.q(result.total_tonnes, climate.TONNES) == D("22.45")


def test_ticket_uptake():
    assert climate.TicketUptake(3, 12).share == D("25.0")
    assert climate.TicketUptake(0, 0).share is None
