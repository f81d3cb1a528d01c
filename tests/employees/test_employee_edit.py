"""Adding, editing, removing employees and recording joiners and leavers."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from companies.models import Location
from employees import services
from employees.models import Employee, EmployeeStatus
from tests.base import client_for
from tests.employees.helpers import url

VALID = {
    "first_name": "Kari",
    "last_name": "Nordmann",
    "email": "Kari.Nordmann@Delta.no",
    "mobile": "912 34 567",
    "employee_number": "101",
    "start_date": "2024-01-15",
    "end_date": "",
    "preferred_language": "nb",
}


def _employees(world, company):
    with tenant_context(world.pta_a):
        return list(Employee.objects.filter(company=company))


def test_adding_an_employee_normalises_email_and_mobile(world, company):
    response = client_for(world.contact_a1).post(url("create", company.pk), VALID)
    assert response.status_code == 302
    [kari] = _employees(world, company)
    assert (kari.email, kari.mobile, kari.start_date) == ("kari.nordmann@delta.no", "+4791234567", date(2024, 1, 15))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", ""),
        ("last_name", ""),
        ("email", "kari@"),
        ("mobile", "12"),
        ("end_date", "2023-01-01"),  # before the start date
        ("employee_number", "15108695088"),  # a national identity number
    ],
)
def test_invalid_employee_is_refused_and_nothing_is_written(world, company, field, value):
    response = client_for(world.adviser_a).post(url("create", company.pk), {**VALID, field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _employees(world, company) == []


def test_employee_number_must_be_unique_within_the_company_only(world, company):
    with tenant_context(world.pta_a):
        Employee.objects.create(company=company, first_name="Ola", last_name="Hansen", employee_number="101")
    client = client_for(world.adviser_a)
    response = client.post(url("create", company.pk), VALID)
    assert "employee_number" in response.context["form"].errors
    # The same number in another company is fine.
    assert client.post(url("create", world.company_a1.pk), VALID).status_code == 302


def test_location_of_another_company_is_refused(world, company):
    with tenant_context(world.pta_a):
        foreign = Location.objects.create(company=world.company_a2, name="Fremmed")
    response = client_for(world.contact_a1).post(url("create", company.pk), {**VALID, "location": foreign.pk})
    assert response.status_code == 200
    assert "location" in response.context["form"].errors
    assert _employees(world, company) == []


def test_service_refuses_a_location_of_another_company_too(world, company):
    with tenant_context(world.pta_a):
        foreign = Location.objects.create(company=world.company_a2, name="Fremmed")
        with pytest.raises(ValidationError) as exc:
            services.employee_create(company=company, data={"first_name": "A", "last_name": "B", "location": foreign})
        assert "location" in exc.value.message_dict
        assert not Employee.objects.filter(company=company).exists()


def test_editing_an_employee(world, company):
    with tenant_context(world.pta_a):
        kari = Employee.objects.create(company=company, first_name="Kari", last_name="N", employee_number="101")
        office = Location.objects.get(company=company)
    client = client_for(world.adviser_a)
    assert client.get(url("edit", company.pk, kari.pk)).status_code == 200
    response = client.post(url("edit", company.pk, kari.pk), {**VALID, "last_name": "Nordmann", "location": office.pk})
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        kari.refresh_from_db()
    assert (kari.last_name, kari.location_id) == ("Nordmann", office.pk)


def test_removing_an_employee(world, company):
    with tenant_context(world.pta_a):
        kari = Employee.objects.create(company=company, first_name="Kari", last_name="N")
    client = client_for(world.contact_a1)
    assert client.get(url("delete", company.pk, kari.pk)).status_code == 200
    # A POST without the confirmation page's field removes nothing.
    assert client.post(url("delete", company.pk, kari.pk)).status_code == 200
    assert len(_employees(world, company)) == 1
    assert client.post(url("delete", company.pk, kari.pk), {"confirm": "yes"}).status_code == 302
    assert _employees(world, company) == []


def test_marking_a_leaver_records_today_as_end_date_by_default(world, company):
    with tenant_context(world.pta_a):
        kari = Employee.objects.create(company=company, first_name="Kari", last_name="N")
    response = client_for(world.adviser_a).post(url("status", company.pk, kari.pk), {"status-status": "left"})
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        kari.refresh_from_db()
    assert (kari.status, kari.end_date) == (EmployeeStatus.LEFT, services.today())


def test_leave_and_return(world, company):
    with tenant_context(world.pta_a):
        kari = Employee.objects.create(company=company, first_name="Kari", last_name="N")
        services.employee_set_status(
            employee=kari, status=EmployeeStatus.ON_LEAVE, leave_from=date(2026, 3, 1), leave_until=date(2026, 8, 31)
        )
        assert (kari.status, kari.leave_from, kari.leave_until) == ("on_leave", date(2026, 3, 1), date(2026, 8, 31))
        services.employee_set_status(employee=kari, status=EmployeeStatus.LEFT, end_date=date(2026, 9, 30))
        services.employee_set_status(employee=kari, status=EmployeeStatus.ACTIVE)  # rehired
        kari.refresh_from_db()
    assert (kari.status, kari.end_date, kari.leave_from) == ("active", None, None)


def test_leave_that_ends_before_it_starts_is_refused(world, company):
    with tenant_context(world.pta_a):
        kari = Employee.objects.create(company=company, first_name="Kari", last_name="N")
    response = client_for(world.adviser_a).post(
        url("status", company.pk, kari.pk),
        {"status-status": "on_leave", "status-leave_from": "2026-03-01", "status-leave_until": "2026-02-01"},
    )
    assert response.status_code == 200
    assert "leave_until" in response.context["status_form"].errors
    with tenant_context(world.pta_a):
        kari.refresh_from_db()
    assert kari.status == EmployeeStatus.ACTIVE
