"""The invoicing pages: an adviser drafts a month, reviews and issues (one refusal named, the
rest through), credits in part; contact persons see their company's issued invoices only with the
right; the accounting export balances with SAF-T codes; the settings and the numbering."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from companies.models import ContactPerson
from core.models import OutboxMessage
from invoicing import tasks
from invoicing.models import BillableItem, Invoice, InvoiceNumberSeries, InvoiceSettings, InvoiceState
from invoicing.services import credit_note_create, invoice_issue, invoice_run
from tenants.models import ProductUnit
from tenants.signals import SESSION_TENANT_KEY
from tests.base import HOST_A, client_for
from tests.factories import (
    AgreementProductFactory,
    EmployeeFactory,
    PriceFactory,
    ProductFactory,
    TicketPriceFactory,
    TicketTypeFactory,
    contact_user,
    draft_invoice,
    invoiced_company,
    issued_invoice,
)
from tickets.models import Ticket, TicketState

pytestmark = pytest.mark.django_db


def _with_ticket(company):
    ticket_type = TicketTypeFactory()
    TicketPriceFactory(ticket_type=ticket_type)
    employee = EmployeeFactory(company=company)
    Ticket.objects.create(
        employee=employee, company=company, ticket_type=ticket_type, state=TicketState.ACTIVE, starts=date(2026, 1, 1)
    )


def test_an_adviser_drafts_reviews_and_issues_a_month_with_each_refusal_named(world):
    with tenant_context(world.pta_a):
        ready, missing = invoiced_company(name="Klar AS"), invoiced_company(name="Mangler AS")
        missing.agreement.invoice_email = ""
        missing.agreement.save()
        _with_ticket(ready)
        _with_ticket(missing)
    adviser = client_for(world.adviser_a)
    response = adviser.post("/fakturering/kjoringer/ny/", {"month": "2026-11"})
    assert response.status_code == 302 and response["Location"] == "/fakturering/kjoringer/2026-11/"
    page = adviser.get("/fakturering/kjoringer/2026-11/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Klar AS" in text and "har ingen e-postadresse for faktura eller EHF-adresse" in text
    response = adviser.post("/fakturering/kjoringer/2026-11/utsted/", {"all": "1"}, follow=True)
    text = response.content.decode()
    assert "1 faktura utstedt." in text
    assert "Mangler AS har ingen e-postadresse for faktura eller EHF-adresse" in text
    with tenant_context(world.pta_a):
        assert Invoice.objects.get(company=ready).state == InvoiceState.ISSUED
        assert Invoice.objects.get(company=missing).state == InvoiceState.DRAFT


def test_issuing_the_chosen_drafts_only(world):
    with tenant_context(world.pta_a):
        first, second = invoiced_company(name="Første AS"), invoiced_company(name="Andre AS")
        _with_ticket(first)
        _with_ticket(second)
        drafts = {i.company_id: i for i in invoice_run(month=date(2026, 11, 1)).created}
    adviser = client_for(world.adviser_a)
    adviser.post("/fakturering/kjoringer/2026-11/utsted/", {"invoice": [drafts[second.pk].pk]})
    with tenant_context(world.pta_a):
        assert Invoice.objects.get(company=second).state == InvoiceState.ISSUED
        assert Invoice.objects.get(company=first).state == InvoiceState.DRAFT


def test_crediting_part_of_an_invoice_on_its_page(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        line = invoice.lines.get(position=1)
    adviser = client_for(world.adviser_a)
    assert adviser.get(f"/fakturering/faktura/{invoice.pk}/krediter/").status_code == 200
    response = adviser.post(
        f"/fakturering/faktura/{invoice.pk}/krediter/",
        {"reason": "Billett avsluttet", f"line_{line.pk}": "1", f"line_{line.pk + 1}": "0"},
    )
    with tenant_context(world.pta_a):
        note = Invoice.objects.get(credited_invoice=invoice)
    assert response["Location"] == f"/fakturering/faktura/{note.pk}/"
    assert note.number == invoice.number + 1 and note.gross_total == Decimal("810.00")
    too_much = adviser.post(
        f"/fakturering/faktura/{invoice.pk}/krediter/", {"reason": "Igjen", f"line_{line.pk}": "10"}
    )
    assert (
        too_much.status_code == 200
        and "at most" in too_much.content.decode().lower()
        or "9" in too_much.content.decode()
    )
    with tenant_context(world.pta_a):
        assert Invoice.objects.filter(credited_invoice=invoice).count() == 1


def test_contact_persons_see_their_issued_invoices_only_with_the_right(world):
    with tenant_context(world.pta_a):
        company = invoiced_company()
        invoice = issued_invoice(company)
        draft = draft_invoice(company)
        allowed = contact_user(world.pta_a, [company])
        refused = contact_user(world.pta_a, [company])
        ContactPerson.objects.filter(user=refused, company=company).update(can_see_invoices=False)
    client = client_for_user(allowed, HOST_A)
    tab = client.get(f"/bedrifter/{company.pk}/fakturaer/")
    assert tab.status_code == 200 and str(invoice.number) in tab.content.decode()
    assert f"draft-{draft.pk}" not in tab.content.decode()
    assert client.get(f"/fakturering/faktura/{invoice.pk}/").status_code == 200
    assert client.get(f"/fakturering/faktura/{draft.pk}/").status_code == 404
    assert client.get(f"/fakturering/faktura/{invoice.pk}/krediter/").status_code == 403
    without = client_for_user(refused, HOST_A)
    assert without.get(f"/bedrifter/{company.pk}/fakturaer/").status_code == 403
    assert without.get(f"/fakturering/faktura/{invoice.pk}/").status_code == 403


def client_for_user(user, host):
    client = Client(HTTP_HOST=host)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_TENANT_KEY] = "ptaa"
    session.save()
    return client


def test_the_accounting_export_balances_each_voucher_with_saft_codes(world):
    with tenant_context(world.pta_a):
        company = invoiced_company()
        _with_ticket(company)
        fee = ProductFactory(name="Avgift", unit=ProductUnit.PER_EMPLOYEE_MONTH)
        PriceFactory(product=fee, amount=Decimal("10.00"))
        AgreementProductFactory(agreement=company.agreement, product=fee)
        invoice = invoice_run(month=date(2026, 11, 1)).created[0]
        invoice = invoice_issue(invoice=invoice)
        credit_note_create(invoice=invoice, reason="Feil")
    response = client_for(world.adviser_a).get("/fakturering/kjoringer/2026-11/regnskap.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    per_voucher = defaultdict(Decimal)
    for row in rows:
        per_voucher[row["voucher"]] += Decimal(row["debit"]) - Decimal(row["credit"])
    assert set(per_voucher.values()) == {Decimal(0)} and len(per_voucher) == 2
    assert {row["vat_code"] for row in rows if row["account"] in {"3000", "3010"}} == {"3", "33"}
    receivable = [row for row in rows if row["account"] == "1500"]
    assert Decimal(receivable[0]["debit"]) == invoice.gross_total
    assert Decimal(receivable[1]["credit"]) == invoice.gross_total


def test_the_admin_sets_kid_and_the_first_number_until_an_invoice_is_issued(world):
    admin = client_for(world.admin_a)
    data = {
        "kid_method": "mod11",
        "kid_length": "8",
        "payment_terms_days": "20",
        "seller_address": "Postboks 1",
        "seller_postcode": "4001",
        "seller_city": "Stavanger",
        "first_reminder_days": "7",
        "second_reminder_days": "14",
        "receivable_account": "1500",
        "revenue_account_25": "3000",
        "revenue_account_12": "3010",
        "revenue_account_0": "3100",
        "vat_account_25": "2700",
        "vat_account_12": "2701",
        "bank_account_ledger": "1920",
        "org_number": "923 609 016",
        "bank_account": "8601 11 17947",
        "vat_registered": "on",
        "next_number": "5000",
    }
    assert admin.get("/fakturering/innstillinger/").status_code == 200
    assert admin.post("/fakturering/innstillinger/", data).status_code == 302
    with tenant_context(world.pta_a):
        assert InvoiceNumberSeries.objects.get().next_number == 5000
        invoice = issued_invoice()
        assert invoice.number == 5000 and len(invoice.kid) == 8 and invoice.kid.startswith("0005000")
        assert (invoice.due_date - invoice.issue_date).days == 20
    admin.post("/fakturering/innstillinger/", data | {"next_number": "1"})
    with tenant_context(world.pta_a):
        assert InvoiceNumberSeries.objects.get().next_number == 5001
        assert InvoiceSettings.objects.get().kid_method == "mod11"
    bad = admin.post("/fakturering/innstillinger/", data | {"bank_account": "12345678901"})
    assert bad.status_code == 200 and "er ikke et gyldig norsk kontonummer" in bad.content.decode()


def test_an_add_on_goes_on_its_months_invoice_once_and_cannot_be_removed_after(world):
    with tenant_context(world.pta_a):
        company = invoiced_company()
        product = ProductFactory(name="Sykkelsjekk", unit=ProductUnit.PER_EVENT)
    adviser = client_for(world.adviser_a)
    assert adviser.get(f"/bedrifter/{company.pk}/fakturaer/tillegg/").status_code == 200
    response = adviser.post(
        f"/bedrifter/{company.pk}/fakturaer/tillegg/",
        {"product": product.pk, "day": "2026-11-12", "quantity": "1", "unit_price": "1500"},
    )
    assert response.status_code == 302
    with tenant_context(world.pta_a):
        item = BillableItem.objects.get(company=company)
        invoice = invoice_run(month=date(2026, 11, 1)).created[0]
        assert invoice.lines.get().net_amount == Decimal("1500.00")
    refused = adviser.post(
        f"/bedrifter/{company.pk}/fakturaer/tillegg/{item.pk}/fjern/", {"confirm": "yes"}, follow=True
    )
    assert "slett utkastet" in refused.content.decode()
    with tenant_context(world.pta_a):
        assert BillableItem.objects.filter(pk=item.pk).exists()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_run_page_and_the_invoices_tab_take_as_many_queries_for_many_invoices_as_for_few(world):
    with tenant_context(world.pta_a):
        few = [invoiced_company() for _ in range(2)]
        for company in few:
            _with_ticket(company)
        invoice_run(month=date(2026, 10, 1))
        many = [invoiced_company() for _ in range(6)]
        for company in many:
            _with_ticket(company)
        invoice_run(month=date(2026, 11, 1))
        one_company = invoiced_company()
        issued_invoice(one_company)
        busy_company = invoiced_company()
        for _ in range(5):
            credit_note_create(invoice=issued_invoice(busy_company), reason="Feil")
    adviser = client_for(world.adviser_a)
    assert _queries(adviser, "/fakturering/kjoringer/2026-10/") == _queries(adviser, "/fakturering/kjoringer/2026-11/")
    assert _queries(adviser, f"/bedrifter/{one_company.pk}/fakturaer/") == _queries(
        adviser, f"/bedrifter/{busy_company.pk}/fakturaer/"
    )


def test_sending_the_runs_issued_invoices_queues_each_once(world, media_root, mailoutbox):
    with tenant_context(world.pta_a):
        company = invoiced_company(name="Sendes AS")
        _with_ticket(company)
        invoice = invoice_issue(invoice=invoice_run(month=date(2026, 11, 1)).created[0])
    adviser = client_for(world.adviser_a)
    response = adviser.post("/fakturering/kjoringer/2026-11/send/", follow=True)
    assert "1 faktura sendes." in response.content.decode()
    with tenant_context(world.pta_a):
        # The test's transaction never commits, so the outbox row waits: run what it names.
        (row,) = OutboxMessage.objects.filter(task_name="invoicing.tasks.deliver_invoice")
        assert tasks.deliver_invoice(*row.args) == "sent"
    assert [m.to for m in mailoutbox] == [[invoice.buyer_email]]
    again = adviser.post("/fakturering/kjoringer/2026-11/send/", follow=True)
    assert "allerede sendt" in again.content.decode() and len(mailoutbox) == 1
