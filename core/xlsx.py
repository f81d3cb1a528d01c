"""Reading the first worksheet of an XLSX workbook as rows of values,
streamed and bounded, for core.tabular.

openpyxl, even in read-only mode with a column bound, builds all of a row's
cells as objects before it hands the row over (a row of a million cells
took 830 MB), keeps the attributes of every styled row and every shared
string as an object, and parses ~25,000 cells a second. This reader parses
each part with expat a chunk at a time and keeps only the values of each
row's first `max_columns` cells; it refuses a DOCTYPE (no entities), stops
reading the sheet at the end of its data, and uses openpyxl only for what
it knows of number formats and Excel dates.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator
from typing import IO
from xml.parsers import expat

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
# Excel's own bound on the cell formats of a workbook; styles beyond it are not dates.
MAX_STYLES = 65_490
# Sheets looked at for the first worksheet (the others may be chart sheets).
MAX_SHEETS = 1000
_CHUNK = 64 * 1024
_DIGITS = "0123456789"
# Element names as expat gives them (namespace, space, local name).
_T = f"{MAIN} t"
_PHONETIC = f"{MAIN} rPh"
_SHARED = f"{MAIN} si"
_INLINE = f"{MAIN} is"
_CELL = f"{MAIN} c"
_VALUE = f"{MAIN} v"
_ROW = f"{MAIN} row"
_SHEET_DATA = f"{MAIN} sheetData"
_WORKBOOK_PROPERTIES = f"{MAIN} workbookPr"
_SHEET = f"{MAIN} sheet"
_NUMBER_FORMAT = f"{MAIN} numFmt"
_CELL_FORMATS = f"{MAIN} cellXfs"
_FORMAT = f"{MAIN} xf"
_CELL_STYLES = f"{MAIN} cellStyles"
_RELATIONSHIP = f"{PACKAGE_RELATIONSHIPS} Relationship"


class XlsxError(ValueError):
    """The workbook cannot be read; the message says why, for the user."""


def sheet_rows(
    archive: zipfile.ZipFile, *, max_columns: int, max_cell_length: int, max_strings: int
) -> Iterator[tuple[int, list]]:
    """(row number, values) for each row of the first worksheet that has a
    value in its first `max_columns` cells, values as openpyxl gives them
    with data_only (cached results of formulas, dates as datetimes). A text
    longer than `max_cell_length` is cut one character beyond it, so that the
    caller sees that it is too long. Raises XlsxError for more than
    `max_strings` shared strings; zipfile, expat and ValueError errors for a
    broken workbook."""
    workbook = _package_target(archive)
    sheets, date1904 = _workbook_sheets(archive, workbook)
    relationships = _relationships(archive, workbook, wanted=set(sheets))
    sheet = next((relationships[s][1] for s in sheets if relationships.get(s, ("",))[0].endswith("/worksheet")), None)
    if sheet is None:
        raise XlsxError(_("The workbook has no worksheet."))
    strings = _shared_strings(archive, relationships, max_strings=max_strings, max_length=max_cell_length + 1)
    dates, durations = _date_styles(archive, relationships)
    reader = _SheetReader(
        strings=strings,
        dates=dates,
        durations=durations,
        epoch=CALENDAR_MAC_1904 if date1904 else WINDOWS_EPOCH,
        max_columns=max_columns,
        max_length=max_cell_length + 1,
    )
    with archive.open(sheet) as source:
        yield from reader.rows(source)


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    return parser


def _refuse_doctype(*args) -> None:
    # No part of a workbook has one; refusing it rules out entity expansion.
    raise XlsxError(_("The file could not be opened as an Excel workbook (.xlsx)."))


def _feed(parser: expat.XMLParserType, source: IO[bytes], done: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """Parse `source` a chunk at a time, pausing after each, until it ends or `done()`."""
    while not done():
        chunk = source.read(_CHUNK)
        parser.Parse(chunk, not chunk)
        yield
        if not chunk:
            return


def _scan(archive: zipfile.ZipFile, name: str, start: Callable[[str, dict], bool | None]) -> None:
    """Call `start(tag, attributes)` for each element of part `name` (if the
    workbook has it) until it returns True."""
    if not _has(archive, name):
        return
    parser, finished = _parser(), []

    def on_start(tag: str, attributes: dict) -> None:
        if not finished and start(tag, attributes):
            finished.append(True)

    parser.StartElementHandler = on_start
    with archive.open(name) as source:
        for _step in _feed(parser, source, done=lambda: bool(finished)):
            pass


def _has(archive: zipfile.ZipFile, name: str) -> bool:
    try:
        archive.getinfo(name)
    except KeyError:
        return False
    return True


def _package_target(archive: zipfile.ZipFile) -> str:
    """The workbook part, as the package's relationships name it."""
    found = []

    def start(tag: str, attributes: dict) -> bool:
        if tag == _RELATIONSHIP and attributes.get("Type", "").endswith("/officeDocument"):
            found.append(_resolve("", attributes.get("Target", "")))
        return bool(found)

    _scan(archive, "_rels/.rels", start)
    return found[0] if found else "xl/workbook.xml"


def _workbook_sheets(archive: zipfile.ZipFile, workbook: str) -> tuple[list[str], bool]:
    """The relationship ids of the workbook's first MAX_SHEETS sheets, in
    order, and whether its dates count from 1904."""
    sheets: list[str] = []
    date1904 = []

    def start(tag: str, attributes: dict) -> bool:
        if tag == _WORKBOOK_PROPERTIES:
            date1904.append(attributes.get("date1904", "").lower() in ("1", "true"))
        elif tag == _SHEET:
            sheets.append(attributes.get(f"{RELATIONSHIPS} id", ""))
        return len(sheets) >= MAX_SHEETS

    _scan(archive, workbook, start)
    return sheets, bool(date1904 and date1904[0])


def _relationships(archive: zipfile.ZipFile, part: str, *, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """Id -> (type, part) of `part`'s relationships: those in `wanted`, and
    its shared strings and styles (under the ids "strings" and "styles")."""
    folder, name = posixpath.split(part)
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attributes: dict) -> None:
        if tag != _RELATIONSHIP:
            return
        kind, target = attributes.get("Type", ""), _resolve(folder, attributes.get("Target", ""))
        if attributes.get("Id") in wanted:
            found[attributes["Id"]] = (kind, target)
        for key in ("sharedStrings", "styles"):
            if kind.endswith(f"/{key}"):
                found.setdefault(key, (kind, target))

    _scan(archive, posixpath.join(folder, "_rels", f"{name}.rels"), start)
    return found


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _shared_strings(archive: zipfile.ZipFile, relationships: dict, *, max_strings: int, max_length: int) -> list[str]:
    """The shared strings (plain text of each, without phonetic runs), each cut at `max_length`."""
    name = relationships.get("sharedStrings", ("", "xl/sharedStrings.xml"))[1]
    if not _has(archive, name):
        return []
    reader = _TextReader(item=_SHARED, max_length=max_length)
    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler = reader.start, reader.end
    parser.CharacterDataHandler = reader.characters
    with archive.open(name) as source:
        for _step in _feed(parser, source):
            if len(reader.texts) > max_strings:
                raise XlsxError(
                    _("The workbook holds more than %(max)s different texts. Split it into smaller files.")
                    % {"max": number_format(max_strings, force_grouping=True)}
                )
    return [text.replace("x005F_", "") for text in reader.texts]  # as openpyxl reads them


class _TextReader:
    """The text of each `item` element (a shared string, or an inline string
    of a cell): its <t> elements outside phonetic runs (<rPh>)."""

    def __init__(self, *, item: str, max_length: int):
        self.item, self.max_length = item, max_length
        self.texts: list[str] = []
        self.parts: list[str] = []
        self.length = 0
        self.capture = False
        self.phonetic = 0

    def start(self, tag: str, attributes: dict) -> None:
        if tag == _T:
            self.capture = not self.phonetic
        elif tag == _PHONETIC:
            self.phonetic += 1
        elif tag == self.item:
            self.parts, self.length = [], 0

    def end(self, tag: str) -> None:
        if tag == _T:
            self.capture = False
        elif tag == _PHONETIC:
            self.phonetic -= 1
        elif tag == self.item:
            self.texts.append("".join(self.parts))

    def characters(self, data: str) -> None:
        if self.capture and self.length < self.max_length:
            self.parts.append(data[: self.max_length - self.length])
            self.length += len(data)


def _date_styles(archive: zipfile.ZipFile, relationships: dict) -> tuple[set[int], set[int]]:
    """The indexes of the cell formats (cellXfs) that show dates, and of those that show durations."""
    name = relationships.get("styles", ("", "xl/styles.xml"))[1]
    custom: dict[str, str] = {}
    dates: set[int] = set()
    durations: set[int] = set()
    state = {"in_cell_formats": False, "index": 0}

    def start(tag: str, attributes: dict) -> bool:
        if tag == _NUMBER_FORMAT and len(custom) < MAX_STYLES:
            custom[attributes.get("numFmtId", "")] = attributes.get("formatCode", "")
        elif tag == _CELL_FORMATS:
            state["in_cell_formats"] = True
        elif tag == _FORMAT and state["in_cell_formats"]:
            number_format = attributes.get("numFmtId", "0")
            code = custom.get(number_format) or _builtin_format(number_format)
            if is_date_format(code):
                dates.add(state["index"])
            if is_timedelta_format(code):
                durations.add(state["index"])
            state["index"] += 1
        # Nothing after cellXfs is needed (the list that comes next is cellStyles).
        return tag == _CELL_STYLES or state["index"] >= MAX_STYLES

    _scan(archive, name, start)
    return dates, durations


def _builtin_format(number_format: str) -> str | None:
    try:
        return builtin_format_code(int(number_format))
    except (ValueError, KeyError):
        return None


class _Columns(dict):
    """Column letters -> number ('XFD' -> 16384), worked out once each (at
    most 16,384 of them: column_index_from_string refuses any other)."""

    def __missing__(self, letters: str) -> int:
        self[letters] = number = column_index_from_string(letters)
        return number


def _cast_number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _SheetReader:
    """The rows of a worksheet, from expat's events; see sheet_rows. One
    handler per kind of event, its branches in the order of how often they
    are taken: this runs a few times for each cell of the file."""

    def __init__(self, *, strings, dates, durations, epoch, max_columns: int, max_length: int):
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch
        self.max_columns, self.max_length = max_columns, max_length
        self.ready: list[tuple[int, list]] = []
        self.done = False
        self.row = self.column = 0
        self.values: dict[int, object] = {}
        # The cell being read: kept (within max_columns), its type and style,
        # its text so far, and whether it had an inline string (<is>).
        self.keep = self.capture = self.inline = False
        self.kind, self.style, self.parts, self.length = "n", 0, [], 0
        self.phonetic = 0
        self.columns = _Columns()

    def rows(self, source: IO[bytes]) -> Iterator[tuple[int, list]]:
        parser = _parser()
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler = self.characters
        for _step in _feed(parser, source, done=lambda: self.done):
            ready, self.ready = self.ready, []
            yield from ready

    def start(self, tag: str, attributes: dict) -> None:
        if tag == _CELL:
            reference = attributes.get("r")
            self.column = self.columns[reference.rstrip(_DIGITS)] if reference else self.column + 1
            self.keep = self.column <= self.max_columns
            if self.keep:
                self.kind = attributes.get("t", "n")
                style = attributes.get("s")
                self.style = int(style) if style else 0
                self.parts, self.length, self.inline = [], 0, False
        elif tag == _VALUE:
            self.capture = self.keep and self.kind != "inlineStr"
        elif tag == _T:
            self.capture = self.inline and not self.phonetic
        elif tag == _INLINE:
            self.inline = self.keep and self.kind == "inlineStr"
        elif tag == _ROW:
            reference = attributes.get("r")
            self.row = int(float(reference)) if reference else self.row + 1
            self.column = 0
            self.values = {}
        elif tag == _PHONETIC:
            self.phonetic += 1

    def end(self, tag: str) -> None:
        if tag in (_VALUE, _T):
            self.capture = False
        elif tag == _CELL:
            if self.keep:
                value = self.value()
                if value is not None:
                    self.values[self.column] = value
            self.keep = self.inline = False
        elif tag == _ROW:
            if self.values:
                cells = [None] * max(self.values)
                for column, value in self.values.items():
                    cells[column - 1] = value
                self.ready.append((self.row, cells))
            self.values = {}
        elif tag == _PHONETIC:
            self.phonetic -= 1
        elif tag == _SHEET_DATA:
            self.done = True

    def characters(self, data: str) -> None:
        if self.capture and self.length < self.max_length:
            self.parts.append(data[: self.max_length - self.length])
            self.length += len(data)

    def value(self):
        """The cell's value as openpyxl reads it with data_only."""
        text = "".join(self.parts)
        if self.kind == "inlineStr":
            return text if self.inline else None
        if not text:
            return None
        if self.kind == "n":
            number = _cast_number(text)
            if self.style in self.dates:
                try:
                    return from_excel(number, self.epoch, timedelta=self.style in self.durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if self.kind == "s":
            return self.strings[int(text)]
        if self.kind == "b":
            return bool(int(text))
        if self.kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text), "e" (an error such as #N/A)
