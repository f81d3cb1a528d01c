"""The employee list page: search, filters, sorting, pagination, query count."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from companies.models import Department, Location
from employees.models import Employee, EmployeeStatus
from tests.base import client_for
from tests.employees.helpers import url


def _names(response) -> list[str]:
    return [f"{e.first_name} {e.last_name}" for e in response.context["page"]]


def _add(world, company, n: int, *, start: int = 0) -> None:
    with tenant_context(world.pta_a):
        location = Location.objects.get_or_create(company=company, name="Lager")[0]
        department = Department.objects.get_or_create(company=company, name="Drift")[0]
        Employee.objects.bulk_create(
            Employee(
                company=company,
                first_name=f"Person{i}",
                last_name=f"Etternavn{i:04d}",
                email=f"p{i}@firma.no",
                employee_number=f"N{i}",
                location=location,
                department=department,
            )
            for i in range(start, start + n)
        )


def test_list_shows_the_companys_employees(world):
    response = client_for(world.adviser_a).get(url("list", world.company_a1.pk))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 12
    assert "Beta" not in "".join(_names(response))  # company A2's employees are not here


def test_search_by_name_email_and_employee_number(world, company):
    with tenant_context(world.pta_a):
        Employee.objects.create(
            company=company, first_name="Kari", last_name="Nordmann", email="kari@delta.no", employee_number="A-17"
        )
        Employee.objects.create(company=company, first_name="Ola", last_name="Hansen", email="ola@delta.no")
    client = client_for(world.adviser_a)
    for query in ("nordm", "Kari Nordmann", "KARI@delta", "a-17"):
        assert _names(client.get(url("list", company.pk), {"q": query})) == ["Kari Nordmann"], query


def test_filters_by_status_location_and_department(world, company):
    with tenant_context(world.pta_a):
        office = Location.objects.get(company=company)
        sales = Department.objects.get(company=company)
        Employee.objects.create(company=company, first_name="Kari", last_name="A", email="a@x.no", location=office)
        Employee.objects.create(company=company, first_name="Ola", last_name="B", email="b@x.no", department=sales)
        Employee.objects.create(
            company=company, first_name="Per", last_name="C", email="c@x.no", status=EmployeeStatus.LEFT
        )
    client = client_for(world.adviser_a)
    assert _names(client.get(url("list", company.pk), {"location": office.pk})) == ["Kari A"]
    assert _names(client.get(url("list", company.pk), {"department": sales.pk})) == ["Ola B"]
    assert _names(client.get(url("list", company.pk), {"status": "left"})) == ["Per C"]
    assert len(_names(client.get(url("list", company.pk), {"status": "nonsense", "location": "x"}))) == 3


def test_sorting_by_whitelisted_columns_only(world, company):
    with tenant_context(world.pta_a):
        Employee.objects.create(company=company, first_name="Kari", last_name="Berg", email="z@x.no")
        Employee.objects.create(company=company, first_name="Ola", last_name="Aas", email="y@x.no")
    client = client_for(world.adviser_a)
    assert _names(client.get(url("list", company.pk))) == ["Ola Aas", "Kari Berg"]
    response = client.get(url("list", company.pk), {"sort": "email"})
    assert _names(response) == ["Ola Aas", "Kari Berg"]
    assert _names(client.get(url("list", company.pk), {"sort": "-name"})) == ["Kari Berg", "Ola Aas"]
    # Anything else (e.g. a field name an attacker guesses) falls back to the name.
    response = client.get(url("list", company.pk), {"sort": "company__org_number"})
    assert response.status_code == 200 and response.context["sort"] == "name"
    assert 'aria-sort="ascending"' in response.content.decode()


def test_pagination_is_100_per_page(world, company):
    _add(world, company, 150)
    client = client_for(world.adviser_a)
    first = client.get(url("list", company.pk))
    assert len(first.context["page"]) == 100
    second = client.get(url("list", company.pk), {"page": 2})
    assert len(second.context["page"]) == 50


def test_htmx_search_returns_only_the_results(world):
    response = client_for(world.adviser_a).get(url("list", world.company_a1.pk), {"q": "x"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'id="employee-results"' in content and "<html" not in content


def test_query_count_does_not_grow_with_the_number_of_employees(world, company):
    client = client_for(world.contact_a1)
    _add(world, company, 10)
    client.get(url("list", company.pk))  # warm up session and caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(url("list", company.pk))
    assert len(response.context["page"]) == 10
    _add(world, company, 50, start=10)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url("list", company.pk))
    assert len(response.context["page"]) == 60
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]
