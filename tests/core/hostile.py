"""Hostile import files, built in memory, and a way to measure reading one in
a fresh process: for tests/core/test_hostile_files.py and
bench/hostile_files.py. The workbooks are written by hand (a minimal
package: content types, workbook, one sheet; inline or shared strings) and
streamed into the zip, so that even a huge one is quick to build."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import os
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HEADERS = ["Ansattnummer", "Fornavn", "Etternavn", "E-post", "Mobil", "Lokasjon", "Avdeling", "Startdato", "Status"]
FIRST = ["Kari", "Ola", "Ingrid", "Per", "Åse", "Lars", "Nora", "Jonas"]
LAST = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Ødegård", "Berg", "Haugen"]
PLACES = ["Hovedkontor", "Lager", "Verksted"]
MB = 1024 * 1024

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _parts(shared_strings: bool) -> dict[str, str]:
    strings_type = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
    strings_type = strings_type if shared_strings else ""
    strings_rel = (
        f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>' if shared_strings else ""
    )
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
            f"{strings_type}</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook {_NS} xmlns:r="{_DOC}"><sheets><sheet name="Ansatte" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>'
        ),
    }


def employee_rows(n: int) -> list[list[str]]:
    """n plausible employees, as a payroll system exports them (HEADERS)."""
    start = date(2005, 1, 1)
    return [
        [
            str(10000 + i),
            FIRST[i % 8],
            f"{LAST[i % 7]}{i}",
            f"ansatt{i}@bedrift.no",
            f"9{i % 10}{i % 7} {i % 100:02d} {i % 1000:03d}",
            PLACES[i % 3],
            "Salg",
            (start + timedelta(days=i % 7000)).strftime("%d.%m.%Y"),
            "Aktiv",
        ]
        for i in range(n)
    ]


def csv_file(rows: Iterable[list[str]], headers: list[str] = HEADERS, *, encoding: str = "cp1252") -> bytes:
    """Semicolons and Windows-1252, as Norwegian payroll systems export."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def column_letters(index: int) -> str:
    """1 -> A, 16384 -> XFD."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xml_row(number: int, cells: Iterable[tuple[int, str]]) -> str:
    """A sheet row of inline strings, cells as (column number, text)."""
    xml = "".join(
        f'<c r="{column_letters(col)}{number}" t="inlineStr"><is><t>{text}</t></is></c>' for col, text in cells
    )
    return f'<row r="{number}">{xml}</row>'


def xlsx_file(
    rows: Iterable[str], *, dimension: str = "", strings: Iterable[str] = (), compresslevel: int = 6
) -> bytes:
    """A workbook whose one sheet holds the given row XML, and `strings` as
    its shared strings (both streamed into the zip)."""
    out = io.BytesIO()
    strings = iter(strings)
    first_string = next(strings, None)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, xml in _parts(shared_strings=first_string is not None).items():
            archive.writestr(name, xml)
        head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>'
        if dimension:
            head += f'<dimension ref="{dimension}"/>'
        _stream(archive, "xl/worksheets/sheet1.xml", head + "<sheetData>", rows, "</sheetData></worksheet>")
        if first_string is not None:
            items = (f"<si><t>{text}</t></si>" for text in itertools.chain([first_string], strings))
            _stream(archive, "xl/sharedStrings.xml", f"<sst {_NS}>", items, "</sst>")
    return out.getvalue()


def _stream(archive: zipfile.ZipFile, name: str, head: str, items: Iterable[str], tail: str) -> None:
    with archive.open(name, "w") as part:
        part.write(head.encode())
        for batch in _batched(items):
            part.write("".join(batch).encode())
        part.write(tail.encode())


def _batched(items: Iterable[str]) -> Iterable[list[str]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, 1000)):
        yield batch


def xlsx_table(rows: Iterable[list[str]], headers: list[str] = HEADERS) -> bytes:
    """A plain workbook of a header and rows, in inline strings (as openpyxl writes them)."""
    all_rows = enumerate([headers, *rows], start=1)
    return xlsx_file(xml_row(n, enumerate(cells, start=1)) for n, cells in all_rows)


def _header_xml() -> str:
    return xml_row(1, enumerate(HEADERS[:4], start=1))


# The hostile files ----------------------------------------------------------------


def wide_csv_header(rows: int = 2000, width: int = 200_000) -> bytes:
    """A header 200,000 separators wide with a title at its end, then short rows (0.24 MB)."""
    header = ";".join(HEADERS[:4]) + ";" * width + "Merknad"
    body = "".join(f"{n};Kari;Nordmann;k{n}@bedrift.no\r\n" for n in range(rows))
    return (header + "\r\n" + body).encode()


def huge_csv_cell(size: int = 15 * MB) -> bytes:
    """One quoted cell of 15 MB, in lines of 100 characters (each line is short)."""
    return csv_file(employee_rows(3)) + b'1;"' + (b"x" * 99 + b"\n") * (size // 100) + b'";Nordmann\r\n'


def long_csv_line(size: int = 15 * MB) -> bytes:
    """One line of 15 MB without a separator."""
    return csv_file(employee_rows(3)) + b"1;" + b"x" * size + b"\r\n"


def csv_rows(rows: int) -> bytes:
    """A header and `rows` short rows."""
    return (";".join(HEADERS[:4]) + "\r\n").encode() + b"1;Kari;Nordmann;k@bedrift.no\r\n" * rows


def csv_line_breaks(size: int = 20 * MB) -> bytes:
    """A header and 20 MB of line breaks: twenty million blank rows."""
    return b"a;b\r\n" + b"\n" * size


def sniffer_trap() -> bytes:
    """64 KB of `";` first: csv.Sniffer takes minutes on it."""
    return ('";' * 32 * 1024 + "\r\n").encode() + csv_file(employee_rows(10))


def xlsx_cell_at_xfd(rows: int = 20_000) -> bytes:
    """A header, then on each of 20,000 rows a cell in column A and one at
    the last column, XFD, and a dimension claiming A1:XFD (0.2 MB)."""
    body = (xml_row(n, [(1, str(n)), (16384, "x")]) for n in range(2, rows + 2))
    return xlsx_file(itertools.chain([_header_xml()], body), dimension=f"A1:XFD{rows + 1}")


def xlsx_zip_bomb(inflated: int = 1400 * MB) -> bytes:
    """A workbook whose sheet unzips to `inflated` bytes of rows (1.4 GB in 5.5 MB)."""
    row = xml_row(2, [(1, "1"), (2, "Kari"), (3, "Nordmann"), (4, "k@bedrift.no")])
    rows = itertools.repeat(row, inflated // len(row))
    return xlsx_file(itertools.chain([_header_xml()], rows), compresslevel=9)


def xlsx_ratio_bomb(inflated: int = 60 * MB) -> bytes:
    """A workbook under the unzipped bound that unzips to ~1,000 times its size."""
    return xlsx_file(itertools.chain([_header_xml()], itertools.repeat("<row/>", inflated // 6)), compresslevel=9)


def xlsx_rows(rows: int) -> bytes:
    """A header and `rows` rows of four cells (numbers and shared strings)."""
    body = (
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}" t="s"><v>0</v></c>'
        f'<c r="C{n}" t="s"><v>1</v></c><c r="D{n}" t="s"><v>2</v></c></row>'
        for n in range(2, rows + 2)
    )
    return xlsx_file(itertools.chain([_header_xml()], body), strings=["Kari", "Nordmann", "k@bedrift.no"])


def xlsx_million_cell_row(cells: int = 1_000_000) -> bytes:
    """A header, then one row of a million cells in column B (27 MB unzipped;
    openpyxl held them all: 830 MB)."""
    row = '<row r="2">' + "".join(f'<c r="B2"><v>{i}</v></c>' for i in range(cells)) + "</row>"
    return xlsx_file([_header_xml(), row], compresslevel=1)


def xlsx_shared_strings(count: int = 1_000_001) -> bytes:
    """A workbook of a header and one row, with a million different shared strings."""
    body = ['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    return xlsx_file(itertools.chain([_header_xml()], body), strings=(f"s{i}" for i in range(count)))


def xlsx_many_parts(count: int = 220_000) -> bytes:
    """A small workbook with 220,000 empty parts more: 19 MB of zip directory."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_rows(1))) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        for number in range(count):
            target.writestr(str(number), b"")
    return out.getvalue()


def csv_distinct_cells(rows: int = 100_000, columns: int = 20) -> bytes:
    """Two million different short cells: the most a file may hold (MAX_CELLS)."""
    header = ";".join(f"Kolonne {c}" for c in range(columns))
    body = "\r\n".join(";".join(f"v{n * columns + c}" for c in range(columns)) for n in range(rows))
    return (header + "\r\n" + body).encode()


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Callable[[], bytes]
    filename: str
    outcome: str  # the start of what reading it gives: "read N rows" or "TableError: ..."


def hostile_files(*, full: bool = False) -> list[Hostile]:
    """The files each read must survive within bounds; `full` builds the
    zip bomb at its measured size (1.4 GB unzipped; 12 s to build)."""
    bomb = 1400 * MB if full else 200 * MB
    refused = "TableError: The file has more than"
    return [
        Hostile("CSV header 200,000 separators wide", wide_csv_header, "a.csv", f"{refused} 200 columns (row 1)"),
        Hostile(
            "CSV quoted cell of 15 MB",
            huge_csv_cell,
            "a.csv",
            "TableError: Row 5 cannot be read: a cell is longer than 10,000 characters",
        ),
        Hostile("CSV line of 15 MB", long_csv_line, "a.csv", "TableError: Line 5 of the file is longer than 2,000,600"),
        Hostile("CSV of 100,001 rows", lambda: csv_rows(100_001), "a.csv", f"{refused} 100,000 rows (row 100,002)"),
        Hostile(
            "CSV of 20 MB of line breaks", csv_line_breaks, "a.csv", f"{refused} 1,048,576 rows, blank ones included"
        ),
        Hostile("CSV that traps csv.Sniffer", sniffer_trap, "a.csv", f"{refused} 200 columns"),
        Hostile("XLSX cell at XFD on 20,000 rows", xlsx_cell_at_xfd, "a.xlsx", "read 20000 rows x 4 columns"),
        Hostile(
            f"XLSX zip bomb ({bomb // MB:,} MB unzipped)",
            lambda: xlsx_zip_bomb(bomb),
            "a.xlsx",
            f"TableError: The workbook unzips to {bomb // MB:,} MB, more than the 100 MB",
        ),
        Hostile(
            "XLSX unzipping to 1,000 times its size",
            xlsx_ratio_bomb,
            "a.xlsx",
            "TableError: The workbook unzips to",
        ),
        Hostile("XLSX of 100,001 rows", lambda: xlsx_rows(100_001), "a.xlsx", f"{refused} 100,000 rows (row 100,002)"),
        Hostile("XLSX row of a million cells", xlsx_million_cell_row, "a.xlsx", "read 1 rows x 4 columns"),
        Hostile("XLSX of 220,000 zip parts", xlsx_many_parts, "a.xlsx", "read 1 rows x 4 columns"),
        Hostile(
            "XLSX of 1,000,001 shared strings",
            xlsx_shared_strings,
            "a.xlsx",
            "TableError: The workbook holds more than 1,000,000 different texts",
        ),
    ]


# Measuring a read in a fresh process ----------------------------------------------

# The peak is the process's VmHWM: Linux carries ru_maxrss over an exec, so
# a child started by a large parent (pytest) would report the parent's peak.
READER = """
import json, resource, sys, time
import django
django.setup()
from django.utils import translation
translation.activate("en")
from core.tabular import TableError, read_table

def peak_mb():
    try:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

with open(sys.argv[1], "rb") as handle:
    content = handle.read()
before = peak_mb()
started = time.perf_counter()
try:
    table = read_table(content, sys.argv[2])
    outcome = "read %d rows x %d columns" % (len(table.rows), len(table.headers))
except TableError as exc:
    outcome = "TableError: %s" % exc
seconds = time.perf_counter() - started
print(json.dumps({"peak_mb": peak_mb(), "before_mb": before, "seconds": seconds, "outcome": outcome}))
"""


def measure(path: Path, filename: str) -> dict:
    """Read the file at `path` (named `filename`) with core.tabular.read_table
    in a fresh Python process: its peak resident memory in MB (Django and
    the file's bytes included), the same before the read, the read's
    seconds, and its outcome."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_TESTING": "1",
        # Reading a file opens no connection, but the settings want the URLs.
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://unused/unused",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://unused",
    }
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", READER, str(path), filename],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"The reader failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def xlsx_at_the_bounds(rows: int = 99_999, columns: int = 20) -> bytes:
    """Near the most a workbook may hold, all at once: a million different
    shared strings, and a sheet of 20 columns by 99,999 rows of numbers
    (~98 MB unzipped)."""
    header = xml_row(1, [(c, f"K{c}") for c in range(1, columns + 1)])
    letters = [column_letters(c) for c in range(1, columns + 1)]
    body = (
        f'<row r="{n}">' + "".join(f'<c r="{x}{n}"><v>{n}.{c}</v></c>' for c, x in enumerate(letters)) + "</row>"
        for n in range(2, rows + 2)
    )
    return xlsx_file(itertools.chain([header], body), strings=(f"s{i}" for i in range(1_000_000)))


# Files an upload must refuse with the normal file error -------------------------


def random_bytes(size: int) -> bytes:
    """Bytes that are no file at all (the same ones every run)."""
    return random.Random(size).randbytes(size)  # noqa: S311 (test data)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n"


@dataclass(frozen=True)
class Unreadable:
    name: str
    filename: str
    content: bytes
    message: str  # a part of the error the form shows


@functools.cache
def _small_zip_bomb() -> bytes:
    return xlsx_zip_bomb(150 * MB)


def unreadable_files(headers: list[str], row: list[str]) -> list[Unreadable]:
    """Small files every import's upload must refuse with its file error,
    around a valid header and row of that import."""
    text = (";".join(headers) + "\r\n" + ";".join(row) + "\r\n").encode()
    not_a_table = "neither a CSV file nor an Excel workbook"
    return [
        Unreadable("NUL byte", "liste.csv", text.replace(b";", b"\x00;", 1), not_a_table),
        Unreadable(
            "cell over the csv field limit",
            "liste.csv",
            text + b'"' + b"x" * 200_000 + b'"\r\n',
            "a cell is longer than 10,000 characters, or a quotation mark is not closed",
        ),
        Unreadable("cell over the cell bound", "liste.csv", text + b"x" * 20_000 + b"\r\n", "longer than 10,000"),
        Unreadable("UTF-16 without a byte-order mark", "liste.csv", text.decode().encode("utf-16-le"), "UTF-16"),
        Unreadable("random bytes", "liste.csv", random_bytes(50_000), not_a_table),
        Unreadable("PNG renamed .csv", "liste.csv", PNG + random_bytes(2000), not_a_table),
        Unreadable("PDF renamed .csv", "liste.csv", PDF, not_a_table),
        Unreadable("old Excel renamed .xlsx", "liste.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), ".xls"),
        Unreadable("broken workbook", "liste.xlsx", b"PK\x03\x04" + random_bytes(2000), "Excel workbook"),
        Unreadable("zip bomb", "liste.xlsx", _small_zip_bomb(), "unzips to 150 MB, more than the 100 MB"),
        Unreadable("header too wide", "liste.csv", text.replace(b"\r\n", b";" * 300 + b"x\r\n", 1), "200 columns"),
        Unreadable("too many rows", "liste.csv", text + (";".join(row) + "\r\n").encode() * 100_000, "100,000 rows"),
    ]
