from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from companies.permissions import company_member_required, get_company_for_user


@company_member_required
@require_GET
def employee_list(request, company_pk: int):
    company = get_company_for_user(request, company_pk, right="can_edit_employees")
    employees = company.employees.select_related("location", "department")
    page = Paginator(employees, 100).get_page(request.GET.get("page"))
    return render(request, "employees/employee_list.html", {"company": company, "page": page, "tab": "employees"})
