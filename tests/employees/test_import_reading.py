"""Reading files as HR and payroll systems export them: encodings, separators,
headers in Norwegian or English, dates. No database needed."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from core.tabular import TableError, read_table
from employees.importing import clean_rows, detect_mapping, mapping_problems, split_full_name
from tests.employees.helpers import EN_HEADERS, ROWS, csv_bytes


def _clean(content: bytes, name: str = "ansatte.csv"):
    table = read_table(content, name)
    return table, clean_rows(table, detect_mapping(table))


def test_utf8_with_bom_and_semicolons():
    table, parsed = _clean(b"\xef\xbb\xbf" + csv_bytes(ROWS))
    assert (table.encoding, table.delimiter) == ("utf-8", ";")
    assert table.headers[0] == "Ansattnummer"  # the BOM is not part of the first header
    assert [values["last_name"] for _row, values in parsed.rows] == ["Nordmann", "Sørensen", "Ødegård"]


def test_windows_1252_with_norwegian_letters():
    table, parsed = _clean(csv_bytes(ROWS, encoding="cp1252"))
    assert table.encoding == "cp1252"
    assert parsed.rows[2][1]["first_name"] == "Åse"
    assert parsed.rows[2][1]["last_name"] == "Ødegård"


def test_comma_and_tab_separators():
    for delimiter in (",", "\t"):
        table, parsed = _clean(csv_bytes(ROWS, delimiter=delimiter))
        assert table.delimiter == delimiter
        assert len(parsed.rows) == 3 and not parsed.errors


def test_separator_inside_quoted_values_does_not_confuse_detection():
    rows = [["101", "Kari", "Nordmann; jr.", "kari@delta.no", "", "", "", ""]]
    table, parsed = _clean(csv_bytes(rows, delimiter=","))
    assert table.delimiter == ","
    assert parsed.rows[0][1]["last_name"] == "Nordmann; jr."


def test_norwegian_and_english_headers_map_to_the_same_fields():
    nb = detect_mapping(read_table(csv_bytes(ROWS), "a.csv"))
    en = detect_mapping(read_table(csv_bytes(ROWS, headers=EN_HEADERS), "a.csv"))
    assert nb == en
    assert set(nb.values()) == {
        "employee_number",
        "first_name",
        "last_name",
        "email",
        "mobile",
        "location",
        "department",
        "start_date",
    }


def test_header_matching_ignores_case_spaces_and_diacritics():
    headers = ["  FORNAVN ", "etternavn", "Epost", "E-postadresse", "MOBILNUMMER", "Ansatt-ID", "Arbeidssted", "Sprak"]
    mapping = detect_mapping(read_table(csv_bytes([], headers=headers), "a.csv"))
    assert mapping == {
        0: "first_name",
        1: "last_name",
        2: "email",
        4: "mobile",
        5: "employee_number",
        6: "location",
        7: "preferred_language",
    }  # the second e-mail column is left for the user to map


def test_full_name_column_is_split_on_the_last_space():
    content = csv_bytes([["Kari Anne Nordmann", "kari@delta.no"], ["Hansen, Per", "per@delta.no"]], ["Navn", "E-post"])
    _table, parsed = _clean(content)
    names = [(v["first_name"], v["last_name"]) for _row, v in parsed.rows]
    assert names == [("Kari Anne", "Nordmann"), ("Per", "Hansen")]
    assert split_full_name("Cher") == ("", "Cher")


def test_dates_in_norwegian_iso_and_short_forms():
    rows = [
        ["1", "A", "A", "", "", "", "", "31.12.2024"],
        ["2", "B", "B", "", "", "", "", "2024-12-31"],
        ["3", "C", "C", "", "", "", "", "1.2.24"],
    ]
    _table, parsed = _clean(csv_bytes(rows))
    assert [v["start_date"] for _row, v in parsed.rows] == [date(2024, 12, 31), date(2024, 12, 31), date(2024, 2, 1)]


def test_mobile_numbers_are_stored_in_e164():
    _table, parsed = _clean(csv_bytes(ROWS))
    assert [v["mobile"] for _row, v in parsed.rows] == ["+4791234567", "+4748123456", ""]


def test_errors_name_the_row_as_the_user_sees_it_the_field_and_the_value():
    rows = [
        ["101", "Kari", "Nordmann", "kari@", "", "", "", ""],  # row 2
        ["102", "Ola", "Hansen", "", "123", "", "", ""],  # row 3
        ["103", "Per", "Berg", "", "", "", "", "31.02.2024"],  # row 4
        ["101", "", "Dahl", "", "", "", "", ""],  # row 5: duplicate number, no first name
    ]
    _table, parsed = _clean(csv_bytes(rows))
    lines = [e.as_line() for e in parsed.errors]
    assert lines == [
        "row 2, email: “kari@” is not a valid e-mail address.",
        "row 3, mobile: “123” is not a valid phone number.",
        "row 4, start_date: “31.02.2024” is not a date; write it as dd.mm.yyyy or yyyy-mm-dd.",
        "row 5, first_name: This field is required.",
        "row 5, employee_number: “101” is also on row 2.",
    ]
    assert parsed.rows == []


def test_duplicate_email_in_file_is_an_error_whatever_the_case():
    rows = [["1", "A", "A", "kari@delta.no", "", "", "", ""], ["2", "B", "B", "KARI@delta.no", "", "", "", ""]]
    _table, parsed = _clean(csv_bytes(rows))
    assert [(e.row, e.field) for e in parsed.errors] == [(3, "email")]


def test_row_without_employee_number_or_email_is_an_error():
    _table, parsed = _clean(csv_bytes([["", "Kari", "Nordmann", "", "", "", "", ""]]))
    assert [(e.row, e.field) for e in parsed.errors] == [(2, "employee_number")]


def test_national_identity_number_column_is_never_read_and_is_warned_about():
    content = csv_bytes(
        [["Kari", "Nordmann", "15108695088", "kari@delta.no"]], ["Fornavn", "Etternavn", "Fødselsnummer", "E-post"]
    )
    table, parsed = _clean(content)
    assert 2 not in detect_mapping(table)
    assert "15108695088" not in str(parsed.rows)
    assert any("Fødselsnummer" in w and "national identity" in w for w in parsed.warnings)


def test_column_of_national_identity_numbers_under_another_name_is_also_left_out():
    content = csv_bytes([["Kari", "Nordmann", "15108695088"]], ["Fornavn", "Etternavn", "Ansatt-ID"])
    table, _parsed = _clean(content)
    assert detect_mapping(table) == {0: "first_name", 1: "last_name"}


def test_unrecognised_headers_leave_required_fields_unmapped():
    content = csv_bytes([["Kari", "Nordmann", "kari@delta.no"]], ["Fnavn", "Enavn", "Epost jobb"])
    table = read_table(content, "a.csv")
    assert mapping_problems(set(detect_mapping(table).values()))


def test_xlsx_with_date_and_number_cells():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ansattnr.", "Fornavn", "Etternavn", "Mobil", "Ansettelsesdato"])
    sheet.append([101, "Kari", "Nordmann", 91234567, datetime(2020, 2, 1)])
    sheet.append([None, None, None, None, None])  # blank rows are skipped but keep the numbering
    sheet.append([102.0, "Ola", "Hansen", "48123456", "15.03.2021"])
    out = io.BytesIO()
    workbook.save(out)
    table, parsed = _clean(out.getvalue(), "ansatte.xlsx")
    assert table.encoding == "xlsx"
    assert [(row, v["employee_number"], v["mobile"], v["start_date"]) for row, v in parsed.rows] == [
        (2, "101", "+4791234567", date(2020, 2, 1)),
        (4, "102", "+4748123456", date(2021, 3, 15)),
    ]


def test_file_that_is_not_a_table_is_refused():
    with pytest.raises(TableError):
        read_table(b"", "a.csv")
    with pytest.raises(TableError):
        read_table(b"PK\x03\x04 not really a zip", "a.xlsx")


def test_excel_separator_hint_line_is_honoured():
    content = b"sep=,\r\n" + csv_bytes(ROWS, delimiter=",")
    table, parsed = _clean(content)
    assert table.delimiter == "," and table.headers[0] == "Ansattnummer"
    assert [row for row, _values in parsed.rows] == [2, 3, 4]
