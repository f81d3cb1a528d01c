"""The trend on "I dag": member companies and the employees on their lists,
recorded once a month (reporting.services.monthly_figures_record, hourly by
beat), the months before the first recording reconstructed from dated facts;
shown as two charts and a table of the same figures."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django_tenants.utils import tenant_context

from companies.models import Company, CompanyStatus, CompanyStatusChange
from core.dates import today
from reporting.models import MonthlyFigures
from reporting.services import monthly_figures_record
from tests.base import HOST_A, client_for
from tests.factories import CompanyFactory, EmployeeFactory

CARD = "/i-dag/kort/utvikling/"


def live_figures() -> tuple[int, int]:
    members = Company.objects.filter(status=CompanyStatus.MEMBER)
    return members.count(), sum(members.values_list("employee_count", flat=True))


def test_recording_keeps_this_months_row_at_the_figures_as_they_stand(world):
    with tenant_context(world.pta_a):
        first = monthly_figures_record()
        assert (first.month, first.reconstructed) == (today().replace(day=1), False)
        assert (first.member_companies, first.employees) == live_figures()
        company = CompanyFactory(status=CompanyStatus.MEMBER)
        EmployeeFactory.create_batch(3, company=company)
        CompanyFactory(status=CompanyStatus.PROSPECT, name="Ikke medlem AS")
        again = monthly_figures_record()
        assert again.pk == first.pk
        assert (again.member_companies, again.employees) == (first.member_companies + 1, first.employees + 3)
        assert MonthlyFigures.objects.filter(month=today().replace(day=1)).count() == 1


def test_the_first_recording_reconstructs_the_past_year_from_dated_facts(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(status=CompanyStatus.MEMBER)
        CompanyStatusChange.objects.create(company=company, status="member", changed_on=date(2025, 2, 15))
        EmployeeFactory(company=company, start_date=date(2024, 1, 1))
        EmployeeFactory(company=company, start_date=date(2025, 4, 1))
        monthly_figures_record(day=date(2025, 5, 10))
        rows = {row.month: row for row in MonthlyFigures.objects.all()}
    assert sorted(rows) == [date(2024, m, 1) for m in range(6, 13)] + [date(2025, m, 1) for m in range(1, 6)]
    assert all(rows[month].reconstructed for month in rows if month < date(2025, 5, 1))
    assert [(rows[date(2025, m, 1)].member_companies, rows[date(2025, m, 1)].employees) for m in (1, 2, 3, 4)] == [
        (0, 0),
        (1, 1),
        (1, 1),
        (1, 2),
    ]
    assert not rows[date(2025, 5, 1)].reconstructed


def test_a_recorded_month_is_never_replaced_by_a_reconstruction(world):
    with tenant_context(world.pta_a):
        MonthlyFigures.objects.create(month=date(2025, 3, 1), member_companies=77, employees=7_700)
        monthly_figures_record(day=date(2025, 5, 10))
        monthly_figures_record(day=date(2025, 5, 11))  # safe to run twice
        march = MonthlyFigures.objects.get(month=date(2025, 3, 1))
        assert (march.member_companies, march.employees, march.reconstructed) == (77, 7_700, False)
        assert MonthlyFigures.objects.count() == 12


def test_beat_records_the_figures_every_hour_in_every_pta():
    entry = settings.CELERY_BEAT_SCHEDULE["record-monthly-figures"]
    assert entry["task"] == "tenants.tasks.dispatch_to_tenants"
    assert entry["args"] == ("reporting.tasks.record_monthly_figures",) and entry["schedule"] == 3600


# --- The card -------------------------------------------------------------------------


def test_the_card_shows_the_recorded_months_and_this_month_live(world):
    this_month = today().replace(day=1)
    last_month = (this_month - date.resolution).replace(day=1)
    with tenant_context(world.pta_a):
        MonthlyFigures.objects.create(month=last_month, member_companies=41, employees=4_321, reconstructed=True)
        # A row for this month is not read: this month is counted as it stands.
        MonthlyFigures.objects.create(month=this_month, member_companies=999, employees=999)
        live = live_figures()
    response = client_for(world.adviser_a).get(CARD)
    assert response.status_code == 200
    months = response.context["months"]
    assert len(months) == 12 and months[-1].day == today()
    assert (months[-1].member_companies, months[-1].employees) == live
    assert (months[-2].member_companies, months[-2].employees) == (41, 4_321)
    assert months[0].member_companies is None  # not recorded: no figure, no bar
    content = response.content.decode()
    assert "4\xa0321" in content and "–" in content and "* " in content  # the reconstructed month is marked
    assert content.count('role="img"') == 2 and content.count("<desc") == 2 and "<table" in content
    assert content.count('class="chart-bar"') == 2 * 2  # last month and this month, in each chart
    assert " style=" not in content and "<script" not in content
    # Coordinates are written with a decimal point whatever the language.
    assert not [part for part in content.split(' y="')[1:] if "," in part.split('"')[0]]


def test_the_card_is_two_queries_whatever_the_ptas_size(world, django_assert_num_queries):
    client = client_for(world.adviser_a)
    client.get(CARD)
    with tenant_context(world.pta_a):
        for company in CompanyFactory.create_batch(3):
            EmployeeFactory.create_batch(3, company=company)
            MonthlyFigures.objects.get_or_create(
                month=date(2025, 1, 1), defaults={"member_companies": 1, "employees": 1}
            )
    # The middleware's ten statements, then the figures (1) and the live count (1), each after its SET search_path.
    with django_assert_num_queries(10 + 4):
        assert client.get(CARD).status_code == 200


def test_the_start_page_shows_the_trend(world):
    content = client_for(world.adviser_a).get("/i-dag/").content.decode()
    assert 'id="card-trend"' in content and 'aria-labelledby="trend-companies-title trend-companies-desc"' in content


def test_contact_persons_and_anonymous_visitors_get_no_trend(world):
    assert client_for(world.contact_a1).get(CARD).status_code == 403
    response = client_for(None, HOST_A).get(CARD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_another_ptas_figures_are_not_shown(world):
    with tenant_context(world.pta_b):
        MonthlyFigures.objects.create(month=date(2025, 1, 1), member_companies=31337, employees=31337)
    assert "31\xa0337" not in client_for(world.adviser_a).get(CARD).content.decode()
