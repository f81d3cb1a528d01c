"""The trend on "I dag" before it was recorded: member companies and their
employees at past month ends, reconstructed from the dated facts (status
changes, employment dates); and the chart's arithmetic. The recorded figures
and the card are tests/reporting/test_monthly_figures.py's."""

from __future__ import annotations

from datetime import date

from django_tenants.utils import tenant_context

from companies.models import CompanyStatus, CompanyStatusChange
from companies.selectors_start import member_company_trend
from core.charts import bar_chart, nice_ceiling
from core.dates import month_ends
from employees.models import EmployeeStatus
from employees.selectors_start import employee_trend
from tests.factories import CompanyFactory, EmployeeFactory

# Month ends long before the personas' companies were registered (they count from that day).
ENDS = [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]


def changes(company, *dated: tuple[str, date]) -> None:
    for status, day in dated:
        CompanyStatusChange.objects.create(company=company, status=status, changed_on=day)


def test_trend_counts_member_companies_and_their_employees_at_each_months_end(world):
    with tenant_context(world.pta_a):
        # A member from 15 February until it paused on 1 April.
        paused = CompanyFactory(status=CompanyStatus.PAUSED)
        changes(
            paused,
            ("prospect", date(2025, 1, 10)),
            ("member", date(2025, 2, 15)),
            ("paused", date(2025, 4, 1)),
        )
        EmployeeFactory(company=paused, start_date=date(2024, 1, 1))
        # A member all along.
        member = CompanyFactory(status=CompanyStatus.MEMBER)
        changes(member, ("member", date(2025, 1, 1)))
        EmployeeFactory(company=member, start_date=date(2025, 3, 15))  # from March
        EmployeeFactory(company=member, start_date=None, end_date=date(2025, 2, 10))  # January only
        EmployeeFactory(company=member, status=EmployeeStatus.LEFT)  # marked as left today: every month
        # Never a member: its employees never count.
        prospect = CompanyFactory(status=CompanyStatus.PROSPECT)
        changes(prospect, ("prospect", date(2024, 6, 1)))
        EmployeeFactory.create_batch(3, company=prospect)

        assert member_company_trend(ends=ENDS) == [1, 2, 2, 1]
        assert employee_trend(ends=ENDS) == [2, 2, 3, 2]


def test_a_member_company_without_status_history_counts_from_its_registration(world):
    with tenant_context(world.pta_a):
        ends = month_ends(count=2, until=date.today())
        before = member_company_trend(ends=ends)
        CompanyFactory(status=CompanyStatus.MEMBER)  # no CompanyStatusChange row
        after = member_company_trend(ends=ends)
    assert after[-1] == before[-1] + 1


def test_a_backdated_status_change_moves_the_past_months(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(status=CompanyStatus.MEMBER)
        changes(company, ("member", date(2025, 3, 1)))
        assert member_company_trend(ends=ENDS) == [0, 0, 1, 1]
        CompanyStatusChange.objects.filter(company=company).update(changed_on=date(2025, 1, 20))
        assert member_company_trend(ends=ENDS) == [1, 1, 1, 1]


# --- The arithmetic ----------------------------------------------------------------------


def test_month_ends_run_from_eleven_months_ago_to_today():
    ends = month_ends(count=12, until=date(2026, 3, 10))
    assert ends[0] == date(2025, 4, 30) and ends[-1] == date(2026, 3, 10)
    assert date(2026, 2, 28) in ends and date(2025, 12, 31) in ends and len(set(ends)) == 12


def test_the_chart_scale_rounds_up_to_a_readable_maximum():
    assert [nice_ceiling(n) for n in (0, 1, 7, 12, 180, 201, 19_500)] == [1, 1, 10, 20, 200, 250, 20_000]
    chart = bar_chart([("jan", 0), ("feb", 50), ("mar", 100)], width=300, height=120)
    assert chart.scale_max == 100
    plot = chart.baseline - chart.top
    assert [bar.height for bar in chart.bars] == [0, round(plot / 2, 1), plot]
    assert chart.bars[2].y == chart.top and chart.bars[0].y == chart.baseline
