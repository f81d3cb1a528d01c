"""The Celery app. Apps declare their tasks with ``celery.shared_task``; every
task gets the tenant-bound base (tenants.task_base.TenantBoundTask). A worker
that starts relays every tenant's outbox and picks up stuck imports at once."""

from __future__ import annotations

import logging
import os

from celery.signals import worker_ready
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class App(CeleryApp):
    task_cls = "tenants.task_base:TenantBoundTask"


app = App("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

# Per tenant, like their beat entries (settings: relay-outbox, requeue-stale-imports).
ON_WORKER_START = ("core.tasks.outbox_relay", "core.tasks.requeue_stale_imports", "surveys.survey_mail_due")


@worker_ready.connect
def hand_over_what_waited(**kwargs) -> None:
    """Work committed while the broker or every worker was down goes out when
    a worker starts, without waiting for beat's next tick."""
    for task_name in ON_WORKER_START:
        try:
            app.send_task("tenants.tasks.dispatch_to_tenants", args=(task_name,))
        except Exception:
            logger.exception("Could not queue %s for every tenant at worker start; beat will", task_name)
