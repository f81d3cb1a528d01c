"""Reading spreadsheets exported by HR, payroll and CRM systems.

CSV in UTF-8 (with or without BOM) or Windows-1252, separated by commas,
semicolons or tabs, and XLSX. Everything comes back as a header row and data
rows of strings (Excel dates as ISO dates), plus what was detected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"


class TabularError(ValueError):
    """The file cannot be read at all; the message says why."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # data rows; row number in the file = index + 2
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not) first; Windows-1252 is what Norwegian Excel writes otherwise."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(";,\t", key=first.count)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, *, filename: str = "") -> Table:
    if not data.strip():
        raise TabularError(_("The file is empty."))
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    text, encoding = decode(data)
    delimiter = _delimiter(text[:5000])
    rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return _table(rows, encoding=encoding, delimiter=delimiter)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TabularError(_("The file could not be read as an Excel workbook (%(error)s).") % {"error": exc}) from exc
    sheet = workbook.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _table(rows, encoding="xlsx", delimiter="")


def _table(rows: list[list[str]], *, encoding: str, delimiter: str) -> Table:
    rows = [row for row in rows if any(cell for cell in row)] if rows else []
    if not rows:
        raise TabularError(_("The file has no rows."))
    header, data = rows[0], rows[1:]
    width = len(header)
    data = [(row + [""] * width)[:width] for row in data]
    return Table(header=header, rows=data, encoding=encoding, delimiter=delimiter)


def normalise_header(text: str) -> str:
    """'E-postadresse ' -> 'epostadresse', 'Ansatt nr.' -> 'ansattnr'; æøå kept apart from a/o."""
    text = text.strip().lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text)


def match_headers(header: list[str], synonyms: dict[str, list[str]]) -> dict[str, int]:
    """Map field name -> column index for the headers that match a known synonym."""
    lookup = {normalise_header(s): name for name, words in synonyms.items() for s in [name, *words]}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = lookup.get(normalise_header(title))
        if name and name not in found:
            found[name] = index
    return found


def parse_date(value: str) -> dt.date | None:
    """dd.mm.yyyy, d.m.yy, yyyy-mm-dd or dd/mm/yyyy; '' -> None; ValueError otherwise."""
    value = value.strip()
    if not value:
        return None
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Neutralise spreadsheet formula injection: prefix a quote to cells that would be formulas."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
