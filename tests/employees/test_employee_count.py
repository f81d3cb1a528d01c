"""companies.Company.employee_count is kept by the employees table's triggers,
whatever writes the rows: the ORM one by one, bulk writes, the set-based import."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from companies.models import Company
from employees import services
from employees.models import Employee, EmployeeStatus
from tests.base import client_for
from tests.employees.helpers import ROWS, csv_bytes, upload
from tests.factories import CompanyFactory, EmployeeFactory


def _count(company: Company) -> int:
    return Company.objects.values_list("employee_count", flat=True).get(pk=company.pk)


def test_count_follows_adds_leavers_and_removals(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        first, second, third = EmployeeFactory.create_batch(3, company=company)
        assert _count(company) == 3
        services.employee_set_status(employee=first, status=EmployeeStatus.LEFT)
        assert _count(company) == 2
        services.employee_set_status(employee=first, status=EmployeeStatus.ACTIVE)
        services.employee_set_status(employee=second, status=EmployeeStatus.ON_LEAVE)
        assert _count(company) == 3  # on leave is still on the list
        services.employee_delete(employee=third)
        assert _count(company) == 2
        Employee.objects.filter(company=company).update(status=EmployeeStatus.LEFT)
        assert _count(company) == 0


def test_moving_employees_recounts_both_companies(world):
    with tenant_context(world.pta_a):
        old, new = CompanyFactory(), CompanyFactory()
        EmployeeFactory.create_batch(2, company=old)
        Employee.objects.filter(company=old).update(company=new)
        assert (_count(old), _count(new)) == (0, 2)


def test_set_based_import_keeps_the_count(world, company):
    upload(client_for(world.adviser_a), company, csv_bytes(ROWS))
    with tenant_context(world.pta_a):
        from employees.models import EmployeeImport

        services.employee_import_confirm(employee_import=EmployeeImport.objects.get(company=company))
        assert _count(company) == len(ROWS)


def test_company_list_sorts_by_the_kept_count(world):
    with tenant_context(world.pta_a):
        many, few = CompanyFactory(name="Mange Ansatte AS"), CompanyFactory(name="Få Ansatte AS")
        EmployeeFactory.create_batch(30, company=many)
        EmployeeFactory.create_batch(1, company=few)
    page = client_for(world.adviser_a).get("/bedrifter/?sort=-employee_count").context["page"]
    names = [c.name for c in page]
    assert names.index("Mange Ansatte AS") < names.index("Alfa Energi AS") < names.index("Få Ansatte AS")
    assert [c.employee_count for c in page][:1] == [30]
