"""The "Ticket delivery" page (/billettlevering/): staff see the backend, the webhook address, the masked
signing key, the last deliveries and the downloads; only the PTA administrator saves the backend and
address (https, or http to localhost), makes a new key (shown once) and publishes a month. Another PTA's
key never shows."""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import constants
from django_tenants.utils import tenant_context

from tests.base import client_for
from tickets import services_fulfilment
from tickets.models import DeliveryState, EntitlementDelivery, FulfilmentSettings

PAGE = "/billettlevering/"
NEW_KEY = "/billettlevering/ny-nokkel/"
PUBLISH = "/billettlevering/send/"
EXPORT = "/billettlevering/fil/"


def _config(pta) -> FulfilmentSettings:
    with tenant_context(pta):
        return services_fulfilment.fulfilment_settings()


def _messages(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in response.context["messages"]]


@pytest.fixture
def admin(world):
    return client_for(world.admin_a)


def test_the_admin_sees_the_settings_with_the_key_masked(world, admin):
    key = _config(world.pta_a).signing_key
    response = admin.get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert response.context["may_change"] is True
    assert 'name="backend"' in text and 'name="webhook_url"' in text and 'name="month"' in text
    assert key[-6:] in text and key not in text and key[:12] not in text
    assert 'class="table-scroll"' in text and 'class="ds-table"' in text
    assert text.count("<h1") == 1
    assert f'href="{NEW_KEY}"' in text
    assert f"{EXPORT}?month=" in text and "format=csv" in text and "format=json" in text
    assert response["Cache-Control"] == "private, no-store"


def test_the_admin_saves_a_webhook_with_an_https_address(world, admin):
    response = admin.post(PAGE, {"backend": "webhook", "webhook_url": "https://billett.example.no/hook"})
    assert response.status_code == 302 and response["Location"] == PAGE
    config = _config(world.pta_a)
    assert (config.backend, config.webhook_url) == ("webhook", "https://billett.example.no/hook")
    # Back to files only; the address may stay.
    admin.post(PAGE, {"backend": "export", "webhook_url": ""})
    assert _config(world.pta_a).backend == "export"


@pytest.mark.parametrize("url", ["http://billett.example.no/hook", "ftp://billett.example.no/", "billett"])
def test_the_webhook_needs_https_and_the_error_names_the_value(world, admin, url):
    response = admin.post(PAGE, {"backend": "webhook", "webhook_url": url})
    assert response.status_code == 200
    errors = response.context["form"].errors["webhook_url"]
    assert any(url in error for error in errors)
    assert url in response.content.decode()
    assert _config(world.pta_a).backend == "export"


def test_the_webhook_needs_an_address_and_http_is_allowed_to_localhost(world, admin):
    response = admin.post(PAGE, {"backend": "webhook", "webhook_url": ""})
    assert response.status_code == 200 and "webhook_url" in response.context["form"].errors
    for url in ("http://localhost:8000/hook", "http://127.0.0.1:9000/"):
        assert admin.post(PAGE, {"backend": "webhook", "webhook_url": url}).status_code == 302
        assert _config(world.pta_a).webhook_url == url


def test_an_unknown_backend_is_refused(world, admin):
    response = admin.post(PAGE, {"backend": "entur", "webhook_url": ""})
    assert response.status_code == 200 and "backend" in response.context["form"].errors
    assert _config(world.pta_a).backend == "export"


def test_an_adviser_sees_the_page_read_only_and_may_not_change_it(world):
    client = client_for(world.adviser_a)
    response = client.get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert response.context["may_change"] is False
    assert 'name="webhook_url"' not in text and f'href="{NEW_KEY}"' not in text and PUBLISH not in text
    assert client.post(PAGE, {"backend": "webhook", "webhook_url": "https://x.example.no/"}).status_code == 403
    assert client.get(NEW_KEY).status_code == 403
    assert client.post(NEW_KEY, {"confirm": "yes"}).status_code == 403
    assert client.post(PUBLISH, {"month": "2026-06"}).status_code == 403
    assert client.get(EXPORT, {"month": "2026-06", "format": "csv"}).status_code == 200
    assert _config(world.pta_a).backend == "export"


def test_a_contact_person_gets_403_and_nobody_signed_in_goes_to_the_login(world):
    contact = client_for(world.contact_a1)
    for path in (PAGE, NEW_KEY, EXPORT):
        assert contact.get(path).status_code == 403
    assert contact.post(PUBLISH, {"month": "2026-06"}).status_code == 403
    anonymous = client_for(None, host=world.admin_a.host)
    for path in (PAGE, NEW_KEY, EXPORT):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_key_is_made_after_confirmation_and_shown_once(world, admin):
    old = _config(world.pta_a).signing_key
    confirm = admin.get(NEW_KEY)
    assert confirm.status_code == 200 and 'name="confirm" value="yes"' in confirm.content.decode()
    assert admin.post(NEW_KEY).status_code == 200  # no confirm field: the confirmation page again
    assert _config(world.pta_a).signing_key == old

    response = admin.post(NEW_KEY, {"confirm": "yes"})
    new = _config(world.pta_a).signing_key
    assert response.status_code == 200 and new != old and len(new) == 64
    assert response.context["new_key"] == new
    text = response.content.decode()
    assert "<wbr>".join(new[i : i + 16] for i in range(0, 64, 16)) in text
    assert response["Cache-Control"] == "private, no-store"

    again = admin.get(PAGE).content.decode()
    assert new[-6:] in again and new[:16] not in again


def test_the_export_downloads_csv_and_json(world, admin):
    csv_file = admin.get(EXPORT, {"month": "2026-06", "format": "csv"})
    assert csv_file.status_code == 200 and csv_file["Content-Type"].startswith("text/csv")
    assert csv_file["Content-Disposition"] == 'attachment; filename="billettrettigheter-2026-06.csv"'
    assert csv_file["X-Content-Type-Options"] == "nosniff"
    assert csv_file.content.startswith(b"\xef\xbb\xbfemployee_reference;mobile;")

    json_file = admin.get(EXPORT, {"month": "2026-06", "format": "JSON"})
    assert json_file.status_code == 200 and json_file["Content-Type"] == "application/json"
    document = json.loads(json_file.content)
    assert document["month"] == "2026-06" and document["count"] == 0 and document["entitlements"] == []
    with tenant_context(world.pta_a):
        assert not EntitlementDelivery.objects.exists()


@pytest.mark.parametrize(("query", "value"), [({"month": "juni"}, "juni"), ({"format": "xlsx"}, "xlsx")])
def test_a_bad_month_or_format_goes_back_naming_it(world, admin, query, value):
    response = admin.get(EXPORT, query, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert any(level == constants.ERROR and value in text for level, text in _messages(response))


def test_publishing_with_files_only_sends_nothing(world, admin):
    response = admin.post(PUBLISH, {"month": "2026-06"}, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert [level for level, _text in _messages(response)] == [constants.INFO]
    with tenant_context(world.pta_a):
        assert not EntitlementDelivery.objects.exists()


def test_publishing_with_the_webhook_queues_a_delivery_once(world, admin, django_capture_on_commit_callbacks):
    admin.post(PAGE, {"backend": "webhook", "webhook_url": "https://billett.example.no/hook"}, follow=True)
    with django_capture_on_commit_callbacks(execute=False):
        response = admin.post(PUBLISH, {"month": "2026-06"}, follow=True)
    assert [level for level, _text in _messages(response)] == [constants.SUCCESS]
    with tenant_context(world.pta_a):
        delivery = EntitlementDelivery.objects.get()
        assert (delivery.month.isoformat(), delivery.backend, delivery.state) == ("2026-06-01", "webhook", "queued")
        EntitlementDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENT)
    with django_capture_on_commit_callbacks(execute=False):
        response = admin.post(PUBLISH, {"month": "2026-06"}, follow=True)
    assert [level for level, _text in _messages(response)] == [constants.INFO]
    with tenant_context(world.pta_a):
        assert EntitlementDelivery.objects.count() == 1
    page = admin.get(PAGE)
    assert [d.pk for d in page.context["deliveries"]] == [delivery.pk]
    assert "06.2026" in page.content.decode()


def test_a_bad_month_to_publish_is_named(world, admin):
    response = admin.post(PUBLISH, {"month": "2026-13"}, follow=True)
    assert any(level == constants.ERROR and "2026-13" in text for level, text in _messages(response))


def test_another_ptas_key_never_shows(world):
    key_a = _config(world.pta_a).signing_key
    key_b = _config(world.pta_b).signing_key
    text = client_for(world.adviser_b).get(PAGE).content.decode()
    assert key_b[-6:] in text
    assert key_a[-6:] not in text and key_a not in text
