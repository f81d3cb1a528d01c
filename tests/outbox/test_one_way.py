"""The outbox is the one way apps queue work; beat's entries and the worker's
start name tasks that exist."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from config.celery import ON_WORKER_START, app

APPS = ("core", "tenants", "companies", "employees", "tickets", "surveys", "invoicing", "reporting")
QUEUEING = re.compile(r"\.(delay|delay_on_commit|apply_async|send_task)\(")
# The only places that queue a task directly, and why.
ALLOWED = {
    # The relay itself.
    "core/outbox.py",
    # Beat's fan-out to every PTA: a lost tick is made up by the next one.
    "tenants/tasks.py",
    # The invitation (public schema): its task takes the one-time token,
    # which must not be stored; a lost mail is sent again from the page.
    "tenants/services.py",
    # The coordinator's "refresh now" (public schema, where there is no outbox): the RefreshRequest row
    # records it, the page shows it pending, and the nightly refresh makes up a lost hand-off.
    "tenants/views_national.py",
}


def test_no_app_queues_a_task_except_through_the_outbox():
    base = Path(settings.BASE_DIR)
    offenders = [
        f"{path.relative_to(base)}:{number}: {line.strip()}"
        for app_name in APPS
        for path in sorted((base / app_name).rglob("*.py"))
        if str(path.relative_to(base)) not in ALLOWED and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if QUEUEING.search(line)
    ]
    assert offenders == [], "Queue work through core.outbox.enqueue, in the transaction of the change:\n" + "\n".join(
        offenders
    )


def test_beat_and_the_worker_start_name_registered_tasks():
    app.loader.import_default_modules()  # what a worker does at start: import every app's tasks
    registered = set(app.tasks)
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, name
        if entry["task"] == "tenants.tasks.dispatch_to_tenants":
            assert entry["args"][0] in registered, name
    assert set(ON_WORKER_START) <= registered
    relayed = {entry["args"][0] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry.get("args")}
    assert set(ON_WORKER_START) <= relayed  # what a starting worker does, beat does too


def test_the_broker_gives_a_task_to_another_worker_only_after_the_longest_task():
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] >= 30 * 60
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
