"""Validation of an EHF (PEPPOL BIS Billing 3.0) document against the official rules.

Three checks, all with the rules vendored unchanged in `invoicing/ehf_rules/`
(sources in its README.md):
- the OASIS UBL 2.1 schema (Invoice or CreditNote, chosen by the root element), with lxml;
- CEN's EN 16931 schematron bound to UBL, and
- OpenPEPPOL's BIS Billing 3.0 schematron (with the Norwegian NO-R rules),
  both compiled to XSLT by SchXslt and run with Saxon (saxonche).

Each stylesheet and schema is compiled once per process (the first call takes
a few seconds; afterwards a document takes milliseconds).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

RULES_DIR = Path(__file__).resolve().parent / "ehf_rules"
SCHEMATRONS = (
    RULES_DIR / "peppol" / "CEN-EN16931-UBL.sch",
    RULES_DIR / "peppol" / "PEPPOL-EN16931-UBL.sch",
)
SCHXSLT_PIPELINE = RULES_DIR / "schxslt" / "2.0" / "pipeline-for-svrl.xsl"
XSD_BY_ROOT = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "UBL-Invoice-2.1.xsd",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "UBL-CreditNote-2.1.xsd",
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

# Saxon's processor is not made for concurrent compilation; compile under a lock.
_lock = threading.Lock()


@dataclass(frozen=True)
class Assertion:
    """A failed schematron assert (or a successful report) of the rules."""

    rule_id: str
    flag: str
    text: str
    location: str

    def __str__(self) -> str:
        return f"[{self.rule_id}] {self.flag} at {self.location}: {self.text}"


@dataclass
class Report:
    xsd_errors: list[str] = field(default_factory=list)
    assertions: list[Assertion] = field(default_factory=list)

    @property
    def fatal(self) -> list[Assertion]:
        return [a for a in self.assertions if a.flag == "fatal"]

    @property
    def warnings(self) -> list[Assertion]:
        return [a for a in self.assertions if a.flag != "fatal"]

    @property
    def rule_ids(self) -> set[str]:
        return {a.rule_id for a in self.assertions}

    @property
    def ok(self) -> bool:
        return not self.xsd_errors and not self.fatal

    def errors(self) -> list[str]:
        """The XSD errors and the fatal asserts, one line each."""
        return [f"XSD: {e}" for e in self.xsd_errors] + [str(a) for a in self.fatal]


@cache
def _saxon():
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _compiled_schematron(path: Path):
    """The schematron at `path` compiled by SchXslt to an XSLT executable (once per process)."""
    processor = _saxon()
    xslt = processor.new_xslt30_processor()
    pipeline = xslt.compile_stylesheet(stylesheet_file=str(SCHXSLT_PIPELINE))
    stylesheet = pipeline.transform_to_string(source_file=str(path))
    return xslt.compile_stylesheet(stylesheet_text=stylesheet)


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(RULES_DIR / "ubl-2.1" / "xsd" / "maindoc" / name)))


def warm_up() -> None:
    """Compile every schema and stylesheet now (a test session or worker may call it once)."""
    with _lock:
        for name in XSD_BY_ROOT.values():
            _schema(name)
        for path in SCHEMATRONS:
            _compiled_schematron(path)


def _xsd_errors(root: etree._Element) -> list[str]:
    name = XSD_BY_ROOT.get(root.tag)
    if name is None:
        return [f"the root element {root.tag} is neither a UBL Invoice nor a CreditNote"]
    schema = _schema(name)
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def _assertions(svrl: str) -> list[Assertion]:
    root = etree.fromstring(svrl.encode())
    found = []
    for element in root.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
        found.append(
            Assertion(
                rule_id=element.get("id", ""),
                flag=element.get("flag", "fatal"),
                text=" ".join(element.findtext(f"{SVRL}text", "").split()),
                location=element.get("location", ""),
            )
        )
    return found


def _schematron_assertions(xml: bytes) -> list[Assertion]:
    with _lock:
        executables = [_compiled_schematron(path) for path in SCHEMATRONS]
        document = _saxon().parse_xml(xml_text=xml.decode("utf-8"))
        results = [executable.transform_to_string(xdm_node=document) for executable in executables]
    return [assertion for svrl in results for assertion in _assertions(svrl)]


def validate(xml: bytes) -> Report:
    """The XSD errors and the schematron asserts of an EHF document (see Report.ok)."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return Report(xsd_errors=[f"not well-formed XML: {error}"])
    return Report(xsd_errors=_xsd_errors(root), assertions=_schematron_assertions(xml))
