"""The national emission factor table checked as a whole (tenants.factors): each bad table is
refused with a message naming the line, the mode and the value, and nothing is written; the
seed table (migration 0012) is valid and covers every survey mode."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import translation

from surveys.models import Mode
from tenants import services_factors
from tenants.factors import (
    CSV_COLUMNS,
    SEED_TABLE,
    SURVEY_MODES,
    FactorTableInvalid,
    check_table,
    parse_csv,
    table_errors,
    to_csv,
)
from tenants.models import EmissionFactor


def _errors(rows) -> list[str]:
    with translation.override("en"):
        return table_errors(list(rows))


def _csv_errors(text: str) -> list[str]:
    with translation.override("en"), pytest.raises(FactorTableInvalid) as caught:
        parse_csv(text)
    return caught.value.messages


def _seed_csv() -> str:
    return to_csv(list(SEED_TABLE))


def _lines() -> list[str]:
    return _seed_csv().strip().split("\n")


def test_the_survey_modes_are_the_surveys_apps():
    assert set(SURVEY_MODES) == set(Mode.values)


def test_the_seed_table_is_valid_covers_every_mode_and_is_seeded(world):
    assert _errors(SEED_TABLE) == []
    assert {row.mode for row in SEED_TABLE} == set(Mode.values)
    assert {row.basis for row in SEED_TABLE} == {"tailpipe"}
    assert all(row.valid_from == 2019 and row.valid_until is None and row.source for row in SEED_TABLE)
    by_mode = {row.mode: row for row in SEED_TABLE}
    # The published figures, and the substitutes marked.
    assert by_mode["carpool"].grams_per_pkm == Decimal("66") and by_mode["carpool"].norwegian
    assert by_mode["car_driver"].grams_per_pkm == Decimal("112.20")  # 66 x 1.70
    assert by_mode["bus"].grams_per_pkm == Decimal("59") and by_mode["bus"].source_year == 2019
    assert by_mode["train"].grams_per_pkm == Decimal("12.20") and by_mode["train"].source_year == 2021
    for mode in ("tram", "metro", "ferry", "motorbike", "other"):
        assert not by_mode[mode].norwegian and "substitute" in by_mode[mode].note.lower(), mode
    # Migration 0012 wrote it to the public schema.
    seeded = {row.mode: row for row in EmissionFactor.objects.all()}
    assert set(seeded) == set(Mode.values)
    assert seeded["bus"].grams_per_pkm == Decimal("59") and seeded["tram"].norwegian is False


def test_the_csv_round_trips():
    rows = parse_csv(_seed_csv())
    assert [replace(row, line=0) for row in rows] == list(SEED_TABLE)
    # A decimal comma and Norwegian yes/no are read too.
    text = _seed_csv()
    assert "train;12.2;2019;;tailpipe" in text and "bus;59;2019;;tailpipe;" in text
    text = text.replace("train;12.2;2019;;tailpipe", "train;12.2;2019;;tailpipe").replace(";yes;", ";ja;")
    rows = parse_csv(text)
    assert next(row for row in rows if row.mode == "train").grams_per_pkm == Decimal("12.2")
    assert all(row.norwegian for row in rows if row.mode == "bus")


def test_a_missing_mode_is_named():
    lines = [line for line in _lines() if not line.startswith("ferry;")]
    assert _csv_errors("\n".join(lines)) == ["The mode ferry has no row."]


def test_a_negative_value_names_the_line_mode_and_value():
    lines = _lines()
    index = next(i for i, line in enumerate(lines) if line.startswith("bus;"))
    lines[index] = lines[index].replace("bus;59;", "bus;-5;")
    messages = _csv_errors("\n".join(lines))
    assert f"Line {index + 1} (bus): the value -5 g/pkm is negative; a factor is 0 or more." in messages


def test_overlapping_years_are_named():
    lines = _lines()
    extra = "bus;40;2024;2026;tailpipe;Elbuss i byen;2024;yes;"
    messages = _csv_errors("\n".join([*lines, extra]))
    bus_line = next(i for i, line in enumerate(lines) if line.startswith("bus;")) + 1
    assert messages == [
        f"Line {bus_line} (bus) and Line {len(lines) + 1} (bus): the years 2019 on and 2024–2026 overlap for bus."
    ]


def test_a_mixed_basis_is_named():
    lines = _lines()
    index = next(i for i, line in enumerate(lines) if line.startswith("train;"))
    lines[index] = lines[index].replace(";tailpipe;", ";lifecycle;")
    messages = _csv_errors("\n".join(lines))
    assert len(messages) == 1
    assert messages[0].startswith(f"Line {index + 1} (train): the basis “lifecycle” differs from “tailpipe”")


def test_a_gap_in_the_years_and_an_end_are_named():
    rows = list(SEED_TABLE)
    rows = [row for row in rows if row.mode != "bus"] + [
        replace(SEED_TABLE[0], mode="bus", grams_per_pkm=Decimal(59), valid_from=2019, valid_until=2020),
        replace(SEED_TABLE[0], mode="bus", grams_per_pkm=Decimal(50), valid_from=2023, valid_until=2024),
    ]
    assert _errors(rows) == [
        "The mode bus has no value for 2021–2022 (the table starts in 2019 and has no end).",
        "The mode bus has no value for 2025 on (the table starts in 2019 and has no end).",
    ]


def test_bad_cells_are_named():
    lines = _lines()
    lines[1] = "walk;mye;2019;;tailpipe;x;2019;yes;"
    lines[2] = "bicycle;0;2019;2018;tailpipe;x;2019;yes;"
    lines[3] = "hoverboard;0;2019;;tailpipe;x;2019;yes;"
    lines[4] = "escooter;0;i fjor;;tailpipe;x;2019;yes;"
    lines[5] = "car_driver;112;2019;;tailpipe;x;2019;kanskje;"
    messages = _csv_errors("\n".join(lines))
    assert messages == [
        "Line 2 (walk): the value “mye” is not a number.",
        "Line 5 (escooter): valid_from “i fjor” is not a year.",
        "Line 6 (car_driver): norwegian “kanskje” is not yes or no.",
    ]
    # With those lines read, the table's own problems.
    lines[1], lines[4], lines[5] = _lines()[1], _lines()[4], _lines()[5]
    messages = _csv_errors("\n".join(lines))
    assert "Line 3 (bicycle): valid until 2018 is before valid from 2019." in messages
    assert any(m.startswith("Line 4 (hoverboard): “hoverboard” is not a survey mode") for m in messages)
    assert "The mode ebike has no row." in messages


def test_the_header_is_required():
    assert _csv_errors("\n".join(_lines()[1:])) == [f"Line 1 must be the header: {';'.join(CSV_COLUMNS)}."]
    assert _csv_errors("") == ["The table is empty: every survey mode needs a row."]


def test_a_bad_table_writes_nothing(world):
    before = list(EmissionFactor.objects.values_list("mode", "grams_per_pkm", "valid_from"))
    rows = [replace(row, grams_per_pkm=Decimal(-1)) if row.mode == "bus" else row for row in SEED_TABLE]
    with pytest.raises(FactorTableInvalid):
        services_factors.factor_table_replace(rows=rows)
    with pytest.raises(FactorTableInvalid):
        services_factors.factor_table_replace_from_csv(text="mode;grams_per_pkm")
    assert list(EmissionFactor.objects.values_list("mode", "grams_per_pkm", "valid_from")) == before


def test_a_good_table_replaces_the_whole_table(world):
    text = _seed_csv() + "bus;0;2030;;tailpipe;Elbusser;2029;yes;\n"
    text = text.replace("bus;59;2019;;", "bus;59;2019;2029;")
    services_factors.factor_table_replace_from_csv(text=text)
    bus = list(EmissionFactor.objects.filter(mode="bus").order_by("valid_from"))
    assert [(b.grams_per_pkm, b.valid_from, b.valid_until) for b in bus] == [
        (Decimal("59.00"), 2019, 2029),
        (Decimal("0.00"), 2030, None),
    ]
    assert EmissionFactor.objects.count() == len(SEED_TABLE) + 1
    assert check_table(services_factors.factor_rows())
