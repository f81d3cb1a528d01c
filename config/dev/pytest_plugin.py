"""Pytest plugin (loaded with -p in pyproject.toml, before Django is set up):
without DATABASE_URL, the test suite runs on the embedded PostgreSQL and
Redis, in its own database and Redis databases, and stops the servers
afterwards if it started them."""

from __future__ import annotations

import os

from config.dev import embedded

if not os.environ.get("DATABASE_URL"):
    embedded.use_embedded_services(testing=True)


def pytest_unconfigure(config):
    embedded.stop_services()
