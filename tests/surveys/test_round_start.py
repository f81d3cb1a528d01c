"""Starting a survey round: who is invited (active employees with an address, optionally one
location or department, never an opted-out or bounced address), the invitations' tokens, the
mailing queued through the outbox, every refusal storing nothing, and a bulk start of 1,000 in a
pinned number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from employees.models import Employee, EmployeeStatus
from surveys import services_rounds
from surveys.models import (
    Invitation,
    InvitationState,
    MailSuppression,
    Questionnaire,
    RoundKind,
    SuppressionReason,
    SurveyRound,
    invitation_token,
)
from surveys.services import questionnaire_for_new_round
from tests.factories import CompanyFactory, DepartmentFactory, EmployeeFactory, LocationFactory

pytestmark = pytest.mark.django_db


def _dates(opens_in: int = 0, days: int = 14):
    today = timezone.localdate()
    return {"opens_on": today + timedelta(days=opens_in), "closes_on": today + timedelta(days=opens_in + days)}


def _nothing_stored(company) -> None:
    assert not SurveyRound.objects.filter(company=company).exists()
    assert not Invitation.objects.filter(round__company=company).exists()
    assert not OutboxMessage.objects.filter(task_name=services_rounds.SEND_INVITATIONS).exists()


def test_the_audience_is_the_active_employees_with_an_address_not_suppressed(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        invited = [
            EmployeeFactory(company=company, email="Kari.Nordmann@Bedrift.NO", preferred_language="nb"),
            EmployeeFactory(company=company, email="ola@bedrift.no", preferred_language="en"),
        ]
        EmployeeFactory(company=company, email="")  # no address
        EmployeeFactory(company=company, email="permisjon@bedrift.no", status=EmployeeStatus.ON_LEAVE)
        EmployeeFactory(company=company, email="sluttet@bedrift.no", status=EmployeeStatus.LEFT)
        EmployeeFactory(company=company, email="Avmeldt@bedrift.no")
        MailSuppression.objects.create(email="avmeldt@bedrift.no", reason=SuppressionReason.OPT_OUT)
        EmployeeFactory(email="annen@bedrift.no")  # another company

        survey_round = services_rounds.round_start(
            company=company, kind=RoundKind.BASELINE, by=world.adviser_a.user, **_dates()
        )

        assert survey_round.recipient_count == 2
        invitations = {i.employee_id: i for i in survey_round.invitations.all()}
        assert set(invitations) == {e.pk for e in invited}
        kari, ola = (invitations[e.pk] for e in invited)
        assert (kari.email, kari.language, ola.email, ola.language) == (
            "kari.nordmann@bedrift.no",
            "nb",
            "ola@bedrift.no",
            "en",
        )
        for invitation in invitations.values():
            assert invitation.state == InvitationState.WAITING
            assert len(invitation.nonce) == 32
            token = invitation_token(round_id=survey_round.pk, nonce=invitation.nonce)
            assert invitation.token() == token and Invitation.hash_token(token) == invitation.token_hash
            assert token not in invitation.token_hash
        assert survey_round.created_by == world.adviser_a.user
        assert survey_round.questionnaire == Questionnaire.objects.order_by("-version").first()
        # Opening today: the mailing is queued through the outbox, in the same transaction.
        row = OutboxMessage.objects.get(key=f"survey-round-{survey_round.pk}")
        assert (row.task_name, row.args) == ("surveys.send_invitations", [survey_round.pk])


def test_a_round_opening_later_is_not_queued_until_then(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        EmployeeFactory(company=company)
        survey_round = services_rounds.round_start(company=company, kind=RoundKind.FOLLOWUP, **_dates(opens_in=3))
        assert survey_round.invitations.count() == 1
        assert not OutboxMessage.objects.filter(key=f"survey-round-{survey_round.pk}").exists()


def test_one_location_or_department(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        north, south = LocationFactory(company=company), LocationFactory(company=company)
        sales = DepartmentFactory(company=company)
        in_north = EmployeeFactory(company=company, location=north, department=sales)
        EmployeeFactory(company=company, location=north)
        EmployeeFactory(company=company, location=south, department=sales)
        by_location = services_rounds.round_start(company=company, kind=RoundKind.BASELINE, location=north, **_dates())
        assert by_location.invitations.count() == 2 and by_location.location == north
        both = services_rounds.round_start(
            company=company, kind=RoundKind.BASELINE, location=north, department=sales, **_dates(opens_in=20)
        )
        assert list(both.invitations.values_list("employee_id", flat=True)) == [in_north.pk]


def test_two_employees_with_one_address_get_one_invitation(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        first = EmployeeFactory(company=company, email="delt@bedrift.no")
        EmployeeFactory(company=company, email="DELT@bedrift.no")
        survey_round = services_rounds.round_start(company=company, kind=RoundKind.BASELINE, **_dates())
        assert list(survey_round.invitations.values_list("employee_id", "email")) == [(first.pk, "delt@bedrift.no")]


def test_no_eligible_recipients_says_why_and_stores_nothing(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(name="Tom Bedrift AS")
        EmployeeFactory(company=company, email="")
        EmployeeFactory(company=company, email="")
        EmployeeFactory(company=company, status=EmployeeStatus.LEFT)
        EmployeeFactory(company=company, email="borte@bedrift.no")
        MailSuppression.objects.create(email="borte@bedrift.no", reason=SuppressionReason.BOUNCE)
        with pytest.raises(ValidationError) as refused, _english():
            services_rounds.round_start(company=company, kind=RoundKind.BASELINE, **_dates())
        message = " ".join(refused.value.messages)
        assert "Tom Bedrift AS" in message
        assert "Of 4 employees" in message
        assert "2 without an e-mail address" in message
        assert "1 opted out or bounced" in message
        assert "1 not active" in message
        _nothing_stored(company)
        with pytest.raises(ValidationError, match="employee list is empty"), _english():
            services_rounds.round_start(company=CompanyFactory(), kind=RoundKind.BASELINE, **_dates())


def _english():
    from django.utils import translation

    return translation.override("en")


@pytest.mark.parametrize(
    ("opens_in", "closes_in", "expected"),
    [
        (0, -1, "cannot close"),  # closes before it opens
        (-10, -1, "has passed"),  # closed already
        (367, 380, "more than a year ahead"),
    ],
)
def test_bad_dates_are_refused_naming_the_date_and_store_nothing(world, opens_in, closes_in, expected):
    today = timezone.localdate()
    opens_on, closes_on = today + timedelta(days=opens_in), today + timedelta(days=closes_in)
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        EmployeeFactory(company=company)
        with pytest.raises(ValidationError) as refused, _english():
            services_rounds.round_start(
                company=company, kind=RoundKind.BASELINE, opens_on=opens_on, closes_on=closes_on
            )
        message = " ".join(refused.value.messages)
        assert expected in message
        assert closes_on.isoformat() in message or opens_on.isoformat() in message
        _nothing_stored(company)


def test_another_companys_location_or_department_and_bad_options_are_refused(world):
    with tenant_context(world.pta_a):
        company, other = CompanyFactory(), CompanyFactory()
        EmployeeFactory(company=company)
        elsewhere = LocationFactory(company=other, name="Fremmed lokasjon")
        with pytest.raises(ValidationError, match="Fremmed lokasjon"), _english():
            services_rounds.round_start(company=company, kind=RoundKind.BASELINE, location=elsewhere, **_dates())
        with pytest.raises(ValidationError, match="Fremmed avdeling"), _english():
            services_rounds.round_start(
                company=company,
                kind=RoundKind.BASELINE,
                department=DepartmentFactory(company=other, name="Fremmed avdeling"),
                **_dates(),
            )
        with pytest.raises(ValidationError, match="weekly"), _english():
            services_rounds.round_start(company=company, kind="weekly", **_dates())
        with pytest.raises(ValidationError):
            services_rounds.round_start(company=company, kind=RoundKind.BASELINE, reminder_days=0, **_dates())
        with pytest.raises(ValidationError):
            services_rounds.round_start(company=company, kind=RoundKind.BASELINE, max_reminders=9, **_dates())
        _nothing_stored(company)


def test_start_for_many_companies_starts_each_and_reports_the_refused(world):
    with tenant_context(world.pta_a):
        good, empty, also_good = CompanyFactory(), CompanyFactory(name="Ingen Adresser AS"), CompanyFactory()
        EmployeeFactory(company=good)
        EmployeeFactory(company=empty, email="")
        EmployeeFactory(company=also_good)
        started, refused = services_rounds.rounds_start_many(
            companies=[good, empty, also_good], kind=RoundKind.BASELINE, **_dates()
        )
        assert [r.company for r in started] == [good, also_good]
        assert [(company, "Ingen Adresser AS" in message) for company, message in refused] == [(empty, True)]
        assert not SurveyRound.objects.filter(company=empty).exists()


def test_a_thousand_invitations_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    with tenant_context(world.pta_a):
        company = CompanyFactory()
        Employee.objects.bulk_create(
            Employee(company=company, first_name=f"A{i}", last_name="Bulk", email=f"a{i}@bulk.no") for i in range(1000)
        )
        questionnaire_for_new_round()  # the version exists, as it does after the first round
        dates = _dates()
        # The company's lock and the overlap check, the audience, the questionnaire (national set,
        # newest version), the round, the 1,000 invitations in one INSERT, the outbox row, and their
        # savepoints; each statement is preceded by django-tenants' SET search_path.
        with django_assert_num_queries(24) as captured:
            survey_round = services_rounds.round_start(company=company, kind=RoundKind.BASELINE, **dates)
        statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]
        assert len(statements) == 12, statements
        assert sum(sql.startswith('INSERT INTO "surveys_invitation"') for sql in statements) == 1
        assert survey_round.invitations.count() == 1000
        assert Invitation.objects.filter(round=survey_round).values("token_hash").distinct().count() == 1000
