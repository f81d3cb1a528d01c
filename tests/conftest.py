from __future__ import annotations

import pytest
from django.db import connection

from tests.base import World, build_world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test database, then the personas' two PTAs once for the whole session."""
    with django_db_blocker.unblock():
        pytest.world = build_world()
    yield


@pytest.fixture
def world(db) -> World:
    connection.set_schema_to_public()
    return pytest.world


@pytest.fixture(autouse=True)
def _public_schema_after_test():
    yield
    connection.set_schema_to_public()


def pytest_unconfigure(config):
    # Stop the embedded PostgreSQL/Redis only if this test run started them.
    from config import embedded

    embedded.stop_services()
