"""Bank payment files: CSV and Nets OCR read and matched on KID (paid, partly paid, overpaid,
unmatched), bad rows reported row by row with nothing imported, a file imported once, unmatched
payments assigned by hand, and the staff-only pages (upload, preview, confirm, unmatched, overdue)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import netsgiro
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from invoicing import kid, payments
from invoicing.models import Payment, PaymentImport, PaymentState, PaymentUpload
from invoicing.services_payments import payment_assign, payment_file_import
from tests.base import HOST_A, client_for
from tests.factories import draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2026, 12, 1)  # due 15.12.2026; gross 8412.50 (the worked example)
UNKNOWN_KID = kid.for_number(987654, length=10, method="mod10")


def _csv(*lines: str, header: str = "KID;Beløp;Dato") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def _three_invoices():
    return [issued_invoice(today=ISSUED) for _ in range(3)]


def _ocr(transactions: list[tuple[str | None, str]], *, number: str = "1000081") -> bytes:
    """An OCR giro file made by netsgiro's own objects: (KID, amount) per transaction."""
    transmission = netsgiro.Transmission(
        number=number, data_transmitter="55555555", data_recipient="00008080", date=dt.date(2026, 12, 4)
    )
    assignment = transmission.add_assignment(
        service_code=netsgiro.ServiceCode.OCR_GIRO,
        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
        number="4000086",
        account="86011117947",
    )
    for position, (kid_value, amount) in enumerate(transactions, start=1):
        assignment.transactions.append(
            netsgiro.Transaction(
                service_code=netsgiro.ServiceCode.OCR_GIRO,
                type=netsgiro.TransactionType.FROM_GIRO_DEBITED_ACCOUNT,
                number=position,
                date=dt.date(2026, 12, 3),
                amount=Decimal(amount),
                kid=kid_value,
                reference=f"09903856{position}",
                text=None,
                centre_id="13",
                day_code=3,
                partial_settlement_number=1,
                partial_settlement_serial_number="01664",
                sign="0",
                form_number="9636827194",
                bank_date=dt.date(2026, 12, 3),
                debit_account="99990512341",
                filler="0000000",
            )
        )
    return transmission.to_ocr().encode("latin-1")


# --- Parsing ------------------------------------------------------------------------------------


def test_amounts_and_dates_in_the_ways_banks_write_them():
    assert payments.parse_amount("1234.50") == Decimal("1234.50")
    assert payments.parse_amount("1 234,50") == Decimal("1234.50")
    assert payments.parse_amount("1\u00a0234,5") == Decimal("1234.50")
    assert payments.parse_amount("1.234,50") == Decimal("1234.50")
    assert payments.parse_amount("1,234.50") == Decimal("1234.50")
    for bad in ("-5,00", "0", "abc", "1,2,3", "1.2345", ""):
        with pytest.raises(ValueError):
            payments.parse_amount(bad)
    assert payments.parse_date("03.12.2026") == dt.date(2026, 12, 3)
    assert payments.parse_date("2026-12-03") == dt.date(2026, 12, 3)
    with pytest.raises(ValueError):
        payments.parse_date("31.02.2026")
    with pytest.raises(ValueError):
        payments.parse_date("12/03/2026")


def test_the_format_is_told_by_the_content():
    assert payments.detect_format(_ocr([(UNKNOWN_KID, "10.00")])) == payments.OCR
    assert payments.detect_format(_csv(f"{UNKNOWN_KID};10,00;03.12.2026")) == payments.CSV


def test_mod11_kids_are_checked_by_the_ptas_method():
    mod11 = kid.for_number(42, length=10, method="mod11")
    parsed = payments.read_payments(_csv(f"{mod11};10,00;03.12.2026"), "b.csv", kid_method="mod11")
    assert parsed.errors == [] and parsed.rows[0].kid == mod11
    parsed = payments.read_payments(_csv(f"{mod11};10,00;03.12.2026"), "b.csv", kid_method="mod10")
    if not kid.is_valid(mod11, method="mod10"):
        assert [(e.row, e.field) for e in parsed.errors] == [(2, "kid")]


# --- Importing ----------------------------------------------------------------------------------


def test_a_csv_file_matches_paid_partly_paid_overpaid_and_unmatched(world):
    with tenant_context(world.pta_a):
        paid, partly, over = _three_invoices()
        content = _csv(
            f"{paid.kid};8 412,50;03.12.2026",
            f"{partly.kid};1000.00;2026-12-03",
            f"{over.kid};9 000,00;03.12.2026",
            f"{UNKNOWN_KID};500,00;04.12.2026",
        )
        result = payment_file_import(content=content, filename="bank.csv", user=world.adviser_a.user)
        assert result.errors == [] and result.imported
        assert [(o.row, o.outcome) for o in result.outcomes] == [
            (2, "paid"),
            (3, "partly_paid"),
            (4, "overpaid"),
            (5, "unmatched"),
        ]
        assert result.outcomes[1].balance == Decimal("7412.50")
        assert result.outcomes[2].balance == Decimal("-587.50")
        imported = PaymentImport.objects.get()
        assert (imported.format, imported.payments, imported.total) == ("csv", 4, Decimal("18912.50"))
        states = dict(Payment.objects.values_list("row", "state"))
        assert states == {2: "matched", 3: "matched", 4: "matched", 5: "unmatched"}
        assert Payment.objects.get(row=2).invoice == paid
        assert Payment.objects.get(row=5).invoice is None


def test_a_comma_separated_file_with_english_headers(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        content = _csv(f'{invoice.kid},"8,412.50",2026-12-03,ARK1', header="kid,amount,date,reference")
        result = payment_file_import(content=content, filename="bank.csv")
        assert [o.outcome for o in result.outcomes] == ["paid"]
        assert Payment.objects.get().reference == "ARK1"


def test_an_ocr_file_is_imported_and_matched(world):
    with tenant_context(world.pta_a):
        first, second = issued_invoice(today=ISSUED), issued_invoice(today=ISSUED)
        content = _ocr([(first.kid, "8412.50"), (second.kid, "100.00"), (UNKNOWN_KID, "50.00")])
        result = payment_file_import(content=content, filename="OCR.D041226.txt")
        assert result.format == "ocr" and result.errors == []
        assert [o.outcome for o in result.outcomes] == ["paid", "partly_paid", "unmatched"]
        payment = Payment.objects.get(invoice=first)
        assert payment.paid_on == dt.date(2026, 12, 3)
        assert payment.reference == "099038561"
        assert payment.row == 3  # the transaction's first record is the third line
        assert PaymentImport.objects.get().format == "ocr"


def test_an_ocr_kid_with_a_wrong_check_digit_is_refused(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        bad = invoice.kid[:-1] + str((int(invoice.kid[-1]) + 1) % 10)
        result = payment_file_import(content=_ocr([(invoice.kid, "10.00"), (bad, "20.00")]), filename="ocr.txt")
        assert [(e.row, e.field, e.value) for e in result.errors] == [(5, "kid", bad)]
        assert not result.imported and Payment.objects.count() == 0


def test_bad_rows_are_reported_row_by_row_and_nothing_is_imported(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        bad_kid = invoice.kid[:-1] + str((int(invoice.kid[-1]) + 1) % 10)
        content = _csv(
            f"{invoice.kid};100,00;03.12.2026",
            f"{bad_kid};100,00;03.12.2026",
            f"{invoice.kid};-50,00;03.12.2026",
            f"{invoice.kid};50,00;31.02.2026",
            ";50,00;03.12.2026",
        )
        result = payment_file_import(content=content, filename="bank.csv")
        assert [(e.row, e.field) for e in result.errors] == [(3, "kid"), (4, "amount"), (5, "date"), (6, "kid")]
        assert result.errors[0].value == bad_kid and "Kontrollsifferet" in result.errors[0].message
        assert result.errors[1].value == "-50,00"
        assert result.errors[2].as_line() == "row 5, date: Datoen finnes ikke."
        assert "ingenting ble importert" in result.message
        assert not result.imported
        assert PaymentImport.objects.count() == 0 and Payment.objects.count() == 0


def test_a_file_without_the_columns_is_refused(world):
    with tenant_context(world.pta_a):
        result = payment_file_import(content=b"Navn;Sum\nA;1\n", filename="bank.csv")
        assert {(e.row, e.field) for e in result.errors} == {(1, "kid"), (1, "date")}


def test_the_same_file_twice_changes_nothing(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        content = _csv(f"{invoice.kid};100,00;03.12.2026")
        first = payment_file_import(content=content, filename="bank.csv")
        again = payment_file_import(content=content, filename="another-name.csv")
        assert first.imported and not again.imported
        assert again.already_imported == first.payment_import
        assert "allerede importert" in again.message and "ingenting ble endret" in again.message
        assert PaymentImport.objects.count() == 1 and Payment.objects.count() == 1


# --- Assigning ----------------------------------------------------------------------------------


def test_an_unmatched_payment_is_assigned_once_to_an_issued_invoice(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        draft = draft_invoice()
        payment_file_import(content=_csv(f"{UNKNOWN_KID};8412,50;03.12.2026"), filename="bank.csv")
        payment = Payment.objects.get()
        assert payment.state == PaymentState.UNMATCHED
        with pytest.raises(ValidationError, match="utstedt faktura"):
            payment_assign(payment=payment, invoice=draft, user=world.adviser_a.user)
        payment_assign(payment=payment, invoice=invoice, user=world.adviser_a.user)
        payment.refresh_from_db()
        assert (payment.state, payment.invoice, payment.assigned_by) == ("assigned", invoice, world.adviser_a.user)
        assert payment.assigned_at is not None
        with pytest.raises(ValidationError, match="allerede koblet til faktura"):
            payment_assign(payment=payment, invoice=invoice, user=world.adviser_a.user)


# --- Pages --------------------------------------------------------------------------------------

PAGES = [
    "/fakturering/innbetalinger/",
    "/fakturering/innbetalinger/last-opp/",
    "/fakturering/innbetalinger/uavklarte/",
    "/fakturering/forfalte/",
]


@pytest.mark.parametrize("path", PAGES)
def test_staff_see_the_pages_and_others_are_refused(world, path):
    assert client_for(world.adviser_a).get(path).status_code == 200
    assert client_for(world.admin_a).get(path).status_code == 200
    anonymous = client_for(None, host=HOST_A).get(path)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(world.contact_a1).get(path).status_code == 403


def test_upload_preview_confirm_and_result_through_the_pages(world, media_root):
    with tenant_context(world.pta_a):
        paid, partly = issued_invoice(today=ISSUED), issued_invoice(today=ISSUED)
    content = _csv(f"{paid.kid};8412,50;03.12.2026", f"{partly.kid};12,00;03.12.2026", f"{UNKNOWN_KID};5;03.12.2026")
    client = client_for(world.adviser_a)
    response = client.post("/fakturering/innbetalinger/last-opp/", {"file": SimpleUploadedFile("bank.csv", content)})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    with tenant_context(world.pta_a):
        upload = PaymentUpload.objects.get()
        assert (upload.total, upload.matched, upload.unmatched, upload.amount) == (3, 2, 1, Decimal("8429.50"))
        assert Payment.objects.count() == 0  # nothing until confirmed
    assert preview.context["upload"] == upload
    confirm = client.post(f"/fakturering/innbetalinger/last-opp/{upload.pk}/bekreft/")
    assert confirm.status_code == 302
    result = client.get(confirm["Location"])
    assert [o.outcome for o in result.context["outcomes"]] == ["paid", "partly_paid", "unmatched"]
    client.post(f"/fakturering/innbetalinger/last-opp/{upload.pk}/bekreft/")  # twice: nothing more
    with tenant_context(world.pta_a):
        assert Payment.objects.count() == 3 and PaymentImport.objects.count() == 1
        upload.refresh_from_db()
        assert upload.status == "done" and not upload.file
    index = client.get("/fakturering/innbetalinger/")
    assert index.context["unmatched_count"] == 1


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(world, media_root):
    client = client_for(world.adviser_a)
    content = _csv(f"{UNKNOWN_KID};-1;03.12.2026", f"{UNKNOWN_KID};1;32.12.2026")
    response = client.post(
        "/fakturering/innbetalinger/last-opp/", {"file": SimpleUploadedFile("bank.csv", content)}, follow=True
    )
    errors = list(response.context["errors"])
    assert [(e["row"], e["field"]) for e in errors] == [(2, "amount"), (3, "date")]
    assert "Confirm import" not in response.content.decode()
    with tenant_context(world.pta_a):
        upload = PaymentUpload.objects.get()
    client.post(f"/fakturering/innbetalinger/last-opp/{upload.pk}/bekreft/")
    with tenant_context(world.pta_a):
        assert Payment.objects.count() == 0 and PaymentImport.objects.count() == 0


def test_assigning_through_the_page_and_other_ptas_objects_are_404(world, media_root):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=ISSUED)
        payment_file_import(content=_csv(f"{UNKNOWN_KID};100,00;03.12.2026"), filename="bank.csv")
        payment = Payment.objects.get()
    client = client_for(world.adviser_a)
    page = client.get("/fakturering/innbetalinger/uavklarte/")
    assert f"/fakturering/innbetalinger/{payment.pk}/tilordne/" in page.content.decode()
    url = f"/fakturering/innbetalinger/{payment.pk}/tilordne/"
    wrong = client.post(url, {f"p{payment.pk}-invoice_number": "999999"})
    assert wrong.status_code == 400 and "ingen faktura med dette nummeret" in wrong.content.decode()
    # Another PTA's adviser, on their own host, does not find the payment.
    assert client_for(world.adviser_b).post(url, {f"p{payment.pk}-invoice_number": invoice.number}).status_code == 404
    assert client_for(world.adviser_b).get("/fakturering/innbetalinger/last-opp/1/").status_code == 404
    assert client_for(world.contact_a1).post(url, {f"p{payment.pk}-invoice_number": invoice.number}).status_code == 403
    done = client.post(url, {f"p{payment.pk}-invoice_number": invoice.number})
    assert done.status_code == 302
    with tenant_context(world.pta_a):
        payment.refresh_from_db()
        assert payment.state == PaymentState.ASSIGNED and payment.invoice == invoice
    assert client.get("/fakturering/innbetalinger/uavklarte/").context["items"] == []


def test_the_overdue_page_lists_invoices_with_their_balance(world):
    with tenant_context(world.pta_a):
        overdue = issued_invoice(today=dt.date(2026, 10, 1))
        payment_file_import(content=_csv(f"{overdue.kid};412,50;03.10.2026"), filename="bank.csv")
    response = client_for(world.adviser_a).get("/fakturering/forfalte/")
    invoices = list(response.context["page"])
    assert [(i.number, i.balance) for i in invoices] == [(overdue.number, Decimal("8000.00"))]
    assert "8" in response.content.decode() and str(overdue.number) in response.content.decode()
