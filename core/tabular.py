"""Reading and writing spreadsheets the way Norwegian HR and payroll systems
(Visma, Tripletex, SAP) and Excel produce and open them.

Shared by every import (companies, employees): nothing here knows about
either.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

DELIMITERS = ";,\t"
# A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, for the user."""


@dataclass
class Table:
    headers: list[str]
    # Data rows as (row number as the user sees it in the file, cells).
    rows: list[tuple[int, list]] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""


def read_table(content: bytes, filename: str) -> Table:
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    return _read_csv(content)


def _decode(content: bytes) -> tuple[str, str]:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text" export
        return content.decode("utf-16"), "utf-16"
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise TableError(_("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV (UTF-8).")) from None


def _delimiter(text: str) -> str:
    sample = text[: 64 * 1024]
    first_line = sample.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and delimiter in first_line:
        return delimiter
    # The sniffer gives up on irregular files; the header line decides.
    return max(DELIMITERS, key=first_line.count)


def _read_csv(content: bytes) -> Table:
    text, encoding = _decode(content)
    if text[:4].lower() == "sep=" and text[4:5]:
        # Excel's hint line ("sep=;") names the separator.
        delimiter, text = text[4], text.split("\n", 1)[-1]
    else:
        delimiter = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return _table(rows, encoding=encoding, delimiter=delimiter)


def _read_xlsx(content: bytes) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(_("The file could not be opened as an Excel workbook (.xlsx).")) from None
    try:
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(rows, encoding="xlsx", delimiter="")


def _is_blank(cells: Sequence) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _table(rows: list[list], *, encoding: str, delimiter: str) -> Table:
    start = next((i for i, row in enumerate(rows) if not _is_blank(row)), None)
    if start is None:
        raise TableError(_("The file is empty."))
    headers = [str(cell).strip() if cell is not None else "" for cell in rows[start]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    data = [
        (number, (row + [None] * width)[:width])
        for number, row in enumerate(rows[start + 1 :], start=start + 2)
        if not _is_blank(row)
    ]
    return Table(headers=headers, rows=data, encoding=encoding, delimiter=delimiter)


def neutralise(value):
    """Make a text cell safe to open in a spreadsheet (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise`, so that an exported file imports again unchanged."""
    if value[:1] == "'" and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


def write_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with BOM and semicolons: what Excel in Norway opens without an import dialogue."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _csv_cell(value):
    if isinstance(value, (date, datetime)):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else neutralise(str(value))


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, title: str) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if isinstance(value, date):
                cell.number_format = "DD.MM.YYYY"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def fold(value: str) -> str:
    """Case-, space-, punctuation- and diacritics-insensitive key: 'E-postadresse ' -> 'epostadresse'."""
    value = value.casefold().replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    value = unicodedata.normalize("NFKD", value)
    return "".join(c for c in value if c.isalnum())


def match_headers(headers: Sequence[str], synonyms: dict[str, Sequence[str]]) -> dict[str, int]:
    """Field name -> column index, for the headers that match a field's name or one of its synonyms."""
    lookup = {fold(word): name for name, words in synonyms.items() for word in (name, *words)}
    found: dict[str, int] = {}
    for index, title in enumerate(headers):
        name = lookup.get(fold(str(title)))
        if name and name not in found:
            found[name] = index
    return found
