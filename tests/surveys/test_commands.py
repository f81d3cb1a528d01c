"""manage.py start_survey, survey_status and survey_bounces: their output, and clear errors that store nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from surveys.models import Invitation, InvitationState, MailSuppression, RoundKind, SuppressionReason, SurveyRound
from tests.factories import CompanyFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def company(world):
    with tenant_context(world.pta_a):
        company = CompanyFactory(org_number="986105174")
        for i in range(3):
            EmployeeFactory(company=company, email=f"kommando{i}@bedrift.no")
        EmployeeFactory(company=company, email="")
    return company


def test_start_survey_prints_the_round_and_its_recipients(world, company):
    output = _run("start_survey", "--pta", "ptaa", "--company", "986105174")
    match = re.fullmatch(r"round=(\d+) recipients=3\n", output)
    assert match, output
    today = timezone.localdate()
    with tenant_context(world.pta_a):
        survey_round = SurveyRound.objects.get(pk=int(match.group(1)))
        assert (survey_round.company, survey_round.kind) == (company, RoundKind.BASELINE)
        assert (survey_round.opens_on, survey_round.closes_on) == (today, today + timedelta(days=14))
        assert OutboxMessage.objects.filter(key=f"survey-round-{survey_round.pk}").exists()


def test_start_survey_with_kind_and_dates(world, company):
    opens = timezone.localdate() + timedelta(days=7)
    output = _run(
        "start_survey", "--pta", "ptaa", "--company", "986 105 174", "--kind", "followup", "--opens", opens.isoformat()
    )
    round_id = int(re.fullmatch(r"round=(\d+) recipients=3\n", output).group(1))
    later, closes = opens + timedelta(days=20), opens + timedelta(days=50)
    output = _run(
        "start_survey",
        "--pta",
        "ptaa",
        "--company",
        "986105174",
        "--opens",
        later.isoformat(),
        "--closes",
        closes.isoformat(),
    )
    with tenant_context(world.pta_a):
        first = SurveyRound.objects.get(pk=round_id)
        assert (first.kind, first.opens_on, first.closes_on) == (RoundKind.FOLLOWUP, opens, opens + timedelta(days=14))
        second = SurveyRound.objects.get(pk=int(output.split()[0].split("=")[1]))
        assert second.closes_on == closes
        assert not OutboxMessage.objects.filter(key__in=[f"survey-round-{first.pk}", f"survey-round-{second.pk}"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--company", "999999999"], "No company with the organisation number '999999999'"),
        (["--company", "986105174", "--closes", "31.12.2026"], "--closes must be a date YYYY-MM-DD"),
        (["--company", "986105174", "--opens", "i morgen"], "--opens must be a date YYYY-MM-DD"),
        (["--company", "986105174", "--closes", "2020-01-01"], "2020-01-01"),
    ],
)
def test_start_survey_refuses_bad_input_and_stores_nothing(world, company, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        _run("start_survey", "--pta", "ptaa", *args)
    with tenant_context(world.pta_a):
        assert not SurveyRound.objects.filter(company=company).exists()


def test_start_survey_without_eligible_recipients_says_why(world):
    with tenant_context(world.pta_a):
        empty = CompanyFactory()
        EmployeeFactory(company=empty, email="")
    with pytest.raises(CommandError) as refused:
        _run("start_survey", "--pta", "ptaa", "--company", empty.org_number)
    assert empty.name in str(refused.value)
    with tenant_context(world.pta_a):
        assert not SurveyRound.objects.filter(company=empty).exists()


def test_unknown_pta_or_round(world, company):
    with pytest.raises(CommandError, match="No PTA"):
        _run("start_survey", "--pta", "nowhere", "--company", "986105174")
    with pytest.raises(CommandError, match="No survey round 999999"):
        _run("survey_status", "--pta", "ptaa", "--round", "999999")
    # Another PTA's round is not found either.
    round_id = _run("start_survey", "--pta", "ptaa", "--company", "986105174").split()[0].split("=")[1]
    with pytest.raises(CommandError, match=f"No survey round {round_id}"):
        _run("survey_status", "--pta", "ptab", "--round", round_id)


def test_survey_status_prints_sent_failed_answered(world, company):
    round_id = int(_run("start_survey", "--pta", "ptaa", "--company", "986105174").split()[0].split("=")[1])
    assert (
        _run("survey_status", "--pta", "ptaa", "--round", str(round_id)).splitlines()[0] == "sent=0 failed=0 answered=0"
    )
    with tenant_context(world.pta_a):
        invitations = list(SurveyRound.objects.get(pk=round_id).invitations.order_by("pk"))
        invitations[0].state = InvitationState.FAILED
        invitations[1].state = InvitationState.SENT
        invitations[1].responded_on = timezone.localdate()
        invitations[2].state = InvitationState.SENT
        for invitation in invitations:
            invitation.save()
    lines = _run("survey_status", "--pta", "ptaa", "--round", str(round_id)).splitlines()
    assert lines[0] == "sent=2 failed=1 answered=1"
    assert lines[1] == "recipients=3 waiting=0 response_rate=33.3% target=75% met=no"


def test_a_second_round_overlapping_the_first_is_refused(world, company):
    _run("start_survey", "--pta", "ptaa", "--company", "986105174")
    with pytest.raises(CommandError, match="har allerede en undersøkelsesrunde"):
        _run("start_survey", "--pta", "ptaa", "--company", "986105174", "--kind", "followup")
    with tenant_context(world.pta_a):
        assert SurveyRound.objects.count() == 1


def test_survey_bounces_suppresses_the_addresses_and_fails_their_invitations(world, company, tmp_path):
    _run("start_survey", "--pta", "ptaa", "--company", "986105174")
    report = tmp_path / "bounces.csv"
    report.write_text("email,reason\nKommando0@bedrift.no,550 mailbox full\n\nkommando0@bedrift.no,again\n")
    assert _run("survey_bounces", "--pta", "ptaa", str(report)) == "bounced=1 new=1\n"
    assert _run("survey_bounces", "--pta", "ptaa", str(report)) == "bounced=1 new=0\n"  # a second run adds nothing
    with tenant_context(world.pta_a):
        assert list(MailSuppression.objects.values_list("email", "reason")) == [
            ("kommando0@bedrift.no", SuppressionReason.BOUNCE)
        ]
        failed = Invitation.objects.filter(state=InvitationState.FAILED)
        assert list(failed.values_list("email", flat=True)) == ["kommando0@bedrift.no"]


def test_survey_bounces_refuses_a_line_that_is_no_address_and_records_nothing(world, company, tmp_path):
    report = tmp_path / "bounces.txt"
    report.write_text("kommando1@bedrift.no\nikke en adresse\n")
    with pytest.raises(CommandError, match="Line 2"):
        _run("survey_bounces", "--pta", "ptaa", str(report))
    report.write_text("kommando1@bedrift.no\nfeil@@bedrift\n")
    with pytest.raises(CommandError, match="Line 2: 'feil@@bedrift' is not an e-mail address"):
        _run("survey_bounces", "--pta", "ptaa", str(report))
    with tenant_context(world.pta_a):
        assert not MailSuppression.objects.exists()


def test_survey_bounces_dry_run_records_nothing(world, company, tmp_path):
    report = tmp_path / "bounces.txt"
    report.write_text("kommando2@bedrift.no\n")
    assert _run("survey_bounces", "--pta", "ptaa", str(report), "--dry-run") == "bounced=1 new=1\n"
    with tenant_context(world.pta_a):
        assert not MailSuppression.objects.exists()
