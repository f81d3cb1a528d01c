"""tickets.rules: the money of one employee's corporate ticket for one month, computed by hand.

P ordinary price, C company price, S subsidy, D = C - S, B = P - D, A = B x zone rate,
F = B x 5 % in finance. Figures are exact; only `rounded()` rounds (half up, to øre).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from companies.models import EmployerZone
from tickets import rules
from tickets.rules import Subsidy, TicketRuleError, round_ore, ticket_month

MONTH = date(2026, 3, 1)


def month(**kwargs) -> rules.TicketMonth:
    figures = {"subsidy": None, "zone": "1", "finance": False, "month": MONTH, **kwargs}
    return ticket_month(**figures)


def test_the_worked_example_of_the_issue():
    # P 900.00, C 810.00, S 50 % of C = 405.00; D = 810 - 405 = 405.00; B = 900 - 405 = 495.00;
    # A = 495 x 14.1 % = 69.795, shown as 69.80 (half up).
    figures = month(ordinary=D("900.00"), company_price=D("810.00"), subsidy=Subsidy(percent=D("50")))
    assert figures.subsidy == D("405.00")
    assert figures.payroll_deduction == D("405.00")
    assert figures.taxable_benefit == D("495.00")
    assert figures.employer_contribution == D("69.795")
    assert figures.rounded()["employer_contribution"] == D("69.80")
    assert figures.financial_tax == 0 and figures.notes == ()


def test_fixed_nok_subsidy_in_zone_ii():
    # P = 9 000 / 12 = 750.00, C 675.00, S = NOK 300.00; D = 675 - 300 = 375.00;
    # B = 750 - 375 = 375.00; A = 375 x 10.6 % = 39.75.
    ordinary = rules.ordinary_monthly_price(annual_price=D("9000.00"))
    figures = month(ordinary=ordinary, company_price=D("675.00"), subsidy=Subsidy(amount=D("300.00")), zone="2")
    assert ordinary == D("750")
    assert (figures.payroll_deduction, figures.taxable_benefit) == (D("375.00"), D("375.00"))
    assert figures.employer_contribution == D("39.750")


def test_full_subsidy_makes_the_whole_ordinary_price_a_benefit():
    # S = 100 % of C 810.00 = 810.00; D = 0; B = 900 - 0 = 900.00; A = 900 x 14.1 % = 126.90.
    figures = month(ordinary=D("900.00"), company_price=D("810.00"), subsidy=Subsidy(percent=D("100")))
    assert figures.payroll_deduction == 0
    assert figures.taxable_benefit == D("900.00")
    assert figures.rounded()["employer_contribution"] == D("126.90")


def test_no_subsidy_still_taxes_the_corporate_discount():
    # The 2016 statement: the discount P - C is a benefit even when the employee pays all of C.
    # D = C = 810.00; B = 900 - 810 = 90.00; A = 90 x 14.1 % = 12.69.
    figures = month(ordinary=D("900.00"), company_price=D("810.00"))
    assert (figures.subsidy, figures.payroll_deduction, figures.taxable_benefit) == (0, D("810.00"), D("90.00"))
    assert figures.employer_contribution == D("12.690")


def test_finance_company_in_zone_iii_pays_the_financial_sector_tax_too():
    # P = C = 1 000.00, S = 25 % = 250.00; D = 750.00; B = 1 000 - 750 = 250.00;
    # A = 250 x 6.4 % = 16.00; F = 250 x 5 % = 12.50; A + F = 28.50.
    figures = month(
        ordinary=D("1000.00"), company_price=D("1000.00"), subsidy=Subsidy(percent=D("25")), zone="3", finance=True
    )
    assert figures.taxable_benefit == D("250.00")
    assert figures.employer_contribution == D("16.0000")
    assert figures.financial_tax == D("12.5000")
    assert figures.rounded()["employer_taxes"] == D("28.50")


def test_zone_ia_is_estimated_at_its_reduced_rate_with_a_note():
    # No subsidy: D = C = 810.00; B = 900 - 810 = 90.00; A = 90 x 10.6 % = 9.54, with the note
    # that the rate becomes 14.1 % once the fribeløp (NOK 850 000) is used up.
    figures = month(ordinary=D("900.00"), company_price=D("810.00"), zone="1a")
    assert figures.employer_contribution == D("9.540")
    assert len(figures.notes) == 1
    note = str(figures.notes[0])
    assert "10.6" in note and "850\N{NO-BREAK SPACE}000" in note and "14.1" in note


def test_zone_v_pays_no_contribution_but_keeps_the_benefit():
    # S 50 % of 810 = 405; B = 495.00; A = 495 x 0 % = 0.
    figures = month(ordinary=D("900.00"), company_price=D("810.00"), subsidy=Subsidy(percent=D("50")), zone="5")
    assert figures.taxable_benefit == D("495.00") and figures.employer_contribution == 0


def test_annual_price_divided_by_12_is_kept_exact_and_rounded_only_when_shown():
    # P = 8 555 / 12 = 712.91666…; S = 50 % = 356.458333…; D = B = 356.458333…;
    # A = 356.458333… x 14.1 % = 50.2606…; shown: 712.92, 356.46, 356.46, 356.46, 50.26.
    ordinary = rules.ordinary_monthly_price(annual_price=D("8555.00"))
    figures = month(ordinary=ordinary, company_price=ordinary, subsidy=Subsidy(percent=D("50")))
    assert figures.ordinary != round_ore(figures.ordinary)
    shown = figures.rounded()
    assert (shown["ordinary"], shown["subsidy"], shown["payroll_deduction"]) == (D("712.92"), D("356.46"), D("356.46"))
    assert (shown["taxable_benefit"], shown["employer_contribution"]) == (D("356.46"), D("50.26"))


def test_the_pta_may_set_its_own_monthly_price():
    assert rules.ordinary_monthly_price(annual_price=D("10800"), override=D("950.00")) == D("950.00")
    assert rules.ordinary_monthly_price(annual_price=D("10800")) == D("900")


def test_round_ore_rounds_half_up():
    assert round_ore(D("69.795")) == D("69.80")
    assert round_ore(D("0.005")) == D("0.01")
    assert round_ore(D("12.344")) == D("12.34")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ordinary": D("800.00"), "company_price": D("810.00")}, "company_price"),
        ({"ordinary": D("900.00"), "company_price": D("810.00"), "subsidy": Subsidy(amount=D("810.01"))}, "subsidy"),
        ({"ordinary": D("900.00"), "company_price": D("-1")}, "company_price"),
        ({"ordinary": D("900.00"), "company_price": D("810.00"), "zone": "6"}, "zone"),
    ],
)
def test_refused_inputs_name_the_field(kwargs, field):
    with pytest.raises(TicketRuleError) as refused:
        month(**kwargs)
    assert refused.value.field == field


def test_a_subsidy_is_a_percentage_or_an_amount_within_bounds():
    with pytest.raises(TicketRuleError):
        Subsidy(percent=D("10"), amount=D("100"))
    with pytest.raises(TicketRuleError) as refused:
        Subsidy(percent=D("120"))
    assert refused.value.field == "subsidy_percent" and refused.value.value == D("120")


def test_a_month_no_rule_period_covers_is_refused():
    with pytest.raises(rules.NoRulePeriod):
        month(ordinary=D("900"), company_price=D("810"), month=date(2024, 12, 1))


def test_a_change_in_the_law_is_a_new_rule_period_not_a_code_change():
    # Say employer-paid passes become tax-free from 2027: the months before keep the old rules.
    today = rules.RULE_PERIODS[0]
    periods = (
        replace(today, valid_to=date(2026, 12, 31)),
        replace(today, valid_from=date(2027, 1, 1), valid_to=None, benefit_taxable=False),
    )
    figures = {"ordinary": D("900.00"), "company_price": D("810.00"), "subsidy": Subsidy(percent=D("50"))}
    before = ticket_month(**figures, zone="1", finance=False, month=date(2026, 12, 1), periods=periods)
    after = ticket_month(**figures, zone="1", finance=False, month=date(2027, 1, 15), periods=periods)
    assert before.taxable_benefit == D("495.00") and before.employer_contribution == D("69.795")
    assert after.month == date(2027, 1, 1)
    assert (after.taxable_benefit, after.employer_contribution, after.payroll_deduction) == (0, 0, D("405.00"))
    assert after.notes


def test_the_zone_keys_are_the_companies_zones():
    assert set(rules.ZONE_NAMES) == set(EmployerZone.values)
    assert set(rules.RULE_PERIODS[0].zone_rates) == set(EmployerZone.values)


def test_every_amount_column_says_how_it_is_reported_and_nothing_is_claimed_confirmed():
    assert set(rules.REPORTING) == {"taxable_benefit", "payroll_deduction", "employer_contribution", "financial_tax"}
    assert not any(reporting.confirmed for reporting in rules.REPORTING.values())
    assert rules.REPORTING["taxable_benefit"].income_description == "skattepliktigPersonalrabatt"
    assert all(reporting.income_description != "friTransport" for reporting in rules.REPORTING.values())
