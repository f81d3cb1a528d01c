"""A real Celery worker process, a real broker (Redis) and a real SMTP server."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import Company
from config.celery import app
from reporting.tasks import refresh_region_stats
from tenants import services
from tenants.models import Invitation, RegionStats, Role
from tenants.tasks import dispatch_to_tenants
from tests.base import HOST_A
from tests.servers import SmtpSink, python, start_process, stop_process, subprocess_env, wait_for
from tests.worker_tasks import rename_company

pytestmark = pytest.mark.worker


@pytest.fixture
def worker(committed_world):
    queue = f"test-{os.getpid()}"
    with SmtpSink() as smtp:
        env = subprocess_env(
            CELERY_QUEUE=queue,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            SITE_PORT="8000",
        )
        process, log = start_process(
            "celery-worker",
            [
                python(),
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                "solo",
                "-Q",
                queue,
                "--include",
                "tests.worker_tasks",
                "-l",
                "info",
            ],
            env,
        )
        old = (app.conf.task_always_eager, app.conf.task_default_queue)
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue
        try:
            yield smtp
        finally:
            app.conf.task_always_eager, app.conf.task_default_queue = old
            stop_process(process)
            print(log.read_text()[-3000:])


def test_task_queued_in_a_tenant_writes_into_that_tenants_schema(worker, committed_world):
    w = committed_world
    with tenant_context(w.pta_a):
        original = Company.objects.get(pk=w.company_a1.pk).name
        # Same primary key exists in PTA B's schema? Make sure we would notice a wrong schema.
        rename_company.delay(w.company_a1.pk, "Omdøpt av arbeider AS")
    try:
        with tenant_context(w.pta_a):
            wait_for(
                lambda: Company.objects.filter(pk=w.company_a1.pk, name="Omdøpt av arbeider AS").exists(),
                what="the worker to rename the company in PTA A",
            )
        with tenant_context(w.pta_b):
            assert not Company.objects.filter(name="Omdøpt av arbeider AS").exists()
    finally:
        with tenant_context(w.pta_a):
            Company.objects.filter(pk=w.company_a1.pk).update(name=original)


def test_dispatcher_runs_periodic_work_in_every_tenant(worker, committed_world):
    w = committed_world
    RegionStats.objects.filter(tenant__in=[w.pta_a, w.pta_b]).update(employees=0, refreshed_at=None)
    started = timezone.now() - timedelta(seconds=1)
    dispatch_to_tenants.delay(refresh_region_stats.name)
    wait_for(
        lambda: RegionStats.objects.filter(tenant__in=[w.pta_a, w.pta_b], refreshed_at__gte=started).count() == 2,
        what="both tenants' stats to refresh",
    )
    # Each tenant counted its own employees: 12 + 7 in A, 5 in B.
    assert RegionStats.objects.get(tenant=w.pta_a).employees == 19
    assert RegionStats.objects.get(tenant=w.pta_b).employees == 5


def test_invitation_mail_sent_by_worker_links_to_the_tenants_own_domain(worker, committed_world):
    smtp = worker
    w = committed_world
    with tenant_context(w.pta_a):
        invitation, token = services.invitation_create(
            tenant=w.pta_a,
            email="arbeider.test@kunde.no",
            role=Role.CONTACT,
            invited_by=w.admin_a.user,
            company_ids=[w.company_a1.pk],
        )
    try:
        wait_for(lambda: smtp.messages, what="the invitation e-mail to reach the SMTP server")
        message = smtp.messages[0]
        assert message["To"] == "arbeider.test@kunde.no"
        body = message.get_payload(0).get_payload(decode=True).decode()
        assert f"http://{HOST_A}:8000/invitasjon/{token}/" in body
        wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at, what="sent_at to be recorded")
        # A second delivery of the same task is a no-op: still one mail.
        from tenants.tasks import send_invitation_email

        with tenant_context(w.pta_a):
            send_invitation_email.delay(invitation.pk, token)
        with tenant_context(w.pta_a):
            rename_company.delay(w.company_a1.pk, Company.objects.get(pk=w.company_a1.pk).name)  # a barrier
        import time

        time.sleep(2)
        assert len(smtp.messages) == 1
    finally:
        Invitation.objects.filter(pk=invitation.pk).delete()


def test_task_without_a_tenant_fails_loudly(committed_world):
    from tenants.task_base import MissingTenantError

    connection.set_schema_to_public()
    with pytest.raises(MissingTenantError):
        refresh_region_stats.apply(throw=True)
