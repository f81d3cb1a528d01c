"""The staff's survey round pages: the PTA's rounds, starting a round for one
company or several, the company's tab, and a round's live progress, for each
role (anonymous, contact persons, staff, another PTA, the coordinator)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import Company
from core.models import OutboxMessage
from employees.models import EmployeeStatus
from surveys.models import Invitation, SurveyRound
from tenants.models import Domain
from tenants.signals import SESSION_TENANT_KEY
from tests.base import HOST_A, client_for
from tests.factories import CompanyFactory, DepartmentFactory, EmployeeFactory, LocationFactory
from tests.surveys.helpers import make_round


def _with_emails(company, count: int = 3):
    return [EmployeeFactory(company=company, status=EmployeeStatus.ACTIVE) for _ in range(count)]


@pytest.fixture
def round_a1(world):
    """An open round of company A1 with 5 sent invitations, 2 of them answered."""
    with tenant_context(world.pta_a):
        survey_round, invited = make_round(world.company_a1, employees=5)
        today = timezone.localdate()
        Invitation.objects.filter(pk__in=[invited[0][0].pk, invited[1][0].pk]).update(responded_on=today)
        return survey_round


# --- Who may see what --------------------------------------------------------------------------


def signed_in_on(persona, host: str):
    """A client signed in as `persona` on another site's host (its session bound to that host's tenant)."""
    client = Client(HTTP_HOST=host)
    client.force_login(persona.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_TENANT_KEY] = Domain.objects.select_related("tenant").get(domain=host).tenant.schema_name
    session.save()
    return client


@pytest.fixture
def foreign_company(world):
    """A company of PTA A whose id PTA B's schema does not have (as the access matrix's), with a round."""
    with tenant_context(world.pta_b):
        highest_b = Company.objects.aggregate(m=Max("pk"))["m"] or 0
    with tenant_context(world.pta_a):
        highest_a = Company.objects.aggregate(m=Max("pk"))["m"] or 0
        return CompanyFactory(pk=max(highest_a, highest_b) + 1000, name="Fremmed AS")


def _statuses(world, path: str, method: str = "get", data=None, foreign_path: str = "") -> dict[str, int]:
    clients = {
        "anonymous": client_for(None, HOST_A),
        "contact_own": client_for(world.contact_a1),
        "contact_other": client_for(world.contact_a2),
        "adviser": client_for(world.adviser_a),
        "admin": client_for(world.admin_a),
        "other_pta": client_for(world.adviser_b),
        "coordinator": signed_in_on(world.coordinator, HOST_A),
    }
    return {
        role: getattr(client, method)(
            foreign_path if role == "other_pta" and foreign_path else path, data or {}
        ).status_code
        for role, client in clients.items()
    }


def test_the_staff_pages_are_for_staff_only(world):
    for path in ("/undersokelser/", "/undersokelser/ny/"):
        assert _statuses(world, path) == {
            "anonymous": 302,
            "contact_own": 403,
            "contact_other": 403,
            "adviser": 200,
            "admin": 200,
            "other_pta": 200,  # their own PTA's page on their own host
            "coordinator": 403,
        }, path


def test_anonymous_goes_to_the_login_page(world, round_a1):
    response = client_for(None, HOST_A).get(f"/undersokelser/runder/{round_a1.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_a_rounds_page_for_staff_and_the_companys_own_contact_persons(world, round_a1):
    for path in (f"/undersokelser/runder/{round_a1.pk}/", f"/undersokelser/runder/{round_a1.pk}/fremdrift/"):
        statuses = _statuses(world, path)
        assert statuses == {
            "anonymous": 302,
            "contact_own": 200,
            "contact_other": 404,
            "adviser": 200,
            "admin": 200,
            "other_pta": 404,
            "coordinator": 403,
        }, path


def test_the_company_tab_for_staff_and_its_own_contact_persons(world, round_a1, foreign_company):
    statuses = _statuses(
        world,
        f"/bedrifter/{world.company_a1.pk}/undersokelser/",
        foreign_path=f"/bedrifter/{foreign_company.pk}/undersokelser/",
    )
    assert statuses == {
        "anonymous": 302,
        "contact_own": 200,
        "contact_other": 404,
        "adviser": 200,
        "admin": 200,
        "other_pta": 404,
        "coordinator": 403,
    }


def test_starting_a_round_for_a_company_is_for_staff(world, foreign_company):
    statuses = _statuses(
        world,
        f"/bedrifter/{world.company_a1.pk}/undersokelser/ny/",
        foreign_path=f"/bedrifter/{foreign_company.pk}/undersokelser/ny/",
    )
    assert statuses == {
        "anonymous": 302,
        "contact_own": 403,
        "contact_other": 403,
        "adviser": 200,
        "admin": 200,
        "other_pta": 404,
        "coordinator": 403,
    }


def test_another_ptas_round_and_company_are_404(world):
    with tenant_context(world.pta_b):
        survey_round, _invited = make_round(world.company_b1, employees=5)
    adviser = client_for(world.adviser_a)
    with tenant_context(world.pta_a):
        exists_in_a = SurveyRound.objects.filter(pk=survey_round.pk).exists()
    if not exists_in_a:
        assert adviser.get(f"/undersokelser/runder/{survey_round.pk}/").status_code == 404
    assert client_for(world.adviser_b).get(f"/undersokelser/runder/{survey_round.pk}/").status_code == 200
    assert client_for(world.contact_b1).get(f"/undersokelser/runder/{survey_round.pk}/").status_code == 200


# --- The lists ----------------------------------------------------------------------------------


def test_the_ptas_rounds_list_shows_progress_and_filters(world, round_a1):
    with tenant_context(world.pta_a):
        today = timezone.localdate()
        later, _ = make_round(
            world.company_a2, employees=5, opens_on=today + timedelta(days=3), closes_on=today + timedelta(days=20)
        )
    client = client_for(world.adviser_a)
    response = client.get("/undersokelser/")
    assert response.status_code == 200
    rounds = {r.pk: r for r in response.context["page"]}
    assert rounds[round_a1.pk].state == "open" and rounds[later.pk].state == "not_open"
    progress = rounds[round_a1.pk].progress
    assert (progress.recipients, progress.sent, progress.answered) == (5, 5, 2)
    assert progress.response_rate == 40 and not progress.met
    text = response.content.decode()
    assert f'href="/undersokelser/runder/{round_a1.pk}/"' in text
    assert 'href="/undersokelser/ny/"' in text and 'href="/undersokelser/sporreskjema/"' in text
    assert 'href="/undersokelser/resultater/"' in text

    only_open = client.get("/undersokelser/", {"state": "open"})
    assert {r.pk for r in only_open.context["page"]} >= {round_a1.pk}
    assert later.pk not in {r.pk for r in only_open.context["page"]}
    not_open = client.get("/undersokelser/", {"state": "not_open"})
    assert {r.pk for r in not_open.context["page"]} == {later.pk}
    followups = client.get("/undersokelser/", {"kind": "followup"})
    assert round_a1.pk not in {r.pk for r in followups.context["page"]}


def test_the_company_tab_shows_its_rounds_and_staff_get_the_start_button(world, round_a1):
    staff = client_for(world.adviser_a).get(f"/bedrifter/{world.company_a1.pk}/undersokelser/")
    text = staff.content.decode()
    assert [r.pk for r in staff.context["page"]] == [round_a1.pk]
    assert 'id="start-round"' in text
    assert f'href="/bedrifter/{world.company_a1.pk}/undersokelser/resultater/"' in text
    assert f'href="/bedrifter/{world.company_a1.pk}/undersokelser/" aria-current="page"' in text
    contact = client_for(world.contact_a1).get(f"/bedrifter/{world.company_a1.pk}/undersokelser/")
    assert contact.status_code == 200 and 'id="start-round"' not in contact.content.decode()
    assert [r.pk for r in contact.context["page"]] == [round_a1.pk]


def test_the_round_page_polls_its_progress_while_open(world, round_a1):
    client = client_for(world.contact_a1)
    page = client.get(f"/undersokelser/runder/{round_a1.pk}/")
    text = page.content.decode()
    assert f'hx-get="/undersokelser/runder/{round_a1.pk}/fremdrift/"' in text
    assert 'hx-trigger="every 3s"' in text and "<progress" in text
    assert page.context["progress"].answered == 2
    fragment = client.get(f"/undersokelser/runder/{round_a1.pk}/fremdrift/", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="round-progress"')
    assert "<html" not in body


def test_a_closed_round_does_not_poll_and_names_the_summary(world):
    with tenant_context(world.pta_a):
        today = timezone.localdate()
        survey_round, _ = make_round(
            world.company_a1, employees=5, opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=2)
        )
        SurveyRound.objects.filter(pk=survey_round.pk).update(summary_sent_at=timezone.now())
    page = client_for(world.adviser_a).get(f"/undersokelser/runder/{survey_round.pk}/")
    assert page.context["state"] == "closed" and not page.context["polling"]
    assert "hx-trigger" not in page.content.decode().split('id="round-progress"')[1].split(">")[0]
    assert 'id="summary-state"' in page.content.decode()


# --- Starting rounds ------------------------------------------------------------------------------


def test_starting_a_round_through_the_page(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        _with_emails(company, 3)
        EmployeeFactory(company=company, email="")  # no address: not invited
        EmployeeFactory(company=company, status=EmployeeStatus.LEFT)
    client = client_for(world.adviser_a)
    path = f"/bedrifter/{company.pk}/undersokelser/ny/"
    form = client.get(path)
    assert form.status_code == 200 and form.context["recipients"] == 3
    today = timezone.localdate()
    response = client.post(
        path,
        {
            "kind": "baseline",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=14)).isoformat(),
            "reminder_days": "4",
            "max_reminders": "2",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        survey_round = SurveyRound.objects.get(company=company)
        assert response["Location"] == f"/undersokelser/runder/{survey_round.pk}/"
        assert survey_round.invitations.count() == 3
        assert survey_round.created_by == world.adviser_a.user
        assert OutboxMessage.objects.filter(task_name="surveys.send_invitations", args=[survey_round.pk]).exists()


def test_a_round_with_no_eligible_recipients_is_refused_on_the_form(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        EmployeeFactory(company=company, email="")
    client = client_for(world.admin_a)
    today = timezone.localdate()
    response = client.post(
        f"/bedrifter/{company.pk}/undersokelser/ny/",
        {
            "kind": "baseline",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=14)).isoformat(),
            "reminder_days": "4",
            "max_reminders": "2",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert response.context["recipients"] == 0
    with tenant_context(world.pta_a):
        assert not SurveyRound.objects.filter(company=company).exists()


def test_the_form_offers_the_companys_places_and_counts_for_one(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        location = LocationFactory(company=company)
        other = LocationFactory(company=CompanyFactory())
        department = DepartmentFactory(company=company)
        _with_emails(company, 2)
        EmployeeFactory(company=company, location=location)
    client = client_for(world.adviser_a)
    path = f"/bedrifter/{company.pk}/undersokelser/ny/"
    form = client.get(path).context["form"]
    assert list(form.fields["location"].queryset) == [location]
    assert list(form.fields["department"].queryset) == [department]
    today = timezone.localdate()
    data = {
        "kind": "followup",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=14)).isoformat(),
        "reminder_days": "4",
        "max_reminders": "2",
    }
    counted = client.post(path, {**data, "location": location.pk, "count": "1"})
    assert counted.status_code == 200 and counted.context["recipients"] == 1
    foreign = client.post(path, {**data, "location": other.pk})
    assert foreign.status_code == 400 and "location" in foreign.context["form"].errors
    with tenant_context(world.pta_a):
        assert not SurveyRound.objects.filter(company=company).exists()


def test_a_closing_day_before_the_opening_day_is_a_field_error(world):
    today = timezone.localdate()
    response = client_for(world.adviser_a).post(
        f"/bedrifter/{world.company_a1.pk}/undersokelser/ny/",
        {
            "kind": "baseline",
            "opens_on": today.isoformat(),
            "closes_on": (today - timedelta(days=1)).isoformat(),
            "reminder_days": "4",
            "max_reminders": "2",
        },
    )
    assert response.status_code == 400 and "closes_on" in response.context["form"].errors


def test_rounds_for_several_companies_confirm_then_start_with_refusals(world):
    with tenant_context(world.pta_a):
        ready = CompanyFactory(name="Klar Bedrift AS", status="member")
        _with_emails(ready, 4)
        empty = CompanyFactory(name="Tom Bedrift AS", status="member")
        prospect = CompanyFactory(name="Prospekt Bedrift AS", status="prospect")
    client = client_for(world.adviser_a)
    page = client.get("/undersokelser/ny/")
    offered = {value for value, _label in page.context["form"].fields["companies"].widget.choices}
    assert ready.pk in offered and empty.pk in offered and prospect.pk not in offered
    everyone = client.get("/undersokelser/ny/", {"status": "all", "q": "Prospekt"})
    assert [v for v, _l in everyone.context["form"].fields["companies"].widget.choices] == [prospect.pk]

    today = timezone.localdate()
    data = {
        "companies": [ready.pk, empty.pk],
        "kind": "baseline",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=14)).isoformat(),
        "reminder_days": "4",
        "max_reminders": "2",
    }
    preview = client.post("/undersokelser/ny/", data)
    assert preview.status_code == 200
    rows = {row["company"].pk: row for row in preview.context["rows"]}
    assert rows[ready.pk]["recipients"] == 4 and not rows[ready.pk]["refused"]
    assert rows[empty.pk]["recipients"] == 0 and rows[empty.pk]["refused"]
    with tenant_context(world.pta_a):
        assert not SurveyRound.objects.filter(company__in=[ready, empty]).exists()

    result = client.post("/undersokelser/ny/", {**data, "confirm": "yes"})
    assert result.status_code == 200
    assert [r.company_id for r in result.context["started"]] == [ready.pk]
    assert [(company.pk, bool(reason)) for company, reason in result.context["refusals"]] == [(empty.pk, True)]
    assert 'id="refused"' in result.content.decode()
    with tenant_context(world.pta_a):
        started = SurveyRound.objects.get(company=ready)
        assert started.invitations.count() == 4
        assert not SurveyRound.objects.filter(company=empty).exists()
        assert OutboxMessage.objects.filter(task_name="surveys.send_invitations", args=[started.pk]).exists()


def test_rounds_for_several_companies_need_a_company(world):
    today = timezone.localdate()
    response = client_for(world.admin_a).post(
        "/undersokelser/ny/",
        {
            "kind": "baseline",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=14)).isoformat(),
            "reminder_days": "4",
            "max_reminders": "2",
        },
    )
    assert response.status_code == 400 and "companies" in response.context["form"].errors


def test_a_contact_person_cannot_start_rounds(world):
    client = client_for(world.contact_a1)
    assert client.post(f"/bedrifter/{world.company_a1.pk}/undersokelser/ny/", {}).status_code == 403
    assert client.post("/undersokelser/ny/", {}).status_code == 403
    with tenant_context(world.pta_a):
        assert not SurveyRound.objects.filter(company=world.company_a1).exists()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_lists_take_the_same_queries_for_one_round_or_many(world):
    client = client_for(world.adviser_a)
    paths = ["/undersokelser/", f"/bedrifter/{world.company_a1.pk}/undersokelser/"]
    with tenant_context(world.pta_a):
        make_round(world.company_a1, employees=2)
    client.get(paths[0])  # warm the session
    one = [_queries(client, path) for path in paths]
    with tenant_context(world.pta_a):
        for _ in range(4):
            make_round(world.company_a1, employees=2)
    assert [_queries(client, path) for path in paths] == one
