"""A contact person imports a payroll export through the browser: upload,
preview, confirm, result, with axe-core on every page."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from employees.models import Employee, EmployeeImport
from tests.base import HOST_A
from tests.browser.conftest import check_accessibility, sign_in

pytestmark = pytest.mark.browser

PAYROLL_EXPORT = (
    "Ansattnr;Fornavn;Etternavn;E-post;Mobil;Startdato\n"
    "B-901;Åse;Øvrebø;ase.ovrebo@alfa.no;912 34 567;01.03.2024\n"
    "B-902;Pål;Lærum;pal.larum@alfa.no;+47 934 56 789;15.08.2025\n"
).encode("cp1252")


def test_contact_person_imports_employee_file_in_the_browser(browser, live_server_port, committed_world, tmp_path):
    contact = committed_world.contact_a1
    company = committed_world.company_a1
    base = f"http://{HOST_A}:{live_server_port}"
    export = tmp_path / "lonnseksport.csv"
    export.write_bytes(PAYROLL_EXPORT)
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    try:
        sign_in(page, base, contact.email)
        page.goto(f"{base}/bedrifter/{company.pk}/ansatte/import/")
        check_accessibility(page, "contact-import-upload")
        page.locator("main input[type=file]").set_input_files(str(export))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"{base}/bedrifter/{company.pk}/ansatte/import/*/")
        assert "Åse" in page.content() and "Pål" in page.content()
        check_accessibility(page, "contact-import-preview")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"{base}/bedrifter/{company.pk}/ansatte/import/*/resultat/")
        page.wait_for_function("() => !document.querySelector('[hx-trigger*=every]')", timeout=30000)
        check_accessibility(page, "contact-import-result")
        with tenant_context(committed_world.pta_a):
            imported = Employee.objects.filter(company=company, employee_number__in=["B-901", "B-902"])
            assert sorted(imported.values_list("mobile", flat=True)) == ["+4791234567", "+4793456789"]
    finally:
        context.close()
        with tenant_context(committed_world.pta_a):
            Employee.objects.filter(company=company, employee_number__in=["B-901", "B-902"]).delete()
            EmployeeImport.objects.filter(company=company).delete()
