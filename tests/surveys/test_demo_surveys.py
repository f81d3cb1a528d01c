"""The demo's travel surveys (surveys/demo.py): each company has a closed baseline round and an
open follow-up, with anonymous answers in which fewer employees drive than at the baseline; the
follow-up's unanswered invitations are left for the worker to mail."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.db.models import Q, Sum
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from surveys import demo
from surveys.models import Answer, Invitation, InvitationState, Response, RoundKind, SurveyRound
from tests.factories import CompanyFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def _car_share(kind: str) -> Decimal:
    trips = Response.objects.filter(round__kind=kind).aggregate(
        all=Sum("commute_days"), car=Sum("commute_days", filter=Q(main_mode="car_driver"))
    )
    return trips["car"] / trips["all"]


def test_the_demo_has_a_baseline_and_a_followup_with_fewer_car_drivers(world):
    with tenant_context(world.pta_a):
        for _ in range(3):
            EmployeeFactory.create_batch(60, company=CompanyFactory())
        made = demo._seed_pta(rng=random.Random(7))
        assert made > 200
        assert (
            SurveyRound.objects.filter(kind=RoundKind.BASELINE).count()
            == SurveyRound.objects.filter(kind=RoundKind.FOLLOWUP).count()
        )
        assert Answer.objects.filter(question__key="main_mode").count() == made
        assert _car_share(RoundKind.FOLLOWUP) < _car_share(RoundKind.BASELINE)
        followups = SurveyRound.objects.filter(kind=RoundKind.FOLLOWUP)
        assert Invitation.objects.filter(round__in=followups, state=InvitationState.WAITING).exists()
        assert OutboxMessage.objects.filter(task_name="surveys.send_invitations").count() == followups.count()
