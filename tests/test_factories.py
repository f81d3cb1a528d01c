"""The factories of tests.factories build sane rows in a PTA's schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from stdnum.no import orgnr

from companies.models import Company, ContactPerson, Department, Location
from employees.models import Employee
from tenants.models import Membership, Role, User
from tests.base import PASSWORD
from tests.factories import (
    CompanyFactory,
    ContactPersonFactory,
    DepartmentFactory,
    EmployeeFactory,
    LocationFactory,
    MembershipFactory,
    UserFactory,
    contact_user,
    org_number,
    staff_user,
    user_with_role,
)


def test_generated_org_numbers_are_valid_and_unique():
    numbers = [org_number(n) for n in range(2000)]
    assert all(orgnr.is_valid(number) and len(number) == 9 for number in numbers)
    assert len(set(numbers)) == len(numbers)


def test_user_and_membership(world):
    user = UserFactory()
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    assert user.email.endswith("@factory.test.no") and user.is_active
    membership = MembershipFactory(tenant=world.pta_a)
    assert membership.role == Role.ADVISER and membership.user.pk
    assert Membership.objects.filter(tenant=world.pta_a, user=membership.user).count() == 1


def test_company_location_department_contact_and_employee_in_pta_a(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        other = CompanyFactory()
        location = LocationFactory(company=company)
        department = DepartmentFactory(company=company)
        contact = ContactPersonFactory(company=company)
        employee = EmployeeFactory(company=company, location=location, department=department)
        employee.full_clean()

        assert connection.schema_name == world.pta_a.schema_name
        saved = Company.objects.get(pk=company.pk)
        assert orgnr.is_valid(saved.org_number) and saved.org_number != other.org_number
        assert Location.objects.get(pk=location.pk).company_id == company.pk
        assert Department.objects.get(pk=department.pk).company_id == company.pk
        assert ContactPerson.objects.get(pk=contact.pk).can_edit_employees
        saved_employee = Employee.objects.select_related("location", "department").get(pk=employee.pk)
        assert saved_employee.company_id == company.pk
        assert saved_employee.location.company_id == company.pk
        assert saved_employee.department.company_id == company.pk
        assert saved_employee.status == "active" and saved_employee.employee_number
    # Nothing of it is visible from PTA B's schema.
    with tenant_context(world.pta_b):
        assert not Company.objects.filter(org_number=company.org_number).exists()


def test_employee_factory_builds_its_company_and_batches(world):
    with tenant_context(world.pta_a):
        employees = EmployeeFactory.create_batch(3, company=CompanyFactory())
        assert len({e.company_id for e in employees}) == 1
        assert len({e.employee_number for e in employees}) == 3
        lone = EmployeeFactory()
        assert Company.objects.filter(pk=lone.company_id).exists()


def test_users_with_each_role(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        contact = contact_user(world.pta_a, [company, world.company_a1])
        assert set(ContactPerson.objects.filter(user=contact).values_list("company_id", flat=True)) == {
            company.pk,
            world.company_a1.pk,
        }
    adviser = staff_user(world.pta_a)
    admin = staff_user(world.pta_b, admin=True)
    coordinator = user_with_role(world.national, Role.COORDINATOR)
    assert Membership.objects.get(user=contact).role == Role.CONTACT
    assert Membership.objects.get(user=adviser, tenant=world.pta_a).role == Role.ADVISER
    assert Membership.objects.get(user=admin, tenant=world.pta_b).role == Role.PTA_ADMIN
    assert Membership.objects.get(user=coordinator, tenant=world.national).role == Role.COORDINATOR
    with pytest.raises(ValueError):
        user_with_role(world.pta_a, Role.ADVISER, [world.company_a1])


def test_tenant_factories_refuse_the_public_schema(world):
    with pytest.raises(RuntimeError, match="tenant_context"):
        CompanyFactory()
