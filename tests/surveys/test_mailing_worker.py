"""A real Celery worker mails a round's invitations over real SMTP; killed (SIGKILL) in the
middle of the mailing, another worker started afterwards picks up where it stopped, through the
beat task, and every address gets exactly one invitation."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import Company
from config.celery import app
from core.models import OutboxMessage
from employees.models import Employee
from surveys import services_rounds
from surveys.models import Invitation, InvitationMail, InvitationState, RoundKind, SurveyRound
from tenants.tasks import dispatch_to_tenants
from tests.servers import SmtpSink, python, start_process, stop_process, subprocess_env, wait_for

pytestmark = pytest.mark.worker

EMPLOYEES = 30
STALL_AT = 12  # the worker is killed while the server holds its 12th mail's MAIL FROM


class StallingSmtpSink(SmtpSink):
    """A slow SMTP server (each mail takes a moment) that, once, holds the STALL_AT-th mail's
    MAIL command until released: the previous mails are then delivered and recorded, and the
    worker is in the middle of sending the next one."""

    def __init__(self) -> None:
        super().__init__()
        self.mails = 0
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.stall = True

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 (aiosmtpd hook name)
        self.mails += 1
        if self.stall and self.mails == STALL_AT:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        else:
            await asyncio.sleep(0.02)
        envelope.mail_from = address
        return "250 OK"


def _worker(name: str, queue: str, smtp: SmtpSink):
    env = subprocess_env(
        CELERY_QUEUE=queue,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        SITE_PORT="8000",
    )
    return start_process(
        f"celery-worker-{name}",
        [python(), "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", queue, "-l", "info"],
        env,
    )


@pytest.fixture
def company(committed_world):
    w = committed_world
    with tenant_context(w.pta_a):
        company = Company.objects.create(org_number="974760673", name="Arbeider Utsending AS")
        Employee.objects.bulk_create(
            Employee(company=company, first_name=f"Ansatt{i}", last_name="Utsending", email=f"utsending{i}@bedrift.no")
            for i in range(EMPLOYEES)
        )
    yield company
    with tenant_context(w.pta_a):
        rounds = list(SurveyRound.objects.filter(company=company).values_list("pk", flat=True))
        OutboxMessage.objects.filter(key__in=[services_rounds.round_key(pk) for pk in rounds]).delete()
        SurveyRound.objects.filter(pk__in=rounds).delete()  # cascades to invitations and their mails
        Company.objects.filter(pk=company.pk).delete()  # cascades to employees
        Employee.pgh_event_model.objects.filter(company_id=company.pk).delete()
        Company.pgh_event_model.objects.filter(pgh_obj_id=company.pk).delete()


def test_a_worker_killed_mid_mailing_is_picked_up_and_nobody_gets_two(committed_world, company):
    w = committed_world
    queue = f"test-survey-mailing-{os.getpid()}"
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    first = second = None
    try:
        with StallingSmtpSink() as smtp:
            first, first_log = _worker("survey-mailing-1", queue, smtp)
            with tenant_context(w.pta_a):
                today = timezone.localdate()
                # Committed at once (autocommit): the outbox hands the mailing to the worker.
                survey_round = services_rounds.round_start(
                    company=company, kind=RoundKind.BASELINE, opens_on=today, closes_on=today + timedelta(days=14)
                )
            assert smtp.stalled.wait(120), first_log.read_text()[-3000:]
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=20)
            smtp.stall = False
            smtp.release.set()
            delivered = len(smtp.messages)
            assert delivered == STALL_AT - 1
            with tenant_context(w.pta_a):
                # What the dead worker sent is recorded (its states are brought up to date per
                # batch, so they still say waiting); the mail it was sending is not.
                assert InvitationMail.objects.filter(invitation__round=survey_round).count() == delivered

                def unlocked() -> bool:
                    with transaction.atomic():
                        free = Invitation.objects.select_for_update(skip_locked=True).filter(round=survey_round)
                        return free.count() == EMPLOYEES

                wait_for(unlocked, timeout=30, what="the killed worker's transaction to be rolled back")

            second, _second_log = _worker("survey-mailing-2", queue, smtp)
            # Beat's next tick (every few minutes) finds the waiting invitations and queues the rest.
            dispatch_to_tenants.delay("surveys.survey_mail_due")
            wait_for(lambda: len(smtp.messages) >= EMPLOYEES, timeout=120, what="the second worker to mail the rest")
            with tenant_context(w.pta_a):
                wait_for(
                    lambda: (
                        Invitation.objects.filter(round=survey_round, state=InvitationState.SENT).count() == EMPLOYEES
                    ),
                    timeout=30,
                    what="every invitation to be marked sent",
                )
            # Another tick: nothing more is sent.
            dispatch_to_tenants.delay("surveys.survey_mail_due")
            with tenant_context(w.pta_a):
                wait_for(
                    lambda: not services_rounds.outbox.pending().filter(key=services_rounds.round_key(survey_round.pk)),
                    timeout=30,
                    what="the outbox to be handed over",
                )
            import time

            time.sleep(2)
            counts = Counter(message["To"] for message in smtp.messages)
            assert counts == Counter({f"utsending{i}@bedrift.no": 1 for i in range(EMPLOYEES)})
            with tenant_context(w.pta_a):
                assert InvitationMail.objects.filter(invitation__round=survey_round).count() == EMPLOYEES
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        for process in (first, second):
            if process is not None and process.poll() is None:
                stop_process(process)
