"""The Celery app. Apps declare their tasks with ``celery.shared_task``; every
task gets the tenant-bound base (tenants.task_base.TenantBoundTask)."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class App(CeleryApp):
    task_cls = "tenants.task_base:TenantBoundTask"


app = App("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
