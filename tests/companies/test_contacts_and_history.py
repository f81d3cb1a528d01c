from __future__ import annotations

from django.core import mail
from django_tenants.utils import tenant_context

from companies.models import Company, ContactPerson
from tenants.models import Invitation, Membership, Role, User
from tests.base import HOST_A, PASSWORD, client_for


def test_adviser_invites_new_contact_person_with_chosen_rights(world, django_capture_on_commit_callbacks):
    client = client_for(world.adviser_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/bedrifter/{world.company_a2.pk}/kontaktpersoner/",
            {"email": "hr@betabygg.no", "can_edit_employees": "on"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="hr@betabygg.no")
    assert invitation.company_ids == [world.company_a2.pk]
    assert invitation.contact_rights == {
        "can_edit_employees": True,
        "can_approve_tickets": False,
        "can_see_invoices": False,
    }
    assert mail.outbox[-1].to == ["hr@betabygg.no"]
    token = mail.outbox[-1].body.split("/invitasjon/")[1].split("/")[0]
    from django.test import Client

    Client(HTTP_HOST=HOST_A).post(
        f"/invitasjon/{token}/",
        {"first_name": "Hanne", "last_name": "R", "password1": PASSWORD, "password2": PASSWORD},
    )
    user = User.objects.get(email="hr@betabygg.no")
    with tenant_context(world.pta_a):
        contact = ContactPerson.objects.get(user=user)
        assert (contact.company_id, contact.can_edit_employees, contact.can_see_invoices) == (
            world.company_a2.pk,
            True,
            False,
        )


def test_existing_contact_person_is_linked_to_a_second_company_at_once(world):
    client = client_for(world.adviser_a)
    response = client.post(
        f"/bedrifter/{world.company_a2.pk}/kontaktpersoner/",
        {"email": world.contact_a1.email, "can_see_invoices": "on"},
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        assert ContactPerson.objects.filter(user=world.contact_a1.user).count() == 2
    # ...and Min side now offers both companies.
    minside = client_for(world.contact_a1).get(f"/min-side/?company={world.company_a2.pk}")
    assert minside.context["company"].pk == world.company_a2.pk


def test_staff_cannot_be_made_contact_person(world):
    response = client_for(world.adviser_a).post(
        f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/", {"email": world.admin_a.email}
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_changing_rights_takes_effect_at_once(world):
    with tenant_context(world.pta_a):
        contact = ContactPerson.objects.get(user=world.contact_a1.user)
    contact_client = client_for(world.contact_a1)
    assert contact_client.get(f"/bedrifter/{world.company_a1.pk}/ansatte/").status_code == 200
    client_for(world.adviser_a).post(f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{contact.pk}/rettigheter/", {})
    assert contact_client.get(f"/bedrifter/{world.company_a1.pk}/ansatte/").status_code == 403


def test_removing_contact_person_revokes_access_at_once(world):
    with tenant_context(world.pta_a):
        contact = ContactPerson.objects.get(user=world.contact_a1.user)
    contact_client = client_for(world.contact_a1)
    assert contact_client.get("/min-side/").status_code == 200
    client_for(world.adviser_a).post(
        f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{contact.pk}/fjern/", {"confirm": "yes"}
    )
    assert contact_client.get("/min-side/").status_code == 403
    assert not Membership.objects.filter(user=world.contact_a1.user, role=Role.CONTACT).exists()


def test_rights_of_another_companys_contact_cannot_be_changed_through_this_company(world):
    with tenant_context(world.pta_a):
        other = ContactPerson.objects.get(user=world.contact_a2.user)
    response = client_for(world.adviser_a).post(f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{other.pk}/fjern/")
    assert response.status_code == 404


def test_contact_person_min_side_shows_only_own_company(world):
    response = client_for(world.contact_a1).get("/min-side/")
    assert response.context["company"].pk == world.company_a1.pk
    assert [c.pk for c in response.context["companies"]] == [world.company_a1.pk]
    assert client_for(world.contact_a1).get(f"/min-side/?company={world.company_a2.pk}").status_code == 404


def test_history_records_who_changed_what(world):
    client = client_for(world.adviser_a)
    client.post(
        f"/bedrifter/{world.company_a1.pk}/rediger/",
        {"org_number": world.company_a1.org_number, "name": "Alfa Energi Nord AS", "municipality": "Sola"},
    )
    response = client.get(f"/bedrifter/{world.company_a1.pk}/historikk/")
    rows = response.context["rows"]
    change = next(r for r in rows if r["model"] == "Company" and r["label"] == "update")
    assert change["who"] == world.adviser_a.user
    assert ("name", "Alfa Energi AS", "Alfa Energi Nord AS") in change["changes"]
    assert ("municipality", "Stavanger", "Sola") in change["changes"]
    with tenant_context(world.pta_a):
        assert Company.objects.get(pk=world.company_a1.pk).name == "Alfa Energi Nord AS"


def test_history_includes_contact_person_and_employee_changes(world):
    with tenant_context(world.pta_a):
        contact = ContactPerson.objects.get(user=world.contact_a1.user)
    client = client_for(world.adviser_a)
    client.post(
        f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{contact.pk}/rettigheter/", {"can_see_invoices": "on"}
    )
    rows = client.get(f"/bedrifter/{world.company_a1.pk}/historikk/").context["rows"]
    rights = next(r for r in rows if r["model"] == "ContactPerson" and r["label"] == "update")
    assert ("can_edit_employees", True, False) in rights["changes"]
    assert any(r["model"] == "Employee" for r in rows)  # the personas' employees were inserted


def test_history_rows_say_what_they_are_about_not_an_id(world):
    """A contact person by the person's name, an agreement by its period."""
    with tenant_context(world.pta_a):
        contact = ContactPerson.objects.get(user=world.contact_a1.user)
    client = client_for(world.adviser_a)
    client.post(f"/bedrifter/{world.company_a1.pk}/kontaktpersoner/{contact.pk}/rettigheter/", {})
    client.post(
        f"/bedrifter/{world.company_a1.pk}/avtale/",
        {"start_date": "2025-01-01", "end_date": "2025-12-31", "invoice_grouping": "company"},
    )
    response = client.get(f"/bedrifter/{world.company_a1.pk}/historikk/")
    rows = response.context["rows"]
    rights = next(r for r in rows if r["model"] == "ContactPerson" and r["label"] == "update")
    assert rights["object"] == str(world.contact_a1.user)
    agreement = next(r for r in rows if r["model"] == "Agreement" and r["label"] == "insert")
    assert agreement["object"] == "01.01.2025 – 31.12.2025"
    content = response.content.decode()
    assert "Kontaktperson: Kontakt1" in content and "Avtale: 01.01.2025 – 31.12.2025" in content
    assert "Avtale: #" not in content and "Kontaktperson: #" not in content


def test_history_shows_people_by_name_and_fields_by_label(world):
    client = client_for(world.adviser_a)
    client.post(
        f"/bedrifter/{world.company_a1.pk}/rediger/",
        {"org_number": world.company_a1.org_number, "name": "Alfa Energi AS", "adviser": world.admin_a.user.pk},
    )
    response = client.get(f"/bedrifter/{world.company_a1.pk}/historikk/")
    change = next(r for r in response.context["rows"] if r["model"] == "Company" and r["label"] == "update")
    assert ("Ansvarlig rådgiver", str(world.adviser_a.user), str(world.admin_a.user)) in change["shown_changes"]
    content = response.content.decode()
    assert f"<td>{world.adviser_a.user}</td>" in content  # who: by name
    assert world.adviser_a.email not in content.split("<main")[1]  # not by address (the header has it as a title)
    assert "adviser_id" not in content
    assert '<th scope="col">Endring</th>' in content  # the column, not the language button's "Bytt"
