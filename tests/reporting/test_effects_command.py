"""`manage.py effects`: the report's effect model for analysts, `key=value` lines out,
integers where whole, decimals with a point otherwise, and bad options refused naming
the option and its value with a non-zero exit code."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reporting.management.commands.effects import Command


def run(*args: str) -> dict[str, str]:
    out = StringIO()
    call_command("effects", *args, stdout=out)
    return dict(line.split("=", 1) for line in out.getvalue().splitlines() if line)


def test_effects_i_as_in_the_issue():
    assert run(
        "--employees", "250000", "--car-share", "35", "--reduction", "10",
        "--trips", "460", "--transit-share", "20", "--price-per-trip", "20",
    ) == {"reduced_car_trips": "4025000", "extra_revenue_nok": "16100000"}  # fmt: skip


def test_effects_ii_as_in_the_issue():
    assert run("--employees", "250000", "--monthly-price", "700", "--cannibalisation", "10") == {
        "extra_revenue_nok": "1890000000"
    }


@pytest.mark.parametrize(
    ("employees", "car_share", "reduction", "trips", "at_20", "at_40"),
    [
        ("250000", "35", "10", "4025000", "16100000", "32200000"),
        ("250000", "55", "20", "12650000", "50600000", "101200000"),
        ("450000", "35", "10", "7245000", "28980000", "57960000"),
        ("450000", "55", "20", "22770000", "91080000", "182160000"),
    ],
)
def test_the_reports_table_i_with_the_default_trips_and_price(employees, car_share, reduction, trips, at_20, at_40):
    lines = run(
        "--employees", employees, "--car-share", car_share, "--reduction", reduction,
        "--transit-share", "20", "--transit-share", "40",
    )  # fmt: skip
    assert lines == {"reduced_car_trips": trips, "extra_revenue_nok_20pct": at_20, "extra_revenue_nok_40pct": at_40}


@pytest.mark.parametrize(
    ("employees", "cannibalisation", "revenue"),
    [("250000", "10", "1890000000"), ("250000", "25", "1575000000"), ("450000", "10", "3402000000"),
     ("450000", "25", "2835000000")],
)  # fmt: skip
def test_the_reports_table_ii(employees, cannibalisation, revenue):
    assert run("--employees", employees, "--monthly-price", "700", "--cannibalisation", cannibalisation) == {
        "extra_revenue_nok": revenue
    }


def test_both_models_at_once_name_the_subscription_revenue_apart():
    assert run(
        "--employees",
        "250000",
        "--car-share",
        "35",
        "--reduction",
        "10",
        "--transit-share",
        "40",
        "--monthly-price",
        "700",
        "--cannibalisation",
        "25",
    ) == {  # fmt: skip
        "reduced_car_trips": "4025000",
        "extra_revenue_nok": "32200000",
        "subscription_revenue_nok": "1575000000",
    }


def test_without_a_transit_share_only_the_reduced_car_trips():
    assert run("--employees", "250000", "--car-share", "35", "--reduction", "10") == {"reduced_car_trips": "4025000"}


def test_fractional_results_are_decimals_with_a_point():
    # 1,234 x 0.425 x 0.125 x 230 = 15,077.9375; x 33.3 % x NOK 19.50 = 97,908.58715625.
    assert run(
        "--employees", "1234", "--car-share", "42.5", "--reduction", "12,5", "--trips", "230",
        "--transit-share", "33.3", "--price-per-trip", "19.50",
    ) == {"reduced_car_trips": "15077.9375", "extra_revenue_nok": "97908.58715625"}  # fmt: skip
    assert run("--employees", "1", "--car-share", "35", "--reduction", "10", "--trips", "1") == {
        "reduced_car_trips": "0.035"
    }
    # 3 x 12 x 699.99 x 0.875 = 22,049.685.
    assert run("--employees", "3", "--monthly-price", "699.99", "--cannibalisation", "12.5") == {
        "extra_revenue_nok": "22049.685"
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--employees", "-5", "--car-share", "35", "--reduction", "10"], "--employees -5: Employees must be"),
        (
            ["--employees", "12.5", "--car-share", "35", "--reduction", "10"],
            "--employees 12.5: Employees must be a whole",
        ),
        (["--employees", "many", "--monthly-price", "700"], "--employees many: Employees must be a whole number"),
        (
            ["--employees", "10", "--car-share", "120", "--reduction", "10"],
            "--car-share 120: Car share must be between",
        ),
        (
            ["--employees", "10", "--car-share", "35", "--reduction", "abc"],
            "--reduction abc: Reduction must be a number",
        ),
        (["--employees", "10", "--car-share", "35", "--reduction", "10", "--trips", "5000"], "--trips 5000:"),
        (["--employees", "10", "--car-share", "35", "--reduction", "10", "--transit-share", "101"], "--transit-share"),
        (
            ["--employees", "10", "--car-share", "35", "--reduction", "10", "--price-per-trip", "-1"],
            "--price-per-trip -1",
        ),
        (["--employees", "10", "--monthly-price", "-700"], "--monthly-price -700: Monthly price must be between"),
        (["--employees", "10", "--cannibalisation", "110"], "--cannibalisation 110: Cannibalisation must be between"),
        (["--employees", "10"], "Give the parameters of Effects I"),
        (["--car-share", "35", "--reduction", "10"], "--employees is required"),
        (["--employees", "10", "--car-share", "35"], "Effects I needs --reduction"),
    ],
)
def test_bad_options_are_refused_naming_the_option_and_value(args, expected):
    with pytest.raises(CommandError) as refused:
        call_command("effects", *args, stdout=StringIO())
    assert expected in str(refused.value)


def test_a_refusal_exits_non_zero_and_says_why_on_stderr():
    out, err = StringIO(), StringIO()
    command = Command(stdout=out, stderr=err)
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "effects", "--employees", "-1", "--car-share", "150", "--reduction", "10"])
    assert exited.value.code != 0
    assert "--employees -1" in err.getvalue() and "--car-share 150" in err.getvalue()
    assert out.getvalue() == ""


def test_the_help_documents_the_keys():
    assert "subscription_revenue_nok" in Command.help and "reduced_car_trips" in Command.help
