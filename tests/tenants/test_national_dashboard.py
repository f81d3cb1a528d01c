"""The national dashboard: KPIs from the public tables, the export, the refresh
request, and no personal data of any PTA on the national pages."""

from __future__ import annotations

import datetime
from unittest import mock

from django.utils import timezone

from tenants.models import RefreshRequest, RegionMonth, RegionStats
from tests.base import NATIONAL_HOST, client_for


def _stats(world):
    RegionStats.objects.update_or_create(
        tenant=world.pta_a,
        defaults={"member_companies": 271, "employees": 4567, "active_tickets": 83, "refreshed_at": timezone.now()},
    )
    RegionMonth.objects.update_or_create(
        tenant=world.pta_a, month=datetime.date.today().replace(day=1), defaults={"active_tickets": 83}
    )


def test_coordinator_sees_the_figures_and_no_personal_data(world):
    _stats(world)
    client = client_for(world.coordinator, NATIONAL_HOST)
    for path in ("/nasjonalt/", f"/regioner/{world.pta_a.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        assert "271" in content
        for persona in ("admin_a", "adviser_a", "contact_a1", "adviser_b"):
            assert getattr(world, persona).email not in content, (path, persona)


def test_others_are_refused_the_dashboard_and_export(world):
    for persona in ("admin_a", "contact_a1"):
        client = client_for(getattr(world, persona), NATIONAL_HOST)
        assert client.get("/nasjonalt/").status_code in (302, 403)
        assert client.get("/nasjonalt/eksport.csv").status_code in (302, 403)
    assert client_for(None, NATIONAL_HOST).get("/nasjonalt/eksport.csv").status_code == 302


def test_export_csv_and_xlsx(world):
    _stats(world)
    client = client_for(world.coordinator, NATIONAL_HOST)
    response = client.get("/nasjonalt/eksport.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert world.pta_a.name in response.content.decode("utf-8-sig")
    assert "271" in response.content.decode("utf-8-sig")
    response = client.get("/nasjonalt/eksport.xlsx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_refresh_creates_a_request_and_sends_the_task(world):
    client = client_for(world.coordinator, NATIONAL_HOST)
    with mock.patch("tenants.views_national.current_app.send_task") as send_task, client_captures_on_commit():
        response = client.post("/nasjonalt/oppdater/")
    assert response.status_code == 302
    assert RefreshRequest.objects.count() == 1
    send_task.assert_called_once()
    assert send_task.call_args.args[0] == "tenants.tasks.dispatch_to_tenants"


def client_captures_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
