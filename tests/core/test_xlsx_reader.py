"""core.xlsx reads a workbook's first sheet as openpyxl does (read-only,
data_only), value for value, on the kinds of workbook Excel, LibreOffice and
payroll systems write; but streamed, and refusing what no workbook holds.
No database needed."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from core.tabular import TableError, read_table, write_xlsx
from tests.core import hostile


def _as_openpyxl_reads_it(content: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and rows as read_table read them before, through openpyxl."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()

    def blank(row):
        return all(cell is None or str(cell).strip() == "" for cell in row)

    start = next(i for i, row in enumerate(rows) if not blank(row))
    headers = [str(cell).strip() if cell is not None else "" for cell in rows[start]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    data = [
        (number, (row + [None] * width)[:width])
        for number, row in enumerate(rows[start + 1 :], start=start + 2)
        if not blank(row[:width])
    ]
    return headers, data


def _assert_read_as_openpyxl_does(content: bytes) -> None:
    table = read_table(content, "liste.xlsx")
    assert (table.headers, table.rows) == _as_openpyxl_reads_it(content)


def _saved(workbook: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _workbook_of_every_kind_of_cell() -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ansattnummer", "Fornavn", "Startdato", "Lønn", "Aktiv", "Tid", "Formel", "Tidspunkt", "Tomt"])
    for i in range(60):
        sheet.append(
            [
                1000 + i,
                f"Kåre {i}" if i % 7 else None,
                date(2020, 1, 1 + i % 28),
                i * 1.5,
                i % 2 == 0,
                time(8, 30),
                f"=A{i + 2}*2",
                datetime(2021, 5, 6, 7, 8, 9),
                "" if i % 3 else None,
            ]
        )
    sheet["B5"] = "  mellomrom  "
    sheet["C6"].number_format = "dd.mm.yyyy"
    sheet.append([])
    sheet.cell(row=80, column=2, value="en rad langt nede")
    sheet.cell(row=81, column=40, value="utenfor overskriftene")
    return workbook


def test_shared_strings_dates_numbers_booleans_and_formulas_read_as_openpyxl_reads_them():
    _assert_read_as_openpyxl_does(_saved(_workbook_of_every_kind_of_cell()))


def test_dates_of_a_workbook_counting_from_1904_read_as_openpyxl_reads_them():
    workbook = _workbook_of_every_kind_of_cell()
    workbook.epoch = CALENDAR_MAC_1904
    content = _saved(workbook)
    _assert_read_as_openpyxl_does(content)
    assert read_table(content, "a.xlsx").rows[0][1][2] == datetime(2020, 1, 1)


def test_our_own_export_reads_back_as_openpyxl_reads_it():
    _assert_read_as_openpyxl_does(write_xlsx(hostile.HEADERS, hostile.employee_rows(300), title="Ansatte"))


def test_inline_strings_rich_text_and_phonetic_runs_read_as_openpyxl_reads_them():
    rows = [
        hostile.xml_row(1, [(1, "Navn"), (2, "Sted")]),
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>Kari </t></r><r><rPr><b/></rPr><t>Nordmann</t></r>'
        '<rPh sb="0" eb="1"><t>ignored</t></rPh></is></c><c r="B2" t="inlineStr"><is><t xml:space="preserve"> Bø </t>'
        "</is></c></row>",
        '<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="e"><v>#N/A</v></c></row>',
        '<row r="5"><c r="A5" t="str"><v>formula text</v></c><c r="B5" t="d"><v>2024-02-29T00:00:00</v></c></row>',
    ]
    content = hostile.xlsx_file(rows)
    _assert_read_as_openpyxl_does(content)
    assert read_table(content, "a.xlsx").rows[0] == (2, ["Kari Nordmann", " Bø "])


def test_rows_and_cells_without_references_follow_the_previous_ones():
    content = hostile.xlsx_file(
        [
            '<row><c t="inlineStr"><is><t>Navn</t></is></c><c t="inlineStr"><is><t>Sted</t></is></c></row>',
            "<row><c><v>1</v></c><c><v>2</v></c></row>",
            '<row r="7"><c r="B7"><v>3</v></c></row>',
            "<row><c><v>4</v></c></row>",
        ]
    )
    _assert_read_as_openpyxl_does(content)
    assert read_table(content, "a.xlsx").rows == [(2, [1, 2]), (7, [None, 3]), (8, [4, None])]


def _with_sheet(sheet_xml: str) -> bytes:
    """A small workbook whose sheet part is `sheet_xml`."""
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(hostile.xlsx_table([["1"]], headers=["Nr"])))
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            is_sheet = info.filename == "xl/worksheets/sheet1.xml"
            target.writestr(info.filename, sheet_xml.encode() if is_sheet else source.read(info))
    return out.getvalue()


def test_a_sheet_under_a_namespace_prefix_is_read():
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    content = _with_sheet(
        f'<x:worksheet xmlns:x="{main}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr">'
        '<x:is><x:t>Nr</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2"><x:v>7</x:v></x:c>'
        "</x:row></x:sheetData></x:worksheet>"
    )
    assert read_table(content, "a.xlsx").rows == [(2, [7])]


def test_a_part_with_a_doctype_is_refused():
    content = _with_sheet('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet><sheetData/></worksheet>')
    with pytest.raises(TableError, match="could not be opened as an Excel workbook"):
        read_table(content, "a.xlsx")


def test_a_workbook_without_a_worksheet_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(TableError, match="no worksheet"):
        read_table(out.getvalue(), "a.xlsx")


def test_a_cell_pointing_at_a_shared_string_that_does_not_exist_is_refused():
    content = hostile.xlsx_file(
        [hostile.xml_row(1, [(1, "Navn")]), '<row r="2"><c r="A2" t="s"><v>99</v></c></row>'], strings=["Kari"]
    )
    with pytest.raises(TableError, match="could not be opened as an Excel workbook"):
        read_table(content, "a.xlsx")
