"""The staff's start page, "I dag", as a whole: its cards from every app
(config.composition.TODAY_CARDS), for this PTA's staff only. The cards'
own rules are in tests/config/test_today_needs_attention.py and
tests/employees/test_start_trend.py."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from companies.models import Company
from employees.models import EmployeeImport, ImportStatus
from tests.base import client_for
from tests.factories import CompanyFactory


def test_today_page_lists_failed_imports_of_this_pta_only(world):
    with tenant_context(world.pta_a):
        EmployeeImport.objects.create(
            company=world.company_a1, original_name="lonn-nov.csv", status=ImportStatus.FAILED
        )
        EmployeeImport.objects.create(company=world.company_a2, original_name="ok.csv", status=ImportStatus.DONE)
    content = client_for(world.adviser_a).get("/i-dag/").content.decode()
    assert "lonn-nov.csv" in content
    assert "ok.csv" not in content
    assert "lonn-nov.csv" not in client_for(world.adviser_b).get("/i-dag/").content.decode()


def test_today_page_lists_questions_waiting_for_an_answer(world):
    from companies.services import thread_start

    with tenant_context(world.pta_a):
        thread_start(
            company=world.company_a1, subject="Spørsmål", body="Hei!", author=world.contact_a1.user, from_staff=False
        )
    response = client_for(world.adviser_a).get("/i-dag/")
    assert [item.kind for item in response.context["items"]].count("message_unanswered") == 1


def test_today_page_shows_the_advisers_own_companies_with_their_figures_and_a_link_to_all(world):
    with tenant_context(world.pta_a):
        CompanyFactory.create_batch(11, adviser=world.adviser_a.user)
        total = Company.objects.filter(adviser=world.adviser_a.user).count()
    response = client_for(world.adviser_a).get("/i-dag/")
    assert len(response.context["my_companies"]) == 10
    assert response.context["total"] == total and response.context["more_companies"]
    content = response.content.decode()
    assert f'href="/bedrifter/?adviser={world.adviser_a.user.pk}"' in content
    alfa = next(c for c in response.context["my_companies"] if c.name == "Alfa Energi AS")
    assert (alfa.employee_count, alfa.contacts, alfa.agreement_state) == (12, 1, "none")


def test_today_page_starts_with_what_needs_attention(world):
    content = client_for(world.adviser_a).get("/i-dag/").content.decode()
    cards = ["card-attention", "card-my-companies", "card-trend", "card-companies", "card-employees"]
    assert [content.index(f'id="{card}"') for card in cards] == sorted(content.index(f'id="{c}"') for c in cards)


def test_today_page_is_for_staff_only(world):
    assert client_for(world.contact_a1).get("/i-dag/").status_code == 403
