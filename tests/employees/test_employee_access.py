"""Who may reach the employee pages: the permission matrix for every view."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from companies.models import ContactPerson
from employees.models import Employee, EmployeeImport
from tests.base import HOST_A, client_for
from tests.employees.helpers import ROWS, csv_bytes, upload, url


def _pages(company_pk: int, employee_pk: int, import_pk: int) -> list[tuple[str, str]]:
    return [
        ("get", url("list", company_pk)),
        ("get", url("create", company_pk)),
        ("get", url("edit", company_pk, employee_pk)),
        ("post", url("status", company_pk, employee_pk)),
        ("get", url("delete", company_pk, employee_pk)),
        ("post", url("export", company_pk, "csv")),
        ("post", url("export", company_pk, "xlsx")),
        ("get", url("import_upload", company_pk)),
        ("get", url("import_mapping", company_pk, import_pk)),
        ("get", url("import_preview", company_pk, import_pk)),
        ("post", url("import_confirm", company_pk, import_pk)),
        ("get", url("import_progress", company_pk, import_pk)),
    ]


@pytest.fixture
def a2_objects(world):
    """An employee and a previewed import of company A2 (contact_a2's company), one row without errors
    (its location and department are created when it runs), so confirming it runs it."""
    upload(client_for(world.contact_a2), world.company_a2, csv_bytes(ROWS[:1]), create_missing=True)
    with tenant_context(world.pta_a):
        employee = Employee.objects.filter(company=world.company_a2).first()
        employee_import = EmployeeImport.objects.get(company=world.company_a2)
        assert employee_import.status == "previewed" and employee_import.error_count == 0
    return employee, employee_import


def _every_request(company_pk: int, employee_pk: int, import_pk: int) -> list[tuple[str, str, dict, int, str]]:
    """(method, path, form data, status, redirect target) for each page and method, in an order that
    leaves the writes (confirming the import, deleting the employee) until the pages that need them are done."""
    c, e, i = company_pk, employee_pk, import_pk
    return [
        ("get", url("list", c), {}, 200, ""),
        ("post", url("list", c), {}, 405, ""),
        ("get", url("create", c), {}, 200, ""),
        ("post", url("create", c), {}, 200, ""),  # the empty form again, with its errors
        ("get", url("edit", c, e), {}, 200, ""),
        ("post", url("edit", c, e), {}, 200, ""),  # the empty form again, with its errors
        ("get", url("status", c, e), {}, 405, ""),
        ("post", url("status", c, e), {"status-status": "on_leave"}, 302, url("edit", c, e)),
        ("get", url("delete", c, e), {}, 200, ""),
        ("post", url("export", c, "csv"), {}, 200, ""),
        ("post", url("export", c, "xlsx"), {}, 200, ""),
        ("post", url("export", c, "pdf"), {}, 404, ""),
        ("get", url("export", c, "csv"), {}, 405, ""),
        ("get", url("import_upload", c), {}, 200, ""),
        ("post", url("import_upload", c), {}, 200, ""),  # no file: the form again, with its error
        # The import is previewed: its columns may still be changed.
        ("get", url("import_mapping", c, i), {}, 200, ""),
        ("post", url("import_mapping", c, i), {}, 200, ""),  # no column chosen: the form again, with errors
        ("get", url("import_preview", c, i), {}, 200, ""),
        ("post", url("import_preview", c, i), {}, 405, ""),
        # Not confirmed yet: the result page sends back to the preview.
        ("get", url("import_progress", c, i), {}, 302, url("import_preview", c, i)),
        ("get", url("import_confirm", c, i), {}, 405, ""),
        # One row: it runs at once.
        ("post", url("import_confirm", c, i), {}, 302, url("import_progress", c, i)),
        ("get", url("import_progress", c, i), {}, 200, ""),
        ("post", url("import_progress", c, i), {}, 405, ""),
        # Once it has run, its columns, preview and confirming send to the result.
        ("get", url("import_mapping", c, i), {}, 302, url("import_progress", c, i)),
        ("post", url("import_mapping", c, i), {}, 302, url("import_progress", c, i)),
        ("get", url("import_preview", c, i), {}, 302, url("import_progress", c, i)),
        ("post", url("import_confirm", c, i), {}, 302, url("import_progress", c, i)),
        ("post", url("delete", c, e), {}, 200, ""),  # no confirmation: the confirmation page again
        ("post", url("delete", c, e), {"confirm": "yes"}, 302, url("list", c)),
        ("get", url("edit", c, e), {}, 404, ""),  # deleted
    ]


@pytest.mark.parametrize("persona", ["adviser_a", "admin_a", "contact_a2"])
def test_staff_and_contact_person_with_the_right_reach_every_page(world, a2_objects, persona):
    employee, employee_import = a2_objects
    client = client_for(getattr(world, persona))
    requests = _every_request(world.company_a2.pk, employee.pk, employee_import.pk)
    # Every page of _pages is in it, with the method the other tests use.
    assert set(_pages(world.company_a2.pk, employee.pk, employee_import.pk)) <= {(m, p) for m, p, *_ in requests}
    for method, path, data, status, target in requests:
        response = getattr(client, method)(path, data)
        assert response.status_code == status, (method, path, response.status_code, response.get("Location"))
        if target:
            assert response["Location"] == target, (method, path)


def test_contact_person_of_another_company_gets_404_everywhere(world, a2_objects):
    employee, employee_import = a2_objects
    client = client_for(world.contact_a1)
    for method, path in _pages(world.company_a2.pk, employee.pk, employee_import.pk):
        assert getattr(client, method)(path).status_code == 404, path


def test_urls_mixing_own_company_with_another_companys_employee_or_import_are_404(world, a2_objects):
    employee, employee_import = a2_objects
    client = client_for(world.contact_a1)
    own = world.company_a1.pk
    assert client.get(url("edit", own, employee.pk)).status_code == 404
    response = client.post(url("edit", own, employee.pk), {"first_name": "Hacked", "last_name": "X"})
    assert response.status_code == 404
    assert client.post(url("status", own, employee.pk), {"status-status": "left"}).status_code == 404
    assert client.post(url("delete", own, employee.pk), {"confirm": "yes"}).status_code == 404
    assert client.post(url("import_confirm", own, employee_import.pk)).status_code == 404
    assert client.get(url("import_preview", own, employee_import.pk)).status_code == 404
    with tenant_context(world.pta_a):
        employee.refresh_from_db()
        assert employee.first_name != "Hacked" and employee.status == "active"
        assert EmployeeImport.objects.get(pk=employee_import.pk).status == "previewed"


def test_contact_person_without_the_right_gets_403(world, a2_objects):
    employee, employee_import = a2_objects
    with tenant_context(world.pta_a):
        ContactPerson.objects.filter(user=world.contact_a2.user).update(can_edit_employees=False)
    client = client_for(world.contact_a2)
    for method, path in _pages(world.company_a2.pk, employee.pk, employee_import.pk):
        assert getattr(client, method)(path).status_code == 403, path


def test_adviser_of_another_pta_finds_nothing_with_pta_a_ids(world, a2_objects):
    employee, employee_import = a2_objects
    client = client_for(world.adviser_b)
    # Company A2's id does not exist in PTA B's schema.
    for method, path in _pages(world.company_a2.pk, employee.pk, employee_import.pk):
        assert getattr(client, method)(path).status_code == 404, path
    # Nor do PTA A's employee ids under PTA B's own company.
    with tenant_context(world.pta_b):
        assert not Employee.objects.filter(pk=employee.pk).exists()
    assert client.get(url("edit", world.company_b1.pk, employee.pk)).status_code == 404


def test_adviser_session_carried_to_another_ptas_host_is_anonymous(world):
    response = client_for(world.adviser_b).get(url("list", world.company_a1.pk), HTTP_HOST=HOST_A)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_is_sent_to_login(world, a2_objects):
    employee, employee_import = a2_objects
    client = client_for(None, HOST_A)
    for method, path in _pages(world.company_a2.pk, employee.pk, employee_import.pk):
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")


def test_wrong_http_method_gets_405(world, a2_objects):
    employee, employee_import = a2_objects
    client = client_for(world.adviser_a)
    company = world.company_a2.pk
    assert client.post(url("list", company)).status_code == 405
    assert client.get(url("status", company, employee.pk)).status_code == 405
    assert client.get(url("export", company, "csv")).status_code == 405
    assert client.post(url("import_preview", company, employee_import.pk)).status_code == 405
    assert client.get(url("import_confirm", company, employee_import.pk)).status_code == 405
    assert client.post(url("import_progress", company, employee_import.pk)).status_code == 405
    assert client.put(url("create", company)).status_code == 405
