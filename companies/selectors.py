from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from companies.models import Company, CompanyStatus


def company_choices() -> list[tuple[int, str]]:
    return [(c.pk, f"{c.name} ({c.org_number})") for c in Company.objects.only("pk", "name", "org_number")]


def company_list(*, search: str = "", status: str = "") -> QuerySet[Company]:
    companies = Company.objects.annotate(
        employee_count=Count("employees", filter=~Q(employees__status="left"))
    ).order_by("name")
    if search:
        companies = companies.filter(Q(name__icontains=search) | Q(org_number__startswith=search.replace(" ", "")))
    if status in CompanyStatus.values:
        companies = companies.filter(status=status)
    return companies


def companies_for_contact(*, user) -> QuerySet[Company]:
    """Only the companies this contact person is named for; every Min side view goes through here."""
    return company_list().filter(contact_persons__user=user)


def staff_start_figures(*, user) -> dict:
    by_status = dict(Company.objects.values_list("status").annotate(n=Count("pk")).order_by())
    employees = Company.objects.aggregate(n=Count("employees", filter=~Q(employees__status="left")))["n"]
    return {
        "status_counts": [(label, by_status.get(value, 0)) for value, label in CompanyStatus.choices],
        "employee_count": employees,
        "my_companies": company_list().filter(adviser=user)[:20],
    }
