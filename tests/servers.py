"""Real processes for tests: a Celery worker, a web server and an SMTP sink,
all pointed at the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
ARTIFACTS = BASE_DIR / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    """settings.DATABASE_URL with the test database's name in place of the real one."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="localhost,.localhost",
        DATABASE_CONN_MAX_AGE="0",
        SITE_SCHEME="http",
        PYTHONUNBUFFERED="1",
        # Production-like: the URLs above are given, not embedded servers of a developer's machine.
        EMBEDDED_SERVICES="0",
    )
    env.update(extra)
    return env


def start_process(name: str, args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"{name}.log"
    handle = log.open("w")
    process = subprocess.Popen(args, cwd=BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT)
    return process, log


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")


def wait_for_port(port: int, timeout: float = 60) -> None:
    def is_open() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_for(is_open, timeout=timeout, what=f"port {port}")


class SmtpSink:
    """A real SMTP server (aiosmtpd) on localhost that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class RefusingSmtpSink(SmtpSink):
    """An SMTP server that answers RCPT for some addresses with the reply given (e.g. "550 5.1.1 No such user")."""

    def __init__(self, refuse: dict[str, str]) -> None:
        super().__init__()
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook name)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


def python() -> str:
    return sys.executable


@contextmanager
def celery_worker(name: str, **env: str):
    """A real Celery worker on a queue of its own, which this process's tasks
    go to (not run eagerly) while the block runs; `env` adds to its environment."""
    from config.celery import app

    queue = f"test-{name}-{os.getpid()}"
    process, log = start_process(
        f"celery-worker-{name}",
        [python(), "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", queue, "-l", "info"],
        subprocess_env(CELERY_QUEUE=queue, **env),
    )
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        stop_process(process)
        print(log.read_text()[-3000:])
