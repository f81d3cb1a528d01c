"""Tables written as CSV (semicolons, decimal commas, a BOM for Excel) or as a workbook, one sheet
per table; every text cell neutralised against formula injection (core.tabular.neutralise)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse

from core.tabular import neutralise

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (Decimal, float)):
        return str(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write_csv(tables: Sequence[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(h) for h in table.headers])
        for row in table.rows:
            writer.writerow([_csv_cell(cell) for cell in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(tables: Sequence[Table], *, title: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    used: set[str] = set()
    for table in tables:
        name = table.title[:31]
        while name in used:  # sheet names are unique
            name = f"{name[:29]}{len(used)}"
        used.add(name)
        sheet = workbook.create_sheet(title=name)
        sheet.append([neutralise(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
    workbook.properties.title = title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write(tables: Sequence[Table], *, fmt: str, title: str) -> bytes:
    if fmt == "csv":
        return write_csv(tables)
    if fmt == "xlsx":
        return write_xlsx(tables, title=title)
    raise ValueError(fmt)


def attachment(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    """A written file as a download: an attachment, not sniffed, not cached."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
