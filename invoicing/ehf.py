"""EHF: an issued invoice or credit note as PEPPOL BIS Billing 3.0 (UBL 2.1).

    invoice_xml(invoice) -> bytes

An invoice is a UBL Invoice (type code 380), a credit note a UBL CreditNote
(type code 381) referring to the invoice it credits (BillingReference). The
document says what the issued row says: the seller_* and buyer_* snapshot,
the number, KID and dates, the stored totals, and one VAT subtotal per
(category, rate) of invoicing.rules.totals over the stored lines (BR-CO-17).
A mismatch between those and the stored totals is refused (ValueError),
never papered over.

Norwegian rules: the seller's VAT identifier is NO + organisation number +
MVA (NO-R-001), and "Foretaksregisteret" is stated as a TAX scheme of the
seller (NO-R-002). Parties are identified by organisation number (ICD 0192).
The validation against the official rules is invoicing.ehf_validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from lxml import etree

from invoicing import rules
from invoicing.models import Invoice, InvoiceLine

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CURRENCY = "NOK"
COUNTRY = "NO"
ORG_NUMBER_SCHEME = "0192"
UNIT_CODE = "EA"  # UN/ECE Recommendation 20: each
INVOICE_TYPE_CODE = "380"
CREDIT_NOTE_TYPE_CODE = "381"
CREDIT_TRANSFER = "30"  # UNCL 4461
EXEMPTION_REASONS = {"E": "Fritatt for merverdiavgift", "O": "Ikke merverdiavgiftspliktig"}

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent: etree._Element, name: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    element.text = text
    return element


def _amount(parent: etree._Element, name: str, amount: Decimal) -> etree._Element:
    return _cbc(parent, name, f"{amount:.2f}", currencyID=CURRENCY)


def _date(parent: etree._Element, name: str, day: date) -> etree._Element:
    return _cbc(parent, name, day.isoformat())


def _period(parent: etree._Element, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    period = _cac(parent, "InvoicePeriod")
    if start is not None:
        _date(period, "StartDate", start)
    if end is not None:
        _date(period, "EndDate", end)


def _address(parent: etree._Element, *, street: str, postcode: str, city: str) -> None:
    address = _cac(parent, "PostalAddress")
    if street:
        _cbc(address, "StreetName", street)
    if city:
        _cbc(address, "CityName", city)
    if postcode:
        _cbc(address, "PostalZone", postcode)
    _cbc(_cac(address, "Country"), "IdentificationCode", COUNTRY)


def _tax_scheme(parent: etree._Element, *, company_id: str, scheme: str) -> None:
    party_tax_scheme = _cac(parent, "PartyTaxScheme")
    _cbc(party_tax_scheme, "CompanyID", company_id)
    _cbc(_cac(party_tax_scheme, "TaxScheme"), "ID", scheme)


def _legal_entity(parent: etree._Element, *, name: str, org_number: str) -> None:
    entity = _cac(parent, "PartyLegalEntity")
    _cbc(entity, "RegistrationName", name)
    _cbc(entity, "CompanyID", org_number, schemeID=ORG_NUMBER_SCHEME)


def buyer_endpoint(invoice: Invoice) -> tuple[str, str]:
    """(scheme, identifier) of the buyer's EHF address ("0192:123456785"), else its organisation number."""
    scheme, sep, identifier = invoice.buyer_ehf_address.strip().partition(":")
    if sep and scheme and identifier:
        return scheme, identifier
    return ORG_NUMBER_SCHEME, invoice.buyer_org_number


def _seller(root: etree._Element, invoice: Invoice) -> None:
    party = _cac(_cac(root, "AccountingSupplierParty"), "Party")
    _cbc(party, "EndpointID", invoice.seller_org_number, schemeID=ORG_NUMBER_SCHEME)
    _cbc(_cac(party, "PartyName"), "Name", invoice.seller_name)
    _address(party, street=invoice.seller_address, postcode=invoice.seller_postcode, city=invoice.seller_city)
    if invoice.seller_vat_registered:
        _tax_scheme(party, company_id=f"{COUNTRY}{invoice.seller_org_number}MVA", scheme="VAT")
    _tax_scheme(party, company_id="Foretaksregisteret", scheme="TAX")
    _legal_entity(party, name=invoice.seller_name, org_number=invoice.seller_org_number)
    if invoice.seller_phone or invoice.seller_email:
        contact = _cac(party, "Contact")
        if invoice.seller_phone:
            _cbc(contact, "Telephone", invoice.seller_phone)
        if invoice.seller_email:
            _cbc(contact, "ElectronicMail", invoice.seller_email)


def _buyer(root: etree._Element, invoice: Invoice) -> None:
    party = _cac(_cac(root, "AccountingCustomerParty"), "Party")
    scheme, identifier = buyer_endpoint(invoice)
    _cbc(party, "EndpointID", identifier, schemeID=scheme)
    _cbc(_cac(party, "PartyName"), "Name", invoice.buyer_name)
    _address(party, street=invoice.buyer_address, postcode=invoice.buyer_postcode, city=invoice.buyer_city)
    _legal_entity(party, name=invoice.buyer_name, org_number=invoice.buyer_org_number)
    if invoice.buyer_email:
        _cbc(_cac(party, "Contact"), "ElectronicMail", invoice.buyer_email)


def _payment(root: etree._Element, invoice: Invoice) -> None:
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", CREDIT_TRANSFER)
    if invoice.kid:
        _cbc(means, "PaymentID", invoice.kid)
    if invoice.bank_account:
        _cbc(_cac(means, "PayeeFinancialAccount"), "ID", invoice.bank_account)


def _tax_category(parent: etree._Element, name: str, *, category: str, rate: Decimal, reason: bool) -> None:
    element = _cac(parent, name)
    _cbc(element, "ID", category)
    if category != "O":
        _cbc(element, "Percent", f"{rate:.2f}")
    if reason and category in EXEMPTION_REASONS:
        _cbc(element, "TaxExemptionReason", EXEMPTION_REASONS[category])
    _cbc(_cac(element, "TaxScheme"), "ID", "VAT")


def _tax_total(root: etree._Element, invoice: Invoice, totals: rules.Totals) -> None:
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", invoice.vat_total)
    for subtotal in totals.subtotals:
        element = _cac(tax_total, "TaxSubtotal")
        _amount(element, "TaxableAmount", subtotal.taxable)
        _amount(element, "TaxAmount", subtotal.vat)
        _tax_category(element, "TaxCategory", category=subtotal.category, rate=subtotal.rate, reason=True)


def _monetary_total(root: etree._Element, invoice: Invoice) -> None:
    total = _cac(root, "LegalMonetaryTotal")
    _amount(total, "LineExtensionAmount", invoice.net_total)
    _amount(total, "TaxExclusiveAmount", invoice.net_total)
    _amount(total, "TaxInclusiveAmount", invoice.gross_total)
    _amount(total, "PayableAmount", invoice.gross_total)


def _line(root: etree._Element, line: InvoiceLine, *, credit: bool) -> None:
    element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(element, "ID", str(line.position))
    _cbc(element, "CreditedQuantity" if credit else "InvoicedQuantity", f"{line.quantity:f}", unitCode=UNIT_CODE)
    _amount(element, "LineExtensionAmount", line.net_amount)
    _period(element, line.period_start, line.period_end)
    item = _cac(element, "Item")
    _cbc(item, "Name", line.description)
    _tax_category(item, "ClassifiedTaxCategory", category=line.vat_category, rate=line.vat_rate, reason=False)
    _cbc(_cac(element, "Price"), "PriceAmount", f"{line.unit_price:f}", currencyID=CURRENCY)


def _checked_totals(invoice: Invoice, lines: Sequence[InvoiceLine]) -> rules.Totals:
    totals = rules.totals((line.vat_category, line.vat_rate, line.net_amount) for line in lines)
    stored = (invoice.net_total, invoice.vat_total, invoice.gross_total)
    if (totals.net, totals.vat, totals.gross) != stored:
        raise ValueError(f"{invoice}: the lines come to {totals.net}/{totals.vat}/{totals.gross}, not {stored}")
    return totals


def _header(root: etree._Element, invoice: Invoice, *, credit: bool) -> None:
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", str(invoice.number))
    _date(root, "IssueDate", invoice.issue_date)
    if not credit:
        _date(root, "DueDate", invoice.due_date)
    _cbc(
        root,
        "CreditNoteTypeCode" if credit else "InvoiceTypeCode",
        CREDIT_NOTE_TYPE_CODE if credit else INVOICE_TYPE_CODE,
    )
    if invoice.note:
        _cbc(root, "Note", invoice.note)
    _cbc(root, "DocumentCurrencyCode", CURRENCY)
    _cbc(root, "BuyerReference", invoice.buyer_reference or invoice.buyer_org_number)
    _period(root, invoice.period_start, invoice.period_end)
    if credit:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", str(invoice.credited_invoice.number))
        _date(reference, "IssueDate", invoice.credited_invoice.issue_date)


def invoice_xml(invoice: Invoice, *, lines: Sequence[InvoiceLine] | None = None) -> bytes:
    """The EHF document (UTF-8 bytes) of an issued invoice or credit note; `lines` (its lines in
    position order) may be given when already fetched. ValueError for a draft or inconsistent totals."""
    if not invoice.is_issued:
        raise ValueError(f"{invoice} is not issued: only an issued invoice has an EHF document")
    lines = list(invoice.lines.order_by("position")) if lines is None else lines
    totals = _checked_totals(invoice, lines)
    credit = invoice.is_credit_note
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: namespace, "cac": CAC, "cbc": CBC},
    )
    _header(root, invoice, credit=credit)
    _seller(root, invoice)
    _buyer(root, invoice)
    if not credit:
        _payment(root, invoice)
    _tax_total(root, invoice, totals)
    _monetary_total(root, invoice)
    for line in lines:
        _line(root, line, credit=credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
