"""The national emission factor table, checked as a whole (no ORM).

The table (tenants.models.EmissionFactor) gives g CO2e per passenger-km for every
survey mode and the years each value is valid for. It is edited as a whole on the
national site, as CSV text (``CSV_COLUMNS``, ``;``-separated, a header line), and a
table is saved only if ``check_table`` finds nothing wrong:

- every mode is a survey mode (tenants.question_sets.MODES; the surveys app's Mode
  has the same codes, which a test keeps so);
- every value is a number of 0 or more; valid_until, when given, is not before
  valid_from;
- for each mode, no two rows are valid in the same year;
- every survey mode has a row for every year from the table's first year on, with no
  gap and no end: the last row of each mode is open-ended (valid_until empty), so a
  report for any later year finds its factors;
- one basis (tenants.models.FactorBasis) for the whole table.

Each message names the line (the header is line 1), the mode and the value.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from tenants.question_sets import MODES

SURVEY_MODES: tuple[str, ...] = tuple(code for code, _nb, _en in MODES)
BASES = ("tailpipe", "lifecycle")  # tenants.models.FactorBasis values

CSV_COLUMNS = (
    "mode",
    "grams_per_pkm",
    "valid_from",
    "valid_until",
    "basis",
    "source",
    "source_year",
    "norwegian",
    "note",
)
TRUE_WORDS = {"yes", "ja", "true", "1", "y", "j"}
FALSE_WORDS = {"no", "nei", "false", "0", "n", ""}
MAX_TEXT = 300


@dataclass(frozen=True)
class FactorRow:
    mode: str
    grams_per_pkm: Decimal
    valid_from: int
    valid_until: int | None
    basis: str
    source: str
    source_year: int
    norwegian: bool
    note: str = ""
    line: int = 0  # where it came from (the CSV line), for the messages


class FactorTableInvalid(Exception):
    """The table is refused; ``messages`` says why, one message a problem."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _where(row: FactorRow) -> str:
    if row.line:
        return _("Line %(line)s (%(mode)s)") % {"line": row.line, "mode": row.mode}
    return row.mode


def _years(first: int, last: int | None) -> str:
    if last is None:
        return _("%(first)s on") % {"first": first}
    if first == last:
        return str(first)
    return f"{first}–{last}"


def _ranges(years: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for year in sorted(years):
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def table_errors(rows: list[FactorRow]) -> list[str]:
    """Everything wrong with the table, as messages (empty: the table is good)."""
    errors: list[str] = []
    if not rows:
        return [_("The table is empty: every survey mode needs a row.")]
    good: list[FactorRow] = []
    for row in rows:
        before = len(errors)
        if row.mode not in SURVEY_MODES:
            errors.append(
                _("%(where)s: “%(mode)s” is not a survey mode (one of %(modes)s).")
                % {"where": _where(row), "mode": row.mode, "modes": ", ".join(SURVEY_MODES)}
            )
        if row.grams_per_pkm < 0:
            errors.append(
                _("%(where)s: the value %(value)s g/pkm is negative; a factor is 0 or more.")
                % {"where": _where(row), "value": row.grams_per_pkm}
            )
        if row.valid_until is not None and row.valid_until < row.valid_from:
            errors.append(
                _("%(where)s: valid until %(until)s is before valid from %(from)s.")
                % {"where": _where(row), "until": row.valid_until, "from": row.valid_from}
            )
        if row.basis not in BASES:
            errors.append(
                _("%(where)s: the basis “%(basis)s” is not one of %(bases)s.")
                % {"where": _where(row), "basis": row.basis, "bases": ", ".join(BASES)}
            )
        if not row.source.strip():
            errors.append(_("%(where)s: the source is missing.") % {"where": _where(row)})
        if len(errors) == before:
            good.append(row)

    bases = {row.basis for row in good}
    if len(bases) > 1:
        first = good[0]
        for row in good:
            if row.basis != first.basis:
                errors.append(
                    _(
                        "%(where)s: the basis “%(basis)s” differs from “%(first)s” in %(first_where)s; "
                        "the whole table has one basis."
                    )
                    % {"where": _where(row), "basis": row.basis, "first": first.basis, "first_where": _where(first)}
                )

    by_mode: dict[str, list[FactorRow]] = defaultdict(list)
    for row in good:
        by_mode[row.mode].append(row)
    for mode, mode_rows in by_mode.items():
        mode_rows.sort(key=lambda row: row.valid_from)
        for index, row in enumerate(mode_rows):
            for later in mode_rows[index + 1 :]:
                if row.valid_until is None or later.valid_from <= row.valid_until:
                    errors.append(
                        _("%(where)s and %(other)s: the years %(years)s and %(other_years)s overlap for %(mode)s.")
                        % {
                            "where": _where(row),
                            "other": _where(later),
                            "years": _years(row.valid_from, row.valid_until),
                            "other_years": _years(later.valid_from, later.valid_until),
                            "mode": mode,
                        }
                    )

    if good:
        first_year = min(row.valid_from for row in good)
        bounds = [row.valid_from for row in good] + [row.valid_until for row in good if row.valid_until is not None]
        last_year = max(bounds) + 1  # a year after every bound: what open-ended rows cover
        for mode in SURVEY_MODES:
            mode_rows = by_mode.get(mode, [])
            if not mode_rows:
                if not any(row.mode == mode for row in rows):  # a bad row already has its message
                    errors.append(_("The mode %(mode)s has no row.") % {"mode": mode})
                continue
            missing = [
                year
                for year in range(first_year, last_year + 1)
                if not any(
                    row.valid_from <= year and (row.valid_until is None or year <= row.valid_until) for row in mode_rows
                )
            ]
            for start, end in _ranges(missing):
                years = _years(start, None if end == last_year else end)
                errors.append(
                    _("The mode %(mode)s has no value for %(years)s (the table starts in %(first)s and has no end).")
                    % {"mode": mode, "years": years, "first": first_year}
                )
    return errors


def check_table(rows: list[FactorRow]) -> list[FactorRow]:
    """`rows` if the table is good; else FactorTableInvalid with every message."""
    errors = table_errors(rows)
    if errors:
        raise FactorTableInvalid(errors)
    return rows


# --- CSV ---------------------------------------------------------------------------------


def _number(text: str) -> Decimal:
    value = Decimal(text.strip().replace(" ", "").replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def parse_csv(text: str) -> list[FactorRow]:
    """The rows of the CSV text (``CSV_COLUMNS``, ``;``-separated, a header line), checked as
    a whole; FactorTableInvalid with every message (a line that cannot be read, then the
    table's problems)."""
    errors: list[str] = []
    rows: list[FactorRow] = []
    lines = list(csv.reader(io.StringIO(text.strip()), delimiter=";"))
    if not lines:
        raise FactorTableInvalid([_("The table is empty: every survey mode needs a row.")])
    header = [cell.strip().lower() for cell in lines[0]]
    if header != list(CSV_COLUMNS):
        raise FactorTableInvalid([_("Line 1 must be the header: %(columns)s.") % {"columns": ";".join(CSV_COLUMNS)}])
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(CSV_COLUMNS):
            errors.append(
                _("Line %(line)s has %(count)s columns, not %(expected)s.")
                % {"line": number, "count": len(cells), "expected": len(CSV_COLUMNS)}
            )
            continue
        cell = dict(zip(CSV_COLUMNS, (value.strip() for value in cells), strict=True))
        where = _("Line %(line)s (%(mode)s)") % {"line": number, "mode": cell["mode"]}
        try:
            grams = _number(cell["grams_per_pkm"])
        except InvalidOperation:
            errors.append(
                _("%(where)s: the value “%(value)s” is not a number.")
                % {"where": where, "value": cell["grams_per_pkm"]}
            )
            continue
        if grams != grams.quantize(Decimal("0.01")) or abs(grams) >= 100_000:
            errors.append(
                _("%(where)s: the value %(value)s has more than two decimals or is too large.")
                % {"where": where, "value": cell["grams_per_pkm"]}
            )
            continue
        years: dict[str, int | None] = {}
        for column in ("valid_from", "valid_until", "source_year"):
            raw = cell[column]
            if column == "valid_until" and raw == "":
                years[column] = None
                continue
            if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
                errors.append(
                    _("%(where)s: %(column)s “%(value)s” is not a year.")
                    % {"where": where, "column": column, "value": raw}
                )
                break
            years[column] = int(raw)
        else:
            norwegian = cell["norwegian"].lower()
            if norwegian not in TRUE_WORDS | FALSE_WORDS:
                errors.append(
                    _("%(where)s: norwegian “%(value)s” is not yes or no.")
                    % {"where": where, "value": cell["norwegian"]}
                )
                continue
            if len(cell["source"]) > MAX_TEXT or len(cell["note"]) > MAX_TEXT:
                errors.append(
                    _("%(where)s: the source and the note are at most %(count)s characters.")
                    % {"where": where, "count": MAX_TEXT}
                )
                continue
            rows.append(
                FactorRow(
                    mode=cell["mode"],
                    grams_per_pkm=grams,
                    valid_from=years["valid_from"],
                    valid_until=years["valid_until"],
                    basis=cell["basis"].lower(),
                    source=cell["source"],
                    source_year=years["source_year"],
                    norwegian=norwegian in TRUE_WORDS,
                    note=cell["note"],
                    line=number,
                )
            )
    if errors:
        raise FactorTableInvalid(errors)
    return check_table(rows)


def to_csv(rows: list[FactorRow]) -> str:
    """The rows as the CSV text the edit page shows (``parse_csv`` reads it back)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.mode,
                f"{row.grams_per_pkm.normalize():f}",
                row.valid_from,
                "" if row.valid_until is None else row.valid_until,
                row.basis,
                row.source,
                row.source_year,
                "yes" if row.norwegian else "no",
                row.note,
            ]
        )
    return out.getvalue()


# --- the seed table ------------------------------------------------------------------------

SSB = "Statistics Norway (SSB), emissions from passenger transport"
SEED_FROM = 2019


def _seed(mode, grams, source, source_year, norwegian, note) -> FactorRow:
    return FactorRow(
        mode=mode,
        grams_per_pkm=Decimal(grams),
        valid_from=SEED_FROM,
        valid_until=None,
        basis="tailpipe",
        source=source,
        source_year=source_year,
        norwegian=norwegian,
        note=note,
    )


#: The first national table (migration 0012), tailpipe basis, from 2019, open-ended.
#: Only three figures are published Norwegian figures this project is sure of (the
#: issue's): SSB's 66 g/pkm for the average car in 2019 (occupancy 1.70), 59 g/pkm for
#: buses in 2019, 12.2 g/pkm for rail in 2021. Every other row is a substitute, marked
#: norwegian=False with its reasoning, or a zero that follows from the basis.
#:
#: Car: the GHG Protocol distance method multiplies a person's distance by the factor of
#: their mode per passenger-km. A driver alone carries the whole car's emission, so
#: car_driver is SSB's per passenger-km figure times SSB's occupancy, 66 x 1.70 = 112.2
#: g/km (per vehicle-km). Riding with a colleague or someone else who drives anyway
#: (car_passenger, carpool) is counted at SSB's average per passenger-km, 66: the
#: shared car's emission split over its occupants at the average occupancy. This
#: over-counts slightly where a passenger's driver is also a surveyed colleague, which
#: a company-level survey cannot tell; it is the conservative choice.
SEED_TABLE: tuple[FactorRow, ...] = (
    _seed("walk", "0", "No tailpipe emission", 2019, True, "Walking has no direct emission."),
    _seed("bicycle", "0", "No tailpipe emission", 2019, True, "Cycling has no direct emission."),
    _seed(
        "ebike",
        "0",
        "No tailpipe emission",
        2019,
        True,
        "Electricity in use has no direct emission on a tailpipe basis (the Norwegian mix is near all hydro).",
    ),
    _seed(
        "escooter",
        "0",
        "No tailpipe emission",
        2019,
        True,
        "Electricity in use has no direct emission on a tailpipe basis (the Norwegian mix is near all hydro).",
    ),
    _seed(
        "car_driver",
        "112.20",
        SSB,
        2019,
        True,
        "SSB's 66 g/pkm for the average car at 1.70 occupancy, times 1.70: the driver alone carries the car.",
    ),
    _seed(
        "car_passenger",
        "66",
        SSB,
        2019,
        True,
        "SSB's average car per passenger-km (occupancy 1.70): the passenger's share of a shared car.",
    ),
    _seed(
        "carpool",
        "66",
        SSB,
        2019,
        True,
        "SSB's average car per passenger-km (occupancy 1.70): each occupant's share of a shared car.",
    ),
    _seed("bus", "59", SSB, 2019, True, "SSB's figure for buses, 2019."),
    _seed("train", "12.20", SSB, 2021, True, "SSB's figure for rail, 2021."),
    _seed(
        "tram",
        "12.20",
        SSB,
        2021,
        False,
        "No Norwegian figure for trams: substitute SSB's rail figure (2021), electric rail like the tram.",
    ),
    _seed(
        "metro",
        "12.20",
        SSB,
        2021,
        False,
        "No Norwegian figure for the metro: substitute SSB's rail figure (2021), electric rail like the metro.",
    ),
    _seed(
        "ferry",
        "112.20",
        "Substitute: the car_driver row (SSB 2019, 66 x 1.70)",
        2019,
        False,
        "No Norwegian per passenger-km figure for ferries and boats is used here: substitute the car "
        "driver's 112.2 g, a cautious stand-in until the coordinator enters a sourced figure.",
    ),
    _seed(
        "motorbike",
        "112.20",
        "Substitute: the car_driver row (SSB 2019, 66 x 1.70)",
        2019,
        False,
        "No Norwegian figure for motorbikes and mopeds: substitute the lone car driver's 112.2 g (one rider "
        "per vehicle), of the order of the UK government's (DEFRA) average motorbike figure.",
    ),
    _seed(
        "other",
        "66",
        "Substitute: SSB's average car per passenger-km, 2019",
        2019,
        False,
        "Unknown mode: substitute the average car per passenger-km (66 g).",
    ),
)
