"""The bounds of core.tabular.read_table, each refused with a message that
names it (and the row or column), for CSV and XLSX alike; the settings that
override them; files that are no table. No database needed."""

from __future__ import annotations

import time

import pytest

from core.tabular import MAX_ROWS, Limits, TableError, read_table
from tests.core import hostile

SMALL = Limits(max_rows=3, max_columns=4, max_cells=8, max_cell_length=10, max_rows_read=10)


def _csv(rows: list[list[str]]) -> bytes:
    return "".join(";".join(row) + "\r\n" for row in rows).encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    return hostile.xlsx_table(rows[1:], headers=rows[0])


BOTH = pytest.mark.parametrize(("make", "name"), [(_csv, "a.csv"), (_xlsx, "a.xlsx")], ids=["csv", "xlsx"])


def _refused(content: bytes, name: str, limits: Limits = SMALL) -> str:
    with pytest.raises(TableError) as refused:
        read_table(content, name, limits=limits)
    return str(refused.value)


def test_the_row_bound_is_comfortably_above_the_largest_employee_lists():
    assert MAX_ROWS >= 2 * 50_000


@BOTH
def test_a_file_within_every_bound_is_read(make, name):
    table = read_table(make([["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]]), name, limits=SMALL)
    assert table.headers == ["a", "b"]
    assert [row for row, _cells in table.rows] == [2, 3, 4]


@BOTH
def test_more_rows_than_the_bound_are_refused_naming_the_bound_and_the_row(make, name):
    message = _refused(make([["a"], ["1"], ["2"], ["3"], ["4"]]), name)
    assert message == "The file has more than 3 rows (row 5). Split it into smaller files."


@BOTH
def test_a_header_wider_than_the_bound_is_refused(make, name):
    message = _refused(make([["a", "b", "c", "d", "e"], ["1"]]), name)
    assert message == "The file has more than 4 columns (row 1). Remove the columns that are not needed."


@BOTH
def test_rows_times_columns_over_the_cell_bound_are_refused(make, name):
    message = _refused(make([["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]]), name)
    assert message.startswith("The file has more than 8 cells (3 columns, row 4).")


@BOTH
def test_a_cell_longer_than_the_bound_is_refused_naming_row_and_column(make, name):
    message = _refused(make([["a", "b"], ["1", "x" * 11]]), name)
    assert message == "The cell in row 2, column 2 is longer than 10 characters."


@BOTH
def test_a_header_cell_longer_than_the_bound_is_refused(make, name):
    assert "row 1, column 1 is longer than 10" in _refused(make([["x" * 11], ["1"]]), name)


@BOTH
def test_cells_right_of_the_headers_last_title_are_not_read(make, name):
    table = read_table(make([["a", "b", ""], ["1", "2", "x" * 20, "also ignored"]]), name, limits=SMALL)
    assert table.headers == ["a", "b"]
    assert table.rows == [(2, ["1", "2"])]


def test_blank_rows_count_towards_the_rows_read():
    assert "more than 10 rows, blank ones included" in _refused(b"a;b\r\n" + b";\r\n" * 20 + b"1;2\r\n", "a.csv")


def test_a_line_longer_than_any_row_within_the_bounds_is_refused():
    limits = Limits(max_columns=2, max_cell_length=10)
    assert _refused(b"a;b\r\n" + b"x" * 30 + b"\r\n", "a.csv", limits) == (
        "Line 2 of the file is longer than 26 characters."
    )


def test_the_settings_override_each_bound(settings):
    settings.IMPORT_MAX_ROWS = 2
    settings.IMPORT_MAX_CELL_LENGTH = 5
    assert Limits.from_settings() == Limits(max_rows=2, max_cell_length=5)
    with pytest.raises(TableError, match="more than 2 rows"):
        read_table(_csv([["a"], ["1"], ["2"], ["3"]]), "a.csv")


def test_a_workbook_too_large_unzipped_is_refused_before_it_is_parsed():
    content = hostile.xlsx_zip_bomb(3 * 1024 * 1024)
    message = _refused(content, "a.xlsx", Limits(max_xlsx_inflated_size=2 * 1024 * 1024))
    assert message == "The workbook unzips to 3 MB, more than the 2 MB that can be read. Save it as CSV."


def test_a_workbook_that_unzips_to_too_many_times_its_size_is_refused():
    message = _refused(hostile.xlsx_ratio_bomb(2 * 1024 * 1024), "a.xlsx", Limits(max_xlsx_ratio=50))
    assert message.startswith("The workbook unzips to ") and "a workbook is at most 50 times" in message


def test_a_workbook_with_more_different_texts_than_half_the_cells_is_refused():
    content = hostile.xlsx_shared_strings(5)
    assert _refused(content, "a.xlsx", Limits(max_cells=8)).startswith(
        "The workbook holds more than 4 different texts."
    )


def test_a_workbook_under_a_zip_directory_that_lies_about_sizes_is_refused():
    content = bytearray(hostile.xlsx_rows(2000))
    sheet = content.find(b"xl/worksheets/sheet1.xml", content.find(b"PK\x01\x02"))  # its central directory entry
    entry = content.rfind(b"PK\x01\x02", 0, sheet)
    content[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # "unzips to 1,000 bytes"
    assert _refused(bytes(content), "a.xlsx", Limits()) == "The file could not be opened as an Excel workbook (.xlsx)."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\r\n;;\r\n", "The file is empty."),
        (b"a;b\r\n1;\x002\r\n", "The file is neither a CSV file nor an Excel workbook (.xlsx)."),
        ("a;b\r\n1;2\r\n".encode("utf-16-le"), "The file is UTF-16 text without a byte-order mark."),
        ("a;b\r\n1;2\r\n".encode("utf-16-be"), "The file is UTF-16 text without a byte-order mark."),
        (b"\xff\xfe" + "a;b\r\n1;\x002\r\n".encode("utf-16-le"), "The cell in row 2, column 2 holds a NUL character"),
        (b"\xff\xfe" + b"a\x00;\x00b", "The file is not valid UTF-16 text."),
        (hostile.PNG, "The file is neither a CSV file nor an Excel workbook (.xlsx)."),
        (hostile.PDF, "The file is neither a CSV file nor an Excel workbook (.xlsx)."),
        (hostile.random_bytes(1000), "The file is neither a CSV file nor an Excel workbook (.xlsx)."),
        (b"a;b\r\n\x81\x8d\r\n", "The file is neither UTF-8 nor Windows-1252 text."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "The file is an old (.xls) or password-protected"),
        (b"PK\x03\x04 not a zip", "The file could not be opened as an Excel workbook (.xlsx)."),
    ],
    ids=[
        "empty",
        "blank",
        "NUL",
        "UTF-16 LE without BOM",
        "UTF-16 BE without BOM",
        "UTF-16 with NUL",
        "broken UTF-16",
        "PNG",
        "PDF",
        "random",
        "not Windows-1252",
        "OLE2",
        "broken zip",
    ],
)
def test_a_file_that_is_no_table_is_refused_saying_why(content, message):
    assert _refused(content, "liste.csv", Limits()).startswith(message)


def test_an_ms_dos_end_of_file_mark_is_not_taken_for_binary():
    assert read_table(b"Navn;Sted\r\nKari;Oslo\r\n\x1a", "a.csv").rows == [(2, ["Kari", "Oslo"])]


def test_excels_unicode_text_export_with_a_byte_order_mark_is_read():
    table = read_table(b"\xff\xfe" + "Navn\tSted\r\nÅse\tBø\r\n".encode("utf-16-le"), "a.txt")
    assert (table.encoding, table.delimiter, table.rows) == ("utf-16", "\t", [(2, ["Åse", "Bø"])])


def test_the_separator_is_found_in_linear_time_where_csv_sniffer_takes_minutes():
    started = time.perf_counter()
    with pytest.raises(TableError):
        read_table(hostile.sniffer_trap(), "a.csv")
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_the_separator_is_the_one_that_splits_the_rows_as_wide_as_the_header(separator):
    rows = [["Navn", "Adresse", "Sted"], ["Nordmann, Kari", "Storgata 1; 2. etg", "Oslo"], ["Ola", "Vei 2", "Bø"]]
    quoted = "".join(separator.join(f'"{cell}"' for cell in row) + "\r\n" for row in rows).encode()
    table = read_table(quoted, "a.csv")
    assert table.delimiter == separator
    assert table.rows[0][1] == rows[1]
