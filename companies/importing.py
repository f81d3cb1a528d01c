"""Bulk onboarding of companies from a CSV (or XLSX) file: reading,
checking and comparing, writing nothing.

`read_companies` checks every row of a file; `compare` sorts the checked
rows into added / updated / unchanged against the companies it is given;
`company_import_preview` does both against the database as it is now. The
import itself (stored file, preview, confirm, the write) is the
company_import_* services in companies.services, which compare again when
they write. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from stdnum.no import orgnr

from companies.models import Company
from core.importing import ImportSummary, RowError, shortened
from core.tabular import Table, TableError, match_headers, read_table

SYNONYMS = {
    "org_number": [
        "organisasjonsnummer",
        "orgnr",
        "org.nr",
        "org nr",
        "organisation number",
        "organization number",
        "org number",
        "foretaksnummer",
    ],
    "name": ["navn", "bedrift", "bedriftsnavn", "firmanavn", "firma", "company", "company name"],
    "postal_address": ["adresse", "postadresse", "gateadresse", "address", "postal address", "street address"],
    "postcode": ["postnummer", "postnr", "postcode", "postal code", "zip"],
    "municipality": ["kommune", "poststed", "sted", "municipality", "city", "town"],
    "industry": ["bransje", "næring", "naering", "industry", "sector"],
}
REQUIRED = ("org_number", "name")
FIELDS = tuple(SYNONYMS)
# The sample file offered on the upload page: one bokmål header per field, two fictitious rows
# (valid organisation numbers, so that the file imports as it is).
SAMPLE_HEADERS = ["Organisasjonsnummer", "Navn", "Postadresse", "Postnummer", "Kommune", "Bransje"]
SAMPLE_ROWS = [
    ["999999905", "Eksempel Rådgivning AS", "Strandkaien 4", "4005", "Stavanger", "Konsulenttjenester"],
    ["999999913", "Prøve Bygg AS", "Industriveien 12", "4033", "Sandnes", "Bygg og anlegg"],
]
# How many of each kind the preview page lists; the counts cover them all.
PREVIEW_SAMPLE = 200


@dataclass
class CheckedRows:
    """The rows of a file that passed the checks (org number -> values), the
    row each came from, and the errors of the others."""

    rows: dict[str, dict] = field(default_factory=dict)
    row_of: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0  # data rows in the file


@dataclass
class CompanyImportResult:
    added: list[dict] = field(default_factory=list)
    updated: list[tuple[Company, dict]] = field(default_factory=list)
    unchanged: list[Company] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0
    row_of: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "errors": len(self.errors),
        }

    def summary(self) -> ImportSummary:
        return ImportSummary(counts=self.counts(), errors=self.errors)


def _validated_rows(table: Table, result: CheckedRows) -> dict[str, dict]:
    columns = match_headers(table.headers, SYNONYMS)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        for name in missing:
            result.errors.append(
                RowError(
                    1,
                    name,
                    "",
                    _("no column for this field; found: %(headers)s")
                    % {"headers": shortened(", ".join(map(str, table.headers)))},
                )
            )
        return {}
    rows: dict[str, dict] = {}
    seen_at: dict[str, int] = {}
    for index, raw in table.rows:
        values = {
            name: str(raw[col] if col < len(raw) and raw[col] is not None else "").strip()
            for name, col in columns.items()
        }
        number = orgnr.compact(values["org_number"])
        if not orgnr.is_valid(number):
            result.errors.append(
                RowError(index, "org_number", values["org_number"], _("not a valid organisation number"))
            )
            continue
        if not values["name"]:
            result.errors.append(RowError(index, "name", "", _("the name is missing")))
            continue
        if values.get("postcode") and not (values["postcode"].isdigit() and len(values["postcode"]) == 4):
            result.errors.append(RowError(index, "postcode", values["postcode"], _("a postcode has four digits")))
            continue
        if number in seen_at:
            result.errors.append(
                RowError(index, "org_number", number, _("also on row %(row)s") % {"row": seen_at[number]})
            )
            continue
        seen_at[number] = index
        values["org_number"] = number
        rows[number] = {name: values.get(name, "") for name in FIELDS if name in values}
    result.row_of = seen_at
    return rows


def read_companies(*, data: bytes, filename: str = "") -> CheckedRows:
    """Read a file and check every row (organisation number, name, postcode,
    duplicates). Touches no database."""
    checked = CheckedRows()
    try:
        table = read_table(data, filename)
    except TableError as exc:
        checked.errors.append(RowError(0, "file", filename, str(exc)))
        return checked
    checked.total = len(table.rows)
    checked.rows = _validated_rows(table, checked)
    return checked


def compare(checked: CheckedRows, existing: dict[str, Company]) -> CompanyImportResult:
    """Sort the checked rows into added / updated / unchanged against
    `existing` (org number -> company). Empty cells never blank out what an
    adviser has registered."""
    result = CompanyImportResult(errors=list(checked.errors), total=checked.total, row_of=checked.row_of)
    for number, values in checked.rows.items():
        company = existing.get(number)
        if company is None:
            result.added.append(values)
            continue
        changes = {k: v for k, v in values.items() if v and getattr(company, k) != v}
        if changes:
            result.updated.append((company, changes))
        else:
            result.unchanged.append(company)
    return result


def company_import_preview(*, data: bytes, filename: str = "") -> CompanyImportResult:
    """Check a file and compare it with the companies as they are now. Writes nothing."""
    checked = read_companies(data=data, filename=filename)
    return compare(checked, Company.objects.in_bulk(list(checked.rows), field_name="org_number"))


def preview_data(result: CompanyImportResult) -> dict:
    """What the preview page shows: samples of the new and the changed
    companies, changes as [field, old, new] (the field's key: the page shows
    its label in the reader's language)."""
    return {
        "added": [
            {
                "row": result.row_of.get(values["org_number"]),
                "org_number": values["org_number"],
                "name": values["name"],
                "municipality": values.get("municipality", ""),
            }
            for values in result.added[:PREVIEW_SAMPLE]
        ],
        "updated": [
            {
                "row": result.row_of.get(company.org_number),
                "org_number": company.org_number,
                "name": company.name,
                "changes": [[name, getattr(company, name), value] for name, value in changes.items()],
            }
            for company, changes in result.updated[:PREVIEW_SAMPLE]
        ],
    }


def company_field_label(name: str) -> str:
    """The label of a field named in an error or a change, for the pages."""
    if name == "file":
        return _("File")
    try:
        return capfirst(Company._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
