"""Test helpers for the surveys app: a round with its invitations, made
directly through the ORM (no mailing), and the links' tokens.

Call inside `tenant_context(pta)`::

    round_, invited = make_round(company, employees=3, opens_on=today, closes_on=today + timedelta(days=14))
    invitation, token = invited[0]
    client.get(f"/undersokelse/{token}/")
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta

from django.utils import timezone

from companies.models import Company
from employees.models import Employee, EmployeeStatus
from surveys.models import Invitation, InvitationState, RoundKind, SurveyRound, invitation_token
from surveys.services import questionnaire_for_new_round


def make_round(
    company: Company,
    *,
    employees: int = 5,
    kind: str = RoundKind.BASELINE,
    opens_on: date | None = None,
    closes_on: date | None = None,
    language: str = "nb",
    location=None,
    department=None,
) -> tuple[SurveyRound, list[tuple[Invitation, str]]]:
    """A round for the company on the newest questionnaire version, `employees`
    new active employees with an e-mail address (given the location/department),
    and one sent invitation each. Returns the round and [(invitation, token)].
    Dates default to a round open today for two weeks (Europe/Oslo)."""
    today = timezone.localdate()
    opens_on = opens_on or today
    closes_on = closes_on or max(opens_on, today) + timedelta(days=14)
    questionnaire = questionnaire_for_new_round()
    round_ = SurveyRound.objects.create(
        company=company, questionnaire=questionnaire, kind=kind, opens_on=opens_on, closes_on=closes_on
    )
    tag = uuid.uuid4().hex[:8]
    staff = Employee.objects.bulk_create(
        Employee(
            company=company,
            first_name=f"Svar{i}",
            last_name=f"Runde{tag}",
            email=f"svar{i}.{tag}@bedrift.test.no",
            status=EmployeeStatus.ACTIVE,
            location=location,
            department=department,
        )
        for i in range(employees)
    )
    nonces = [secrets.token_hex(16) for _ in staff]
    tokens = [invitation_token(round_id=round_.pk, nonce=nonce) for nonce in nonces]
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        Invitation(
            round=round_,
            employee=employee,
            email=employee.email,
            language=language,
            nonce=nonce,
            token_hash=Invitation.hash_token(token),
            state=InvitationState.SENT,
            sent_at=now,
            last_mailed_at=now,
        )
        for employee, nonce, token in zip(staff, nonces, tokens, strict=True)
    )
    return round_, list(zip(invitations, tokens, strict=True))
