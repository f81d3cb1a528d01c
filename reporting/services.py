from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from companies.models import Company, CompanyStatus, ContactPerson
from employees.models import Employee, EmployeeStatus
from tenants.models import RegionStats


def region_stats_refresh() -> RegionStats:
    """Write this tenant's aggregate counts to the public RegionStats table.

    Runs in the tenant's schema (the public table is reachable through the
    search path). Only counts cross into the public schema, never people.
    """
    tenant = connection.tenant
    companies = Company.objects.aggregate(total=Count("pk"), members=Count("pk", filter=Q(status=CompanyStatus.MEMBER)))
    stats, _ = RegionStats.objects.update_or_create(
        tenant_id=tenant.pk,
        defaults={
            "companies": companies["total"],
            "member_companies": companies["members"],
            "employees": Employee.objects.exclude(status=EmployeeStatus.LEFT).count(),
            "contact_persons": ContactPerson.objects.values("user_id").distinct().count(),
            "refreshed_at": timezone.now(),
        },
    )
    return stats
