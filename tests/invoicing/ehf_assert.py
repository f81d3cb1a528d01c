"""assert_valid_ehf: for any test that makes an EHF document."""

from __future__ import annotations

from invoicing.ehf_validation import Report, validate


def assert_valid_ehf(xml: bytes) -> Report:
    """Fail with every XSD error and fatal assert (CEN and PEPPOL rules) of `xml`; return the report."""
    report = validate(xml)
    assert report.ok, "EHF document is not valid:\n" + "\n".join(report.errors())
    return report
