"""EHF (PEPPOL BIS Billing 3.0): issued invoices and credit notes pass the official rules."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context
from lxml import etree

from invoicing import kid
from invoicing.ehf import CUSTOMIZATION_ID, invoice_xml
from invoicing.ehf_validation import validate
from invoicing.services import credit_note_create, invoice_settings
from tests.factories import invoiced_company, issued_invoice, org_number
from tests.invoicing.ehf_assert import assert_valid_ehf

pytestmark = pytest.mark.django_db

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _xpath(xml: bytes, path: str) -> list:
    return etree.fromstring(xml).xpath(path, namespaces=NS)


def _subtotals(xml: bytes) -> list[tuple[str, str, str, str]]:
    return [
        (
            s.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
            s.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS),
            s.findtext("cbc:TaxableAmount", namespaces=NS),
            s.findtext("cbc:TaxAmount", namespaces=NS),
        )
        for s in _xpath(xml, "/*/cac:TaxTotal/cac:TaxSubtotal")
    ]


def test_an_invoice_at_25_and_12_percent_is_valid_ehf(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=date(2026, 12, 1))
        xml = invoice_xml(invoice)
    assert_valid_ehf(xml)
    assert _xpath(xml, "/inv:Invoice/cbc:CustomizationID/text()") == [CUSTOMIZATION_ID]
    assert _xpath(xml, "/inv:Invoice/cbc:InvoiceTypeCode/text()") == ["380"]
    assert _xpath(xml, "/inv:Invoice/cbc:ID/text()") == [str(invoice.number)]
    assert _xpath(xml, "/inv:Invoice/cbc:DueDate/text()") == ["2026-12-15"]
    assert _xpath(xml, "/inv:Invoice/cac:PaymentMeans/cbc:PaymentID/text()") == [invoice.kid]
    assert _xpath(xml, "count(/inv:Invoice/cac:TaxTotal)") == 1
    assert _xpath(xml, "/inv:Invoice/cac:TaxTotal/cbc:TaxAmount/text()") == ["930.36"]
    assert _subtotals(xml) == [("S", "25.00", "250.00", "62.50"), ("S", "12.00", "7232.14", "867.86")]
    assert _xpath(xml, "/inv:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == ["8412.50"]
    seller_vat = "/inv:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID/text()"
    assert _xpath(xml, seller_vat) == ["NO923609016MVA", "Foretaksregisteret"]


def test_a_credit_note_is_valid_ehf_and_refers_to_the_invoice(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice(today=date(2026, 12, 1))
        note = credit_note_create(invoice=invoice, reason="Feil antall", today=date(2026, 12, 3))
        xml = invoice_xml(note)
    assert_valid_ehf(xml)
    assert _xpath(xml, "/cn:CreditNote/cbc:CreditNoteTypeCode/text()") == ["381"]
    reference = "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference"
    assert _xpath(xml, f"{reference}/cbc:ID/text()") == [str(invoice.number)]
    assert _xpath(xml, f"{reference}/cbc:IssueDate/text()") == ["2026-12-01"]
    assert _xpath(xml, "count(/cn:CreditNote/cac:CreditNoteLine)") == 2
    assert _xpath(xml, "/cn:CreditNote/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == ["8412.50"]


def test_an_exempt_line_is_valid_ehf_with_an_exemption_reason(world):
    lines = [("Medlemsavgift", "25", "10.00", "25.00"), ("Kurs", "2", "500.00", "0.00")]
    with tenant_context(world.pta_a):
        xml = invoice_xml(issued_invoice(lines=lines))
    assert_valid_ehf(xml)
    assert _subtotals(xml) == [("S", "25.00", "250.00", "62.50"), ("E", "0.00", "1000.00", "0.00")]
    reason = "/inv:Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']/cbc:TaxExemptionReason/text()"
    assert _xpath(xml, reason) == ["Fritatt for merverdiavgift"]


def test_a_mod11_kid_is_valid_ehf(world):
    with tenant_context(world.pta_a):
        settings = invoice_settings()
        settings.kid_method, settings.kid_length = "mod11", 12
        settings.save()
        invoice = issued_invoice()
        xml = invoice_xml(invoice)
    assert kid.is_valid(invoice.kid, method="mod11") and len(invoice.kid) == 12
    assert_valid_ehf(xml)
    assert _xpath(xml, "/inv:Invoice/cac:PaymentMeans/cbc:PaymentID/text()") == [invoice.kid]


def test_the_buyers_ehf_address_is_its_endpoint(world):
    address = org_number(9001)
    with tenant_context(world.pta_a):
        company = invoiced_company()
        company.agreement.ehf_address = f"0192:{address}"
        company.agreement.save()
        xml = invoice_xml(issued_invoice(company))
    assert_valid_ehf(xml)
    endpoint = _xpath(xml, "/inv:Invoice/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID")[0]
    assert (endpoint.get("schemeID"), endpoint.text) == ("0192", address)
    assert address != company.org_number


def test_without_an_ehf_address_the_endpoint_is_the_org_number_and_the_reference_too(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        xml = invoice_xml(invoice)
    endpoint = _xpath(xml, "/inv:Invoice/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID")[0]
    assert (endpoint.get("schemeID"), endpoint.text) == ("0192", invoice.buyer_org_number)
    assert _xpath(xml, "/inv:Invoice/cbc:BuyerReference/text()") == [
        invoice.buyer_reference or invoice.buyer_org_number
    ]


def test_a_seller_vat_id_without_mva_fails_no_r_001(world):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        xml = invoice_xml(invoice)
    broken = xml.replace(f"NO{invoice.seller_org_number}MVA".encode(), f"NO{invoice.seller_org_number}".encode())
    report = validate(broken)
    assert not report.ok
    assert "NO-R-001" in {a.rule_id for a in report.fatal}
    assert not report.xsd_errors


def test_the_schema_check_fails_a_broken_document(world):
    with tenant_context(world.pta_a):
        xml = invoice_xml(issued_invoice())
    root = etree.fromstring(xml)
    etree.SubElement(root, f"{{{NS['cbc']}}}Unknown").text = "x"
    report = validate(etree.tostring(root))
    assert not report.ok and report.xsd_errors
    assert not validate(b"<Invoice>").ok


def test_a_draft_has_no_ehf_document(world):
    from tests.factories import draft_invoice

    with tenant_context(world.pta_a), pytest.raises(ValueError, match="not issued"):
        invoice_xml(draft_invoice())


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_invoice", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_writes_the_ehf_document(world, tmp_path):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
        expected = invoice_xml(invoice)
    path = tmp_path / "faktura.xml"
    line = _export("--pta", world.pta_a.slug, "--number", str(invoice.number), "--format", "ehf", "--out", str(path))
    assert line == f"invoice={invoice.number} format=ehf out={path} bytes={len(expected)}"
    assert path.read_bytes() == expected
    assert_valid_ehf(path.read_bytes())


def test_the_command_refuses_an_unknown_number_or_format(world, tmp_path):
    with tenant_context(world.pta_a):
        invoice = issued_invoice()
    out = str(tmp_path / "x")
    with pytest.raises(CommandError, match="No issued invoice"):
        _export("--pta", world.pta_a.slug, "--number", "999999", "--format", "ehf", "--out", out)
    with pytest.raises(CommandError, match="--format must be ehf or pdf"):
        _export("--pta", world.pta_a.slug, "--number", str(invoice.number), "--format", "csv", "--out", out)


def test_the_default_invoice_has_no_warnings_either(world):
    with tenant_context(world.pta_a):
        xml = invoice_xml(issued_invoice())
    assert [str(a) for a in assert_valid_ehf(xml).warnings] == []


def test_a_seller_not_registered_for_vat_is_valid_ehf_without_a_vat_id(world, monkeypatch):
    # The PTA row is the session's (tests.base.World): changed for this test only, and put back.
    monkeypatch.setattr(world.pta_a, "vat_registered", False)
    with tenant_context(world.pta_a):
        xml = invoice_xml(issued_invoice(lines=[("Medlemsavgift", "25", "10.00", "0.00")]))
    assert_valid_ehf(xml)
    assert _subtotals(xml) == [("O", None, "250.00", "0.00")]
    seller_tax = "/inv:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID/text()"
    assert _xpath(xml, seller_tax) == ["Foretaksregisteret"]
