"""The base of every Celery task, made tenant-aware by tenant-schemas-celery.

A task queued inside a tenant carries the schema name in its headers and runs
in that schema. A task that arrives without a tenant (or with the public
schema) fails loudly, unless it is declared ``public=True``. Apps declare
their tasks with ``celery.shared_task``; config/celery.py makes this class
the base of them all.
"""

from __future__ import annotations

from django.db import connection
from tenant_schemas_celery.task import TenantTask


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
