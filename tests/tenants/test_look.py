from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tenants.models import Pta
from tests.base import client_for


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#00507d").save(buffer, "PNG")
    return buffer.getvalue()


def test_pta_admin_sets_colour_and_logo(world):
    client = client_for(world.admin_a)
    response = client.post(
        "/utseende/", {"brand_colour": "#7a1f5c", "logo": SimpleUploadedFile("logo.png", _png(), "image/png")}
    )
    assert response.status_code == 302
    pta = Pta.objects.get(pk=world.pta_a.pk)
    assert pta.brand_colour == "#7a1f5c"
    assert pta.logo.name == "logos/ptaa/logo.png"
    logo = client.get("/logo")
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content) == _png()
    # The pages link the colour's stylesheet (no inline style: Content-Security-Policy).
    assert 'href="/brand.css?v=7a1f5c"' in client.get("/i-dag/").content.decode()
    assert "--ds-color-accent-base-default: #7a1f5c;" in client.get("/brand.css").content.decode()


def test_too_light_colour_and_fake_image_are_refused(world):
    client = client_for(world.admin_a)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", "image/png")
    response = client.post("/utseende/", {"brand_colour": "#ffff66", "logo": fake})
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"logo"}
    response = client.post("/utseende/", {"brand_colour": "#ffff66"})
    assert "brand_colour" in response.context["form"].errors
    assert Pta.objects.get(pk=world.pta_a.pk).brand_colour == "#00507d"


def test_only_pta_admin_may_change_the_look(world):
    assert client_for(world.adviser_a).get("/utseende/").status_code == 403
    assert client_for(world.contact_a1).post("/utseende/", {"brand_colour": "#000000"}).status_code == 403
    assert client_for(None, world.admin_a.host).get("/utseende/").status_code == 302
