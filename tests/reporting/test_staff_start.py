from __future__ import annotations

from django_tenants.utils import tenant_context

from employees.models import EmployeeImport, ImportStatus
from tests.base import client_for


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


def test_today_page_counts_unread_conversations(world):
    from companies.services import thread_start

    with tenant_context(world.pta_a):
        thread_start(
            company=world.company_a1, subject="Spørsmål", body="Hei!", author=world.contact_a1.user, from_staff=False
        )
    response = client_for(world.adviser_a).get("/i-dag/")
    assert response.context["unread_threads"] == 1


def test_today_page_is_for_staff_only(world):
    assert client_for(world.contact_a1).get("/i-dag/").status_code == 403
