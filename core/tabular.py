"""Reading and writing spreadsheets the way Norwegian HR and payroll systems
(Visma, Tripletex, SAP) and Excel produce and open them.

Shared by every import (companies, employees): nothing here knows about
either.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from xml.parsers import expat

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core import xlsx

logger = logging.getLogger(__name__)

DELIMITERS = ";,\t"
# A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Bounds on what one file may hold, so that no upload can take a web worker's
# memory or time, whatever it holds: a read stops with a TableError naming the
# bound as soon as a file crosses one. Each is overridden by the setting named
# IMPORT_<NAME> (IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS, ...); see Limits.
MAX_ROWS = 100_000  # data rows; the largest employee lists have ~50,000
MAX_COLUMNS = 200  # columns, up to the header's last title
# Data rows x columns: what is kept in memory (~60 bytes a cell, so ~120 MB at
# most). 50,000 rows of 40 columns, or 100,000 of 20.
MAX_CELLS = 2_000_000
MAX_CELL_LENGTH = 10_000  # characters in one cell; a note column of an HR export is far shorter
# Rows of any kind, blank ones too: as many as a worksheet can have. (Blank
# rows are left out, but 20 MB of line breaks took 40 s to read.)
MAX_ROWS_READ = 1_048_576
# A workbook's parts unzipped, and unzipped over zipped. core.xlsx parses
# 5-6 MB of XML a second, so a workbook at the bound is read in under 20 s;
# 50,000 employees are ~30 MB. Workbooks compress 5-20 times, zip bombs a
# thousand times and more.
MAX_XLSX_INFLATED_SIZE = 100 * 1024 * 1024
MAX_XLSX_RATIO = 100
# A workbook smaller than this unzipped is harmless whatever its ratio.
_RATIO_FLOOR = 1024 * 1024
# Excel 97-2003 (.xls) and other OLE2 files.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Bytes that are control characters in UTF-8 and Windows-1252 alike (tab, line
# feed, form feed and carriage return are text): a file holding one is binary.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SAMPLE = 64 * 1024  # text read to find the separator
_SAMPLE_RECORDS = 20
_CHUNK = 1024 * 1024  # bytes decoded at a time to check an encoding


class TableError(ValueError):
    """The file cannot be read as a table; the message says why, for the user."""


@dataclass(frozen=True)
class Limits:
    """The bounds a read obeys (the MAX_* constants above by default)."""

    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_cells: int = MAX_CELLS
    max_cell_length: int = MAX_CELL_LENGTH
    max_rows_read: int = MAX_ROWS_READ
    max_xlsx_inflated_size: int = MAX_XLSX_INFLATED_SIZE
    max_xlsx_ratio: int = MAX_XLSX_RATIO

    @classmethod
    def from_settings(cls) -> Limits:
        """The bounds in force: each MAX_* constant, or the IMPORT_MAX_* setting
        that overrides it (IMPORT_MAX_ROWS for max_rows, and so on)."""
        return cls(**{f.name: getattr(settings, f"IMPORT_{f.name.upper()}", f.default) for f in fields(cls)})

    @property
    def max_line_length(self) -> int:
        # Every cell of a row within the other bounds, quoted, with its separator.
        return self.max_columns * (self.max_cell_length + 3)


@dataclass
class Table:
    headers: list[str]
    # Data rows as (row number as the user sees it in the file, cells).
    rows: list[tuple[int, list]] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""


def read_table(content: bytes, filename: str, *, limits: Limits | None = None) -> Table:
    """The first sheet of an XLSX workbook, or a CSV file, as a table: the
    first row that is not blank is the header, the columns end at its last
    title (cells further right are not read), blank rows are left out.

    Raises TableError, with a message for the user, for a file over one of
    `limits` (Limits.from_settings() unless given): more rows, columns or
    cells, a longer cell or line, a workbook that unzips too large or too
    many times its size (judged from the zip directory, before parsing); and
    for a file that is neither a workbook nor text: binary bytes, a NUL
    character, UTF-16 without a byte-order mark, an old .xls workbook."""
    limits = limits or Limits.from_settings()
    if content.startswith(_OLE2):
        # Excel 97-2003, and every password-protected workbook, are OLE2 files.
        raise TableError(
            _("The file is an old (.xls) or password-protected Excel workbook. Save it as .xlsx or as CSV (UTF-8).")
        )
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content, limits)
    return _read_csv(content, limits)


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


# CSV ------------------------------------------------------------------------------


def _text_encoding(content: bytes) -> tuple[str, str]:
    """(name, codec) of a CSV file's text: UTF-16 with a byte-order mark
    (Excel's "Unicode text"), UTF-8 with or without one, else Windows-1252."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        if not _decodes(content, "utf-16"):
            raise TableError(_("The file is not valid UTF-16 text. Save it as CSV (UTF-8)."))
        return "utf-16", "utf-16"
    _refuse_binary(content)
    for name, codec in (("utf-8", "utf-8-sig"), ("cp1252", "cp1252")):
        if _decodes(content, codec):
            return name, codec
    raise TableError(_("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV (UTF-8)."))


def _refuse_binary(content: bytes) -> None:
    if b"\x00" in content and _looks_like_utf16(content[:1024]):
        raise TableError(_("The file is UTF-16 text without a byte-order mark. Save it as CSV (UTF-8)."))
    if content.startswith(b"%PDF-") or _CONTROL_BYTES.search(content):
        raise TableError(_("The file is neither a CSV file nor an Excel workbook (.xlsx). Save the list as one."))


def _looks_like_utf16(head: bytes) -> bool:
    # Latin letters in UTF-16 have a zero byte each: every second byte is NUL.
    pairs = len(head) // 2
    return pairs > 0 and max(head[0::2].count(0), head[1::2].count(0)) >= 0.75 * pairs


def _decodes(content: bytes, codec: str) -> bool:
    """Whether all of `content` is text in `codec`, decoded a chunk at a time (not kept)."""
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(content)
    try:
        for start in range(0, len(view), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(sample: str, *, cut: bool) -> str:
    """The separator that makes the most of the first records as wide as the
    header (wider than one column); else the header line's most frequent one.
    `cut`: the sample ends inside the file, so its last record may be partial.
    Parsed with the csv module, in time linear in the sample (csv.Sniffer
    takes minutes on some 64 KB samples, such as a line of `";`)."""
    best, best_score = "", (0, 0)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        widths = [len(record) for record in itertools.islice(reader, _SAMPLE_RECORDS) if record]
        if cut and len(widths) > 1:
            widths.pop()
        if widths and widths[0] > 1 and (widths.count(widths[0]), widths[0]) > best_score:
            best, best_score = delimiter, (widths.count(widths[0]), widths[0])
    first_line = sample.split("\n", 1)[0]
    return best or max(DELIMITERS, key=first_line.count)


def _read_csv(content: bytes, limits: Limits) -> Table:
    if content.endswith(b"\x1a"):
        content = content.rstrip(b"\x1a")  # MS-DOS's end-of-file mark, which old exports still write
    encoding, codec = _text_encoding(content)
    sample = content[:_SAMPLE].decode(codec, errors="ignore")
    # Decoded as it is read: the text is never held whole.
    lines = _bounded_lines(io.TextIOWrapper(io.BytesIO(content), encoding=codec, newline=""), limits)
    if sample[:4].lower() == "sep=" and sample[4:5]:
        # Excel's hint line ("sep=;") names the separator.
        delimiter = sample[4]
        next(lines, None)
    else:
        delimiter = _delimiter(sample, cut=len(content) > _SAMPLE)
    records = _csv_records(csv.reader(lines, delimiter=delimiter), limits)
    return _table(records, limits, encoding=encoding, delimiter=delimiter)


def _bounded_lines(stream: Iterable[str], limits: Limits) -> Iterator[str]:
    for number, line in enumerate(stream, start=1):
        if len(line) > limits.max_line_length:
            raise TableError(
                _("Line %(line)s of the file is longer than %(max)s characters.")
                % {"line": _n(number), "max": _n(limits.max_line_length)}
            )
        yield line


def _csv_records(reader: Iterator[list[str]], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, record
    except csv.Error:
        # The csv module's own bound on a cell (csv.field_size_limit), often
        # reached through a quotation mark that is never closed.
        raise TableError(
            _(
                "Row %(row)s cannot be read: a cell is longer than %(max)s characters, "
                "or a quotation mark is not closed."
            )
            % {"row": _n(number + 1), "max": _n(limits.max_cell_length)}
        ) from None


# XLSX -----------------------------------------------------------------------------


def _read_xlsx(content: bytes, limits: Limits) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TableError(_("The file could not be opened as an Excel workbook (.xlsx).")) from None
    with archive:
        _check_archive(archive, limits)
        rows = xlsx.sheet_rows(
            archive,
            # The header is not known yet: one column beyond the bound shows a header too wide.
            max_columns=limits.max_columns + 1,
            max_cell_length=limits.max_cell_length,
            # Different texts, each held as an object: half the cell budget, so
            # that texts and cells at their bounds together stay within memory.
            max_strings=limits.max_cells // 2,
        )
        try:
            return _table(rows, limits, encoding="xlsx", delimiter="")
        except xlsx.XlsxError as exc:
            raise TableError(str(exc)) from None
        except TableError:
            raise
        except (zipfile.BadZipFile, zlib.error, expat.ExpatError, KeyError, ValueError, EOFError, OSError, IndexError):
            # A broken part (XML, zip CRC, a cell pointing nowhere) shows only as it is read.
            logger.info("Unreadable workbook", exc_info=True)
            raise TableError(_("The file could not be opened as an Excel workbook (.xlsx).")) from None


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a workbook that unzips to more than max_xlsx_inflated_size
    bytes, or to more than max_xlsx_ratio times its zipped size, from the zip
    directory alone, before anything is unzipped. (zipfile never unzips more
    of a part than the directory says, so a lying directory does not help.)"""
    parts = archive.infolist()
    inflated = sum(part.file_size for part in parts)
    zipped = sum(part.compress_size for part in parts)
    mb = 1024 * 1024
    if inflated > limits.max_xlsx_inflated_size:
        raise TableError(
            _("The workbook unzips to %(size)s MB, more than the %(max)s MB that can be read. Save it as CSV.")
            % {"size": _n(inflated // mb), "max": _n(limits.max_xlsx_inflated_size // mb)}
        )
    if inflated > _RATIO_FLOOR and inflated > limits.max_xlsx_ratio * max(zipped, 1):
        raise TableError(
            _(
                "The workbook unzips to %(ratio)s times its size; a workbook is at most %(max)s times. "
                "It cannot be read. Save it again from Excel, or as CSV."
            )
            % {"ratio": _n(inflated // max(zipped, 1)), "max": _n(limits.max_xlsx_ratio)}
        )


# Both -----------------------------------------------------------------------------


def _is_blank(cells: Sequence) -> bool:
    try:
        return not "".join(cells).strip()  # a row of text (every CSV row), in C
    except TypeError:
        return all(cell is None or str(cell).strip() == "" for cell in cells)


def _header(rows: Iterator[tuple[int, Sequence]], limits: Limits) -> list[str]:
    """The first row that is not blank, up to its last title."""
    for number, cells in rows:
        if _is_blank(cells):
            continue
        headers = [str(cell).strip() if cell is not None else "" for cell in cells]
        while headers and not headers[-1]:
            headers.pop()
        if len(headers) > limits.max_columns:
            raise TableError(
                _("The file has more than %(max)s columns (row %(row)s). Remove the columns that are not needed.")
                % {"max": _n(limits.max_columns), "row": _n(number)}
            )
        _check_cells(number, headers, limits)
        return headers
    raise TableError(_("The file is empty."))


def _table(rows: Iterable[tuple[int, Sequence]], limits: Limits, *, encoding: str, delimiter: str) -> Table:
    """Read `rows` (number, cells) into a Table within `limits`: only the
    header's columns are kept, and a bound crossed stops the read at once."""
    rows = _counted(rows, limits)
    headers = _header(rows, limits)
    width = len(headers)
    max_rows = min(limits.max_rows, limits.max_cells // max(width, 1))
    data = []
    for number, cells in rows:
        row = list(cells[:width])
        if _is_blank(row):
            continue
        if len(data) == max_rows:
            _too_many_rows(number, width, limits)
        row.extend([None] * (width - len(row)))
        _check_cells(number, row, limits)
        data.append((number, row))
    return Table(headers=headers, rows=data, encoding=encoding, delimiter=delimiter)


def _counted(rows: Iterable[tuple[int, Sequence]], limits: Limits) -> Iterator[tuple[int, Sequence]]:
    for count, row in enumerate(rows, start=1):
        if count > limits.max_rows_read:
            raise TableError(
                _("The file has more than %(max)s rows, blank ones included. Remove the blank rows.")
                % {"max": _n(limits.max_rows_read)}
            )
        yield row


def _too_many_rows(number: int, width: int, limits: Limits) -> None:
    if limits.max_rows * width <= limits.max_cells:
        raise TableError(
            _("The file has more than %(max)s rows (row %(row)s). Split it into smaller files.")
            % {"max": _n(limits.max_rows), "row": _n(number)}
        )
    raise TableError(
        _(
            "The file has more than %(max)s cells (%(columns)s columns, row %(row)s). "
            "Remove the columns that are not needed, or split it into smaller files."
        )
        % {"max": _n(limits.max_cells), "columns": _n(width), "row": _n(number)}
    )


def _check_cells(number: int, row: list, limits: Limits) -> None:
    try:
        # The common case, a row of text within bounds, checked in C: this runs for every row of a file.
        if "\x00" not in "".join(row) and max(map(len, row), default=0) <= limits.max_cell_length:
            return
    except TypeError:
        pass  # a number, a date or a missing cell: check cell by cell
    for index, cell in enumerate(row, start=1):
        if not isinstance(cell, str):
            continue
        if len(cell) > limits.max_cell_length:
            raise TableError(
                _("The cell in row %(row)s, column %(column)s is longer than %(max)s characters.")
                % {"row": _n(number), "column": index, "max": _n(limits.max_cell_length)}
            )
        if "\x00" in cell:
            raise TableError(
                _("The cell in row %(row)s, column %(column)s holds a NUL character: the file is not plain text.")
                % {"row": _n(number), "column": index}
            )


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

    def date_cell(value: date) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD.MM.YYYY"
        return cell

    # Only dates need a cell of their own (for the format); the sheet makes
    # the plain ones, a third faster than a WriteOnlyCell for every value.
    for row in rows:
        sheet.append([date_cell(value) if isinstance(value, date) else neutralise(value) for value in row])
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
