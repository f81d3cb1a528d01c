from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from companies.models import Company, ContactPerson, Department, Location


@pytest.fixture(autouse=True)
def _files_in_tmp(media_root):
    """Every employee test keeps its import and export files in a temporary folder (tests/conftest.py)."""
    return media_root


@pytest.fixture
def company(world):
    """A company of PTA A with a location and a department, contact person contact_a1, no employees."""
    with tenant_context(world.pta_a):
        company = Company.objects.create(org_number="986105174", name="Delta Data AS")
        Location.objects.create(company=company, name="Hovedkontor")
        Department.objects.create(company=company, name="Salg")
        ContactPerson.objects.create(user=world.contact_a1.user, company=company)
    return company


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the bokmål catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield
