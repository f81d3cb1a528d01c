"""The "Needs attention" card of "I dag" (config.views.today_attention_card):
every kind of item appears, links to where it is done, and goes away once it
is done; staff see every company of their own PTA, their own first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies import services as company_services
from companies.models import Agreement, CompanyImport, CompanyStatus
from core.attention import Attention
from core.dates import today
from employees.models import EmployeeImport, ImportStatus
from tests.base import HOST_A, client_for
from tests.factories import CompanyFactory, ContactPersonFactory, staff_user

CARD = "/i-dag/kort/oppgaver/"


def items(persona, query: str = "") -> list[Attention]:
    response = client_for(persona).get(CARD + query)
    assert response.status_code == 200
    return response.context["items"]


def kinds_for(persona, company_name: str = "", query: str = "") -> set[str]:
    return {item.kind for item in items(persona, query) if item.company == company_name}


def backdate(model, pk: int, **delta) -> None:
    model.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(**delta))


# --- Each kind appears, and goes when it is done ------------------------------------------


def test_failed_employee_import_needs_attention_until_a_newer_import_replaces_it(world):
    with tenant_context(world.pta_a):
        failed = EmployeeImport.objects.create(
            company=world.company_a1, original_name="lonn-nov.csv", status=ImportStatus.FAILED
        )
    [item] = [i for i in items(world.adviser_a) if i.kind == "employee_import_failed"]
    assert (item.company, item.detail) == ("Alfa Energi AS", "lonn-nov.csv")
    assert item.url == f"/bedrifter/{world.company_a1.pk}/ansatte/import/{failed.pk}/resultat/"
    with tenant_context(world.pta_a):
        EmployeeImport.objects.create(company=world.company_a1, original_name="lonn-des.csv", status=ImportStatus.DONE)
    assert "employee_import_failed" not in kinds_for(world.adviser_a, "Alfa Energi AS")


def test_employee_import_left_unconfirmed_for_an_hour_needs_attention_until_it_is_confirmed(world):
    with tenant_context(world.pta_a):
        waiting = EmployeeImport.objects.create(
            company=world.company_a2, original_name="ansatte.csv", status=ImportStatus.PREVIEWED
        )
    # Someone may be checking the preview right now: not yet.
    assert "employee_import_unconfirmed" not in kinds_for(world.adviser_a, "Beta Bygg AS")
    with tenant_context(world.pta_a):
        backdate(EmployeeImport, waiting.pk, hours=2)
    [item] = [i for i in items(world.adviser_a) if i.kind == "employee_import_unconfirmed"]
    assert item.url == f"/bedrifter/{world.company_a2.pk}/ansatte/import/{waiting.pk}/"
    with tenant_context(world.pta_a):
        EmployeeImport.objects.filter(pk=waiting.pk).update(status=ImportStatus.DONE)
    assert "employee_import_unconfirmed" not in kinds_for(world.adviser_a, "Beta Bygg AS")


def test_company_imports_that_failed_or_wait_need_attention_until_a_newer_one_replaces_them(world):
    with tenant_context(world.pta_a):
        failed = CompanyImport.objects.create(
            original_name="bedrifter.csv", status=ImportStatus.FAILED, created_by=world.adviser_a.user
        )
    [item] = [i for i in items(world.adviser_a) if i.kind == "company_import_failed"]
    assert item.url == f"/bedrifter/import/{failed.pk}/resultat/"
    with tenant_context(world.pta_a):
        waiting = CompanyImport.objects.create(original_name="nye.csv", status=ImportStatus.PREVIEWED)
        backdate(CompanyImport, waiting.pk, minutes=61)
        CompanyImport.objects.filter(pk=failed.pk).update(created_at=timezone.now() - timedelta(hours=3))
    found = {i.kind: i for i in items(world.adviser_a) if i.kind.startswith("company_import")}
    assert set(found) == {"company_import_unconfirmed"}  # the failed one is replaced by the newer upload
    assert found["company_import_unconfirmed"].url == f"/bedrifter/import/{waiting.pk}/"
    with tenant_context(world.pta_a):
        CompanyImport.objects.filter(pk=waiting.pk).update(status=ImportStatus.DONE)
    assert not [i for i in items(world.adviser_a) if i.kind.startswith("company_import")]


def test_question_from_a_contact_person_needs_attention_until_someone_of_the_pta_answers(world):
    with tenant_context(world.pta_a):
        thread = company_services.thread_start(
            company=world.company_a1, subject="Fakturaen", body="Hei?", author=world.contact_a1.user, from_staff=False
        )
    [item] = [i for i in items(world.adviser_a) if i.kind == "message_unanswered"]
    assert "Fakturaen" in item.title and item.company == "Alfa Energi AS"
    assert item.url == f"/bedrifter/{world.company_a1.pk}/meldinger/{thread.pk}/"
    with tenant_context(world.pta_a):
        company_services.message_post(thread=thread, body="Svar", author=world.admin_a.user, from_staff=True)
    assert "message_unanswered" not in kinds_for(world.adviser_a, "Alfa Energi AS")


def test_member_company_without_contact_person_needs_attention_until_one_is_added(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(name="Uten Kontakt AS", adviser=world.adviser_a.user)
        CompanyFactory(name="Bare Prospekt AS", status=CompanyStatus.PROSPECT)
    assert kinds_for(world.adviser_a, "Uten Kontakt AS") == {"company_without_contact"}
    assert kinds_for(world.adviser_a, "Bare Prospekt AS") == set()
    [item] = [i for i in items(world.adviser_a) if i.company == "Uten Kontakt AS"]
    assert item.url == f"/bedrifter/{company.pk}/kontaktpersoner/"
    with tenant_context(world.pta_a):
        ContactPersonFactory(company=company)
    assert kinds_for(world.adviser_a, "Uten Kontakt AS") == set()


def test_agreement_ending_within_sixty_days_needs_attention_until_it_is_extended(world):
    with tenant_context(world.pta_a):
        agreement = Agreement.objects.create(
            company=world.company_a1, start_date=today() - timedelta(days=300), end_date=today() + timedelta(days=30)
        )
    [item] = [i for i in items(world.adviser_a) if i.company == "Alfa Energi AS"]
    assert item.kind == "agreement_ending"
    assert item.url == f"/bedrifter/{world.company_a1.pk}/avtale/"
    with tenant_context(world.pta_a):
        Agreement.objects.filter(pk=agreement.pk).update(end_date=today() - timedelta(days=1))
    assert kinds_for(world.adviser_a, "Alfa Energi AS") == {"agreement_ended"}
    with tenant_context(world.pta_a):
        Agreement.objects.filter(pk=agreement.pk).update(end_date=today() + timedelta(days=365))
    assert kinds_for(world.adviser_a, "Alfa Energi AS") == set()


def test_ended_agreement_of_a_company_no_longer_a_member_needs_nothing(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(name="Avsluttet AS", status=CompanyStatus.ENDED)
        Agreement.objects.create(company=company, end_date=today() - timedelta(days=5))
    assert kinds_for(world.adviser_a, "Avsluttet AS") == set()


# --- Whose items, in which order ------------------------------------------------------------


def test_the_advisers_own_companies_come_first_and_the_filter_keeps_only_them(world):
    colleague = staff_user(world.pta_a)
    with tenant_context(world.pta_a):
        CompanyFactory(name="Aaa Kollegas AS", adviser=colleague)
        CompanyFactory(name="Zzz Mine AS", adviser=world.adviser_a.user)
    names = [i.company for i in items(world.adviser_a) if i.kind == "company_without_contact"]
    assert names.index("Zzz Mine AS") < names.index("Aaa Kollegas AS")
    mine = [i.company for i in items(world.adviser_a, "?mine=1") if i.kind == "company_without_contact"]
    assert "Zzz Mine AS" in mine and "Aaa Kollegas AS" not in mine
    page = client_for(world.adviser_a).get("/i-dag/?mine=1").content.decode()
    assert "Zzz Mine AS" in page and "Aaa Kollegas AS" not in page
    assert f'hx-get="{CARD}?mine=1"' in page  # the card reloads with the same filter


def test_every_item_links_to_a_page_the_adviser_can_open(world):
    with tenant_context(world.pta_a):
        EmployeeImport.objects.create(company=world.company_a1, original_name="x.csv", status=ImportStatus.FAILED)
        CompanyImport.objects.create(original_name="b.csv", status=ImportStatus.FAILED)
        company = CompanyFactory(name="Lenke AS")
        Agreement.objects.create(company=company, end_date=today() + timedelta(days=10))
        company_services.thread_start(
            company=world.company_a2, subject="Hei", body="?", author=world.contact_a2.user, from_staff=False
        )
    found = items(world.adviser_a)
    assert {"employee_import_failed", "company_import_failed", "message_unanswered"} <= {i.kind for i in found}
    assert {"company_without_contact", "agreement_ending"} <= {i.kind for i in found}
    client = client_for(world.adviser_a)
    for item in found:
        assert client.get(item.url).status_code == 200, item


def test_the_list_is_capped_and_says_so(world, monkeypatch):
    monkeypatch.setattr("config.views.ATTENTION_LIMIT", 2)
    with tenant_context(world.pta_a):
        CompanyFactory.create_batch(3)
    response = client_for(world.adviser_a).get(CARD)
    assert len(response.context["items"]) == 2 and response.context["more"]


# --- Who sees them ------------------------------------------------------------------------


def test_an_adviser_of_another_pta_sees_none_of_this_ptas_items(world):
    with tenant_context(world.pta_a):
        CompanyFactory(name="Bare I A AS")
        EmployeeImport.objects.create(
            company=world.company_a1, original_name="hemmelig.csv", status=ImportStatus.FAILED
        )
    content = client_for(world.adviser_b).get("/i-dag/").content.decode()
    assert "Bare I A AS" not in content and "hemmelig.csv" not in content


@pytest.mark.parametrize("persona", ["contact_a1", "contact_a2"])
def test_contact_persons_may_not_see_the_staff_items(world, persona):
    assert client_for(getattr(world, persona)).get(CARD).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(world):
    response = client_for(None, HOST_A).get(CARD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_adviser_without_phone_number_is_asked_for_one(world):
    content = client_for(world.adviser_a).get(CARD).content.decode()
    assert "/konto/kontaktinfo/" in content
