"""Activities: the company tab, create/edit/done/cancel with their refusals, the month
calendar, who is behind, the iCalendar feed and billing on the next invoice run."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from activities import selectors, services
from activities.models import Activity, ActivityStatus
from companies.models import CompanyStatus
from core.dates import today
from invoicing import services as invoicing_services
from invoicing.models import BillableItem, InvoiceLine
from tests.base import client_for
from tests.factories import CompanyFactory, LocationFactory, PriceFactory, ProductFactory, invoiced_company

pytestmark = pytest.mark.django_db


def _activity(company, **fields):
    fields.setdefault("kind", "stand")
    fields.setdefault("day", today())
    return services.activity_create(company=company, by=None, **fields)


def test_create_edit_done_cancel(world):
    client = client_for(world.adviser_a)
    with tenant_context(world.pta_a):
        location = LocationFactory(company=world.company_a1)
    response = client.post(
        f"/bedrifter/{world.company_a1.pk}/aktiviteter/ny/",
        {"kind": "stand", "title": "Sykkelstand", "day": today().isoformat(), "location": location.pk},
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        activity = Activity.objects.get(title="Sykkelstand")
    response = client.post(
        f"/aktiviteter/{activity.pk}/", {"kind": "event", "title": "Frokost", "day": today().isoformat()}
    )
    assert response.status_code == 302
    assert client.post(f"/aktiviteter/{activity.pk}/utfort/", {"participants": "12"}).status_code == 302
    with tenant_context(world.pta_a):
        activity.refresh_from_db()
        assert (activity.status, activity.participants, activity.title) == (ActivityStatus.DONE, 12, "Frokost")
        other = _activity(world.company_a1, day=today() + timedelta(days=3))
    assert client.post(f"/aktiviteter/{other.pk}/avlys/").status_code == 302
    with tenant_context(world.pta_a):
        other.refresh_from_db()
        assert other.status == ActivityStatus.CANCELLED
    page = client.get(f"/bedrifter/{world.company_a1.pk}/aktiviteter/")
    assert page.status_code == 200 and "Frokost" in page.content.decode()


def test_refusals(world):
    with tenant_context(world.pta_a):
        foreign = LocationFactory(company=world.company_a2)
        with pytest.raises(ValidationError) as error:
            _activity(world.company_a1, location=foreign)
        assert "location" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            _activity(world.company_a1, starts_at="10:00", ends_at="09:00")
        assert "ends_at" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            _activity(world.company_a1, billable=True)
        assert "product" in error.value.message_dict
        future = _activity(world.company_a1, day=today() + timedelta(days=1))
        with pytest.raises(ValidationError):
            services.activity_mark_done(activity=future, participants=3)
    client = client_for(world.adviser_a)
    response = client.post(
        f"/bedrifter/{world.company_a1.pk}/aktiviteter/ny/",
        {"kind": "stand", "day": today().isoformat(), "location": foreign.pk},
    )
    assert response.status_code == 400
    assert "location" in response.context["form"].errors


def test_access(world):
    with tenant_context(world.pta_a):
        activity = _activity(world.company_a1)
    assert client_for(world.contact_a1).get(f"/bedrifter/{world.company_a1.pk}/aktiviteter/").status_code == 200
    assert client_for(world.contact_a2).get(f"/bedrifter/{world.company_a1.pk}/aktiviteter/").status_code == 404
    assert client_for(world.contact_a1).post(f"/aktiviteter/{activity.pk}/avlys/").status_code == 403
    assert client_for(world.adviser_b).get(f"/aktiviteter/{activity.pk + 1000}/").status_code == 404
    assert client_for(None, world.adviser_a.host).get("/aktiviteter/").status_code == 302


def test_calendar_shows_activity_on_its_day(world):
    with tenant_context(world.pta_a):
        activity = _activity(world.company_a1, title="Kalenderstand", day=date(2026, 3, 17))
    page = client_for(world.adviser_a).get("/aktiviteter/kalender/?month=2026-03")
    body = page.content.decode()
    assert page.status_code == 200
    cell = body.split('datetime="2026-03-17"')[1].split("</td>")[0]
    assert f'data-activity="{activity.pk}"' in cell
    assert "?month=2026-02" in body and "?month=2026-04" in body


def test_ical_feed(world):
    with tenant_context(world.pta_a):
        own = _activity(world.company_a1, title="Egen", adviser=world.adviser_a.user)
        _activity(world.company_a1, title="Annen", adviser=world.admin_a.user)
        token = services.calendar_feed_renew(user=world.adviser_a.user)
    anonymous = client_for(None, world.adviser_a.host)
    response = anonymous.get(f"/aktiviteter/ical/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert f"UID:activity-{own.pk}@" in body and "Egen" in body and "Annen" not in body and "\r\n" in body
    assert anonymous.get("/aktiviteter/ical/nope.ics").status_code == 404
    with tenant_context(world.pta_a):
        services.calendar_feed_renew(user=world.adviser_a.user)
    assert anonymous.get(f"/aktiviteter/ical/{token}.ics").status_code == 404


def test_behind_list_and_counts(world):
    with tenant_context(world.pta_a):
        for _ in range(4):
            _activity(world.company_a1)
        counts = selectors.activity_counts(year=today().year)
        progress = {p.company.pk: p for p in selectors.members_progress(day=today())}
    assert counts["done"] == 0 and counts["planned"] == 4
    assert progress[world.company_a1.pk].planned == 4
    assert client_for(world.adviser_a).get("/aktiviteter/etter-skjema/").status_code == 200
    assert client_for(world.adviser_a).get("/aktiviteter/kort/i-dag/").status_code == 200


def _behind_queries(world) -> int:
    client = client_for(world.adviser_a)
    client.get("/aktiviteter/etter-skjema/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/aktiviteter/etter-skjema/")
    return len(queries)


def test_behind_list_queries_constant(world):
    with tenant_context(world.pta_a):
        CompanyFactory(status=CompanyStatus.MEMBER)
    one = _behind_queries(world)
    with tenant_context(world.pta_a):
        for _ in range(4):
            company = CompanyFactory(status=CompanyStatus.MEMBER)
            _activity(company)
    assert _behind_queries(world) == one


def test_done_billable_activity_invoiced_once(world):
    month = date(2026, 11, 1)
    with tenant_context(world.pta_a):
        company = invoiced_company(name="Aktiv AS")
        product = ProductFactory(name="Sykkelsjekk")
        PriceFactory(product=product, amount=Decimal("1500.00"))
        billable = _activity(company, day=date(2026, 11, 5), billable=True, product=product, title="Sjekk")
        Activity.objects.filter(pk=billable.pk).update(status=ActivityStatus.DONE)
        _activity(company, day=date(2026, 11, 6), billable=True, product=product, title="Planlagt")
        done_free = _activity(company, day=date(2026, 11, 7), title="Gratis")
        Activity.objects.filter(pk=done_free.pk).update(status=ActivityStatus.DONE)
        invoicing_services.invoice_run(month=month)
        invoicing_services.invoice_run(month=month)
        assert BillableItem.objects.filter(activity__isnull=False).count() == 1
        lines = InvoiceLine.objects.filter(invoice__company=company, billable_item__activity=billable)
        assert lines.count() == 1
