"""Min side's "What to do next" (config.views.minside_next_steps_card): steps
derived from the company's state, each gone once it is done, and only ever
about the contact person's own company."""

from __future__ import annotations

from datetime import timedelta

from django_tenants.utils import tenant_context

from companies import services as company_services
from companies.models import Agreement, ContactPerson
from core.dates import today
from employees.models import EmployeeImport, ImportStatus
from tenants.models import Role
from tenants.signals import SESSION_TENANT_KEY
from tests.base import HOST_A, Persona, client_for
from tests.factories import CompanyFactory, ContactPersonFactory, contact_user


def card(world, company) -> str:
    return f"/min-side/{company.pk}/kort/neste-steg/"


def steps(persona, path: str) -> dict:
    response = client_for(persona).get(path)
    assert response.status_code == 200
    return {step.kind: step for step in response.context["steps"]}


def test_company_without_employees_is_asked_for_its_employee_list(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(name="Tom Liste AS")
        user = contact_user(world.pta_a, [company])
    response = client_for(Persona(user=user, host=HOST_A, role=Role.CONTACT)).get(card(world, company))
    kinds = {step.kind for step in response.context["steps"]}
    assert "employee_list_missing" in kinds
    [step] = [s for s in response.context["steps"] if s.kind == "employee_list_missing"]
    assert step.url == f"/bedrifter/{company.pk}/ansatte/import/"


def test_an_import_waiting_for_confirmation_is_the_next_step_until_it_is_confirmed(world):
    with tenant_context(world.pta_a):
        waiting = EmployeeImport.objects.create(
            company=world.company_a1, original_name="ansatte-des.csv", status=ImportStatus.PREVIEWED
        )
    found = steps(world.contact_a1, card(world, world.company_a1))
    assert "ansatte-des.csv" in found["employee_import_unconfirmed"].title
    assert found["employee_import_unconfirmed"].url == (
        f"/bedrifter/{world.company_a1.pk}/ansatte/import/{waiting.pk}/"
    )
    with tenant_context(world.pta_a):
        EmployeeImport.objects.filter(pk=waiting.pk).update(status=ImportStatus.DONE)
    assert "employee_import_unconfirmed" not in steps(world.contact_a1, card(world, world.company_a1))


def test_a_failed_import_asks_for_a_corrected_file(world):
    with tenant_context(world.pta_a):
        EmployeeImport.objects.create(company=world.company_a1, original_name="feil.csv", status=ImportStatus.FAILED)
    assert "employee_import_failed" in steps(world.contact_a1, card(world, world.company_a1))


def test_contact_person_who_may_not_edit_the_list_gets_no_list_steps(world):
    with tenant_context(world.pta_a):
        EmployeeImport.objects.create(
            company=world.company_a1, original_name="ansatte.csv", status=ImportStatus.PREVIEWED
        )
        ContactPerson.objects.filter(user=world.contact_a1.user).update(can_edit_employees=False)
    assert not {k for k in steps(world.contact_a1, card(world, world.company_a1)) if k.startswith("employee")}


def test_an_unread_message_from_the_pta_is_a_step_until_it_is_read(world):
    with tenant_context(world.pta_a):
        thread = company_services.thread_start(
            company=world.company_a1,
            subject="Ny avtale",
            body="Se vedlegget",
            author=world.adviser_a.user,
            from_staff=True,
        )
    found = steps(world.contact_a1, card(world, world.company_a1))
    assert "Ny avtale" in found["message_unread"].title
    assert found["message_unread"].url == f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/"
    with tenant_context(world.pta_a):
        company_services.thread_mark_read(thread=thread, user=world.contact_a1.user)
    assert "message_unread" not in steps(world.contact_a1, card(world, world.company_a1))


def test_the_only_contact_person_is_asked_for_a_second_one_until_there_is_one(world):
    assert "second_contact" in steps(world.contact_a1, card(world, world.company_a1))
    with tenant_context(world.pta_a):
        ContactPersonFactory(company=world.company_a1)
    assert "second_contact" not in steps(world.contact_a1, card(world, world.company_a1))


def test_an_agreement_ending_soon_is_a_step(world):
    with tenant_context(world.pta_a):
        Agreement.objects.create(company=world.company_a1, end_date=today() + timedelta(days=20))
    assert "agreement_ending" in steps(world.contact_a1, card(world, world.company_a1))


def test_min_side_shows_the_next_steps_first(world):
    content = client_for(world.contact_a1).get("/min-side/").content.decode()
    assert content.index('id="card-next-steps"') < content.index('id="company-heading"')


# --- Only one's own company ----------------------------------------------------------------


def test_contact_person_of_another_company_gets_404_for_the_steps(world):
    with tenant_context(world.pta_a):
        EmployeeImport.objects.create(
            company=world.company_a1, original_name="hemmelig.csv", status=ImportStatus.PREVIEWED
        )
    response = client_for(world.contact_a2).get(card(world, world.company_a1))
    assert response.status_code == 404
    assert "hemmelig.csv" not in client_for(world.contact_a2).get("/min-side/").content.decode()


def test_contact_person_of_another_pta_gets_403_for_the_steps(world):
    """Signed in on PTA A's host (no membership there): refused, whatever the id."""
    client = client_for(world.contact_b1)
    session = client.session
    session[SESSION_TENANT_KEY] = world.pta_a.schema_name
    session.save()
    response = client.get(card(world, world.company_a1), HTTP_HOST=HOST_A)
    assert response.status_code == 403


def test_on_its_own_host_another_ptas_contact_person_reaches_only_its_own_company(world):
    with tenant_context(world.pta_b):
        other = CompanyFactory(name="Ikke Din AS")
    response = client_for(world.contact_b1).get(card(world, other))
    assert response.status_code == 404
    assert client_for(world.contact_b1).get(card(world, world.company_b1)).status_code == 200


def test_staff_and_anonymous_get_no_steps(world):
    assert client_for(world.adviser_a).get(card(world, world.company_a1)).status_code == 403
    response = client_for(None, HOST_A).get(card(world, world.company_a1))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
