"""The Celery app, made tenant-aware by tenant-schemas-celery.

A task queued inside a tenant carries the schema name in its headers and runs
in that schema. A task that arrives without a tenant (or with the public
schema) fails loudly, unless it is declared ``public=True``.
"""

from __future__ import annotations

import os

from django.db import connection
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class MissingTenantError(RuntimeError):
    pass


class TenantBoundTask(TenantTask):
    abstract = True
    #: Set to True on tasks that deliberately work in the public schema.
    public = False

    def __call__(self, *args, **kwargs):
        if not self.public and connection.schema_name == "public":
            raise MissingTenantError(
                f"Task {self.name} arrived without a tenant; refusing to run it in the public schema."
            )
        return super().__call__(*args, **kwargs)


class App(CeleryApp):
    task_cls = "config.celery:TenantBoundTask"


app = App("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
