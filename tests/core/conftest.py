from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the bokmål catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield
