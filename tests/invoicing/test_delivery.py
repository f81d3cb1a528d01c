"""Delivering issued invoices (e-mail with the PDF over real SMTP, or EHF through the file drop),
once; a run's PDFs rendered by a real Celery worker with progress; who may reach the pages."""

from __future__ import annotations

import os
from datetime import date

import pgtrigger
import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from invoicing import services_delivery, tasks
from invoicing.models import (
    DeliveryMethod,
    DeliveryState,
    Invoice,
    InvoiceDelivery,
    InvoiceFile,
    InvoiceLine,
    InvoiceNumberSeries,
    InvoiceRun,
)
from invoicing.services_delivery import DELIVER_INVOICE, invoice_deliver, run_pdf_progress, run_pdfs_request
from tests.base import client_for
from tests.factories import draft_invoice, invoiced_company, issued_invoice
from tests.invoicing.ehf_assert import assert_valid_ehf
from tests.servers import SmtpSink, celery_worker, wait_for

ISSUED = date(2026, 12, 1)


def _smtp(settings, smtp):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port


@pytest.mark.django_db
def test_an_invoice_goes_by_email_with_its_pdf_once(world, settings, media_root, django_capture_on_commit_callbacks):
    with SmtpSink() as smtp, tenant_context(world.pta_a):
        _smtp(settings, smtp)
        invoice = issued_invoice(today=ISSUED)
        with django_capture_on_commit_callbacks(execute=True):
            delivery = invoice_deliver(invoice=invoice)  # the outbox hands it to the (eager) task on commit
        assert len(smtp.messages) == 1
        delivery.refresh_from_db()
        assert (delivery.method, delivery.address, delivery.state) == (
            DeliveryMethod.EMAIL,
            invoice.buyer_email,
            DeliveryState.SENT,
        )
        assert delivery.attempts == 1 and delivery.sent_at is not None
        # Asked again, and the task run again: nothing more is queued or sent.
        with django_capture_on_commit_callbacks(execute=True):
            assert invoice_deliver(invoice=invoice).pk == delivery.pk
        assert tasks.deliver_invoice(delivery.pk) == DeliveryState.SENT
        assert len(smtp.messages) == 1
        assert OutboxMessage.objects.filter(task_name=DELIVER_INVOICE).count() == 1
        assert InvoiceDelivery.objects.filter(invoice=invoice).count() == 1
    message = smtp.messages[0]
    assert message["To"] == invoice.buyer_email
    assert "Region A" in message["From"] and str(invoice.number) in message["Subject"]
    parts = list(message.walk())
    body = next(p for p in parts if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "8 412,50" in body and invoice.kid in body and "15.12.2026" in body and "8601.11.17947" in body
    attachment = next(p for p in parts if p.get_content_type() == "application/pdf")
    assert attachment.get_filename() == f"faktura-{invoice.number}.pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF-")


@pytest.mark.django_db
def test_a_draft_or_a_buyer_without_address_is_refused(world, media_root):
    with tenant_context(world.pta_a):
        with pytest.raises(ValidationError):
            invoice_deliver(invoice=draft_invoice())
        invoice = issued_invoice(today=ISSUED)
        invoice.buyer_email = ""  # as if the agreement had none when issued (not saved: issued rows are final)
        with pytest.raises(ValidationError, match=str(invoice.number)):
            invoice_deliver(invoice=invoice)
        assert not InvoiceDelivery.objects.exists()
        assert not OutboxMessage.objects.filter(task_name=DELIVER_INVOICE).exists()


@pytest.mark.django_db
def test_ehf_goes_through_the_file_drop(world, settings, tmp_path, media_root, django_capture_on_commit_callbacks):
    settings.INVOICE_EHF_DROP_DIR = str(tmp_path / "drop")
    with tenant_context(world.pta_a):
        company = invoiced_company()
        company.agreement.ehf_address = "0192:914778271"
        company.agreement.save()
        invoice = issued_invoice(company, today=ISSUED)
        with django_capture_on_commit_callbacks(execute=True):
            delivery = invoice_deliver(invoice=invoice)
        delivery.refresh_from_db()
    assert (delivery.method, delivery.state, delivery.backend) == (DeliveryMethod.EHF, DeliveryState.SENT, "file_drop")
    dropped = tmp_path / "drop" / "ptaa" / f"{invoice.number}.xml"
    report = assert_valid_ehf(dropped.read_bytes())
    assert report.ok
    assert f"<cbc:ID>{invoice.number}</cbc:ID>" in dropped.read_text()
    assert 'schemeID="0192">914778271</cbc:EndpointID>' in dropped.read_text()
    assert [p.name for p in dropped.parent.iterdir()] == [dropped.name]  # no temporary file left


@pytest.mark.django_db
def test_an_unreachable_server_is_recorded_and_retried_then_sent(world, settings, media_root):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        delivery = invoice_deliver(invoice=invoice)
        with pytest.raises(OSError):
            services_delivery.delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.QUEUED and delivery.attempts == 1 and delivery.error
        services_delivery.delivery_send(delivery_id=delivery.pk, final=True)
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.FAILED and delivery.attempts == 2
        # A failed delivery asked again is queued again.
        assert invoice_deliver(invoice=invoice).state == DeliveryState.QUEUED


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_start_the_pdfs_follow_progress_and_send(world, media_root):
    with tenant_context(world.pta_a):
        run = InvoiceRun.objects.create(month=date(2026, 11, 1))
        invoice = issued_invoice(today=ISSUED, run=run, group_key="company")
    adviser = client_for(world.adviser_a)
    response = adviser.post(f"/fakturering/kjoringer/{run.pk}/pdf/")
    assert response.status_code == 302 and response["Location"] == "/fakturering/kjoringer/2026-11/"
    with tenant_context(world.pta_a):
        run.refresh_from_db()
        assert run.pdf_requested_at is not None
        assert OutboxMessage.objects.filter(task_name=services_delivery.RENDER_RUN_PDFS, args=[run.pk]).exists()
    page = adviser.get(f"/fakturering/kjoringer/{run.pk}/pdf/fremdrift/").content.decode()
    assert "0 av 1" in page or "0 of 1" in page
    assert 'hx-trigger="every 2s"' in page
    response = client_for(world.admin_a).post(f"/fakturering/faktura/{invoice.pk}/send/", {"next": "/fakturering/"})
    assert response.status_code == 302 and response["Location"] == "/fakturering/"
    response = adviser.post(f"/fakturering/faktura/{invoice.pk}/send/", {"next": "https://evil.example/"})
    assert response["Location"] != "https://evil.example/"
    with tenant_context(world.pta_a):
        assert InvoiceDelivery.objects.filter(invoice=invoice).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "contact_a1", "adviser_b"])
def test_others_are_refused(world, who, media_root, settings):
    with tenant_context(world.pta_a):
        run = InvoiceRun.objects.create(month=date(2026, 11, 1))
        invoice = issued_invoice(today=ISSUED, run=run, group_key="company")
    client = (
        client_for(None, host="pta-a.localhost")
        if who == "anonymous"
        else client_for(getattr(world, who), host="pta-a.localhost")
    )
    for method, url in (
        ("post", f"/fakturering/kjoringer/{run.pk}/pdf/"),
        ("get", f"/fakturering/kjoringer/{run.pk}/pdf/fremdrift/"),
        ("post", f"/fakturering/faktura/{invoice.pk}/send/"),
    ):
        response = getattr(client, method)(url)
        if who in ("anonymous", "adviser_b"):  # another PTA's session is not valid on this host: signed out
            assert response.status_code == 302, url
            assert response["Location"].startswith(settings.LOGIN_URL) or "login" in response["Location"], url
        else:  # a contact person of the PTA
            assert response.status_code == 403, url
    with tenant_context(world.pta_a):
        run.refresh_from_db()
        assert run.pdf_requested_at is None and not InvoiceDelivery.objects.exists()


@pytest.mark.django_db
def test_unknown_run_or_invoice_is_404(world):
    adviser = client_for(world.adviser_a)
    assert adviser.post("/fakturering/kjoringer/999999/pdf/").status_code == 404
    assert adviser.get("/fakturering/kjoringer/999999/pdf/fremdrift/").status_code == 404
    assert adviser.post("/fakturering/faktura/999999/send/").status_code == 404


# --- A real worker ------------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_renders_the_runs_pdfs_and_the_progress_reaches_the_total(committed_world, tmp_path):
    w = committed_world
    media = tmp_path / "media"
    with tenant_context(w.pta_a):
        series = InvoiceNumberSeries.objects.get(singleton=1).next_number
        run = InvoiceRun.objects.create(month=date(2031, 1, 1))
        company = invoiced_company()
        invoices = [issued_invoice(company, today=ISSUED, run=run, group_key=f"g{i}") for i in range(3)]
        assert run_pdf_progress(run=run) == (0, 3)
    try:
        with celery_worker("invoice-pdfs", MEDIA_ROOT=str(media)), tenant_context(w.pta_a):
            run_pdfs_request(run=run)
            wait_for(lambda: run_pdf_progress(run=run) == (3, 3), timeout=120, what="the worker to render 3 PDFs")
            names = list(InvoiceFile.objects.filter(invoice__run=run).values_list("pdf", flat=True))
        assert len(names) == 3
        for name in names:
            assert name.startswith("invoices/ptaa/")
            assert (media / name).read_bytes().startswith(b"%PDF-")
    finally:
        with tenant_context(w.pta_a), pgtrigger.ignore("invoicing.Invoice:issued_invoice_is_final"):
            ids = [invoice.pk for invoice in invoices]
            OutboxMessage.objects.filter(task_name=services_delivery.RENDER_RUN_PDFS, args=[run.pk]).delete()
            InvoiceFile.objects.filter(invoice_id__in=ids).delete()
            with pgtrigger.ignore("invoicing.InvoiceLine:issued_invoice_lines_are_final"):
                InvoiceLine.objects.filter(invoice_id__in=ids).delete()
            Invoice.objects.filter(pk__in=ids).delete()
            run.delete()
            company.delete()
            InvoiceNumberSeries.objects.filter(singleton=1).update(next_number=series)
        assert os.path.isdir(media)
