from __future__ import annotations

import pytest


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files (company imports) go to a temporary folder, not .data/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"
