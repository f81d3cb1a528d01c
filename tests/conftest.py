from __future__ import annotations

import pytest
from django.db import connection

from tests.base import World, build_world

_world: list[World] = []


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Always create the test database (pytest-django would skip it when no
    collected test uses the `db` fixture, e.g. when only worker tests run),
    then the personas' two PTAs, once for the whole session."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        if not connection.settings_dict["NAME"].startswith("test_"):
            raise RuntimeError("Refusing to create test personas outside a test database.")
        _world.append(build_world())
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        # A worker or server process killed mid-query can leave a backend behind.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [connection.settings_dict["NAME"]],
            )
        teardown_databases(db_cfg, verbosity=0)


@pytest.fixture
def world(db) -> World:
    """The personas, inside a test transaction that is rolled back afterwards."""
    connection.set_schema_to_public()
    return _world[0]


@pytest.fixture
def committed_world(django_db_setup, django_db_blocker) -> World:
    """The personas with autocommit on, so that worker and server processes see
    what the test writes. Such tests clean up after themselves."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        yield _world[0]
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _public_schema_after_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder, not .data/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"
