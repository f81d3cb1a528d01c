"""Bulk onboarding of companies from a CSV (or XLSX) file.

One service drives both the web page and `manage.py import_companies`:
`company_import_preview` validates everything and writes nothing;
`company_import_apply` writes in one transaction, and only if every row is
valid. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pghistory
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.no import orgnr

from companies.models import Company
from core.importing import ImportSummary, RowError
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


@dataclass
class CompanyImportResult:
    added: list[dict] = field(default_factory=list)
    updated: list[tuple[Company, dict]] = field(default_factory=list)
    unchanged: list[Company] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        return ImportSummary(
            counts={
                "added": len(self.added),
                "updated": len(self.updated),
                "unchanged": len(self.unchanged),
                "errors": len(self.errors),
            },
            errors=self.errors,
        ).summary_line()


def _validated_rows(table: Table, result: CompanyImportResult) -> dict[str, dict]:
    columns = match_headers(table.headers, SYNONYMS)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        for name in missing:
            result.errors.append(
                RowError(
                    1,
                    name,
                    "",
                    _("no column for this field; found: %(headers)s") % {"headers": ", ".join(map(str, table.headers))},
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
    return rows


def company_import_preview(*, data: bytes, filename: str = "") -> CompanyImportResult:
    """Validate a file and sort its rows into added / updated / unchanged / errors. Writes nothing."""
    result = CompanyImportResult()
    try:
        table = read_table(data, filename)
    except TableError as exc:
        result.errors.append(RowError(0, "file", filename, str(exc)))
        return result
    rows = _validated_rows(table, result)
    existing = Company.objects.in_bulk(list(rows), field_name="org_number")
    for number, values in rows.items():
        company = existing.get(number)
        if company is None:
            result.added.append(values)
            continue
        # Empty cells never blank out what an adviser has registered.
        changes = {k: v for k, v in values.items() if v and getattr(company, k) != v}
        if changes:
            result.updated.append((company, changes))
        else:
            result.unchanged.append(company)
    return result


def company_import_apply(*, data: bytes, filename: str = "", user_id: int | None = None) -> CompanyImportResult:
    """Write a valid file in one transaction. With any error, nothing is written."""
    with transaction.atomic(), pghistory.context(user=user_id, import_file=filename):
        result = company_import_preview(data=data, filename=filename)
        if result.errors:
            return result
        Company.objects.bulk_create([Company(**values) for values in result.added])
        for company, changes in result.updated:
            for name, value in changes.items():
                setattr(company, name, value)
        if result.updated:
            Company.objects.bulk_update([c for c, _ in result.updated], fields=list(FIELDS[1:]))
    return result
