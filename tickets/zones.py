"""Municipality -> zone of the employer's social security contribution, per year.

The list is the data file tickets/data/employer_zones.csv (its source and what
it holds: tickets/data/README.md), read once per process. It is an excerpt:
a municipality it does not know gives None, and the company's own zone (set by
hand, companies.Company.employer_zone) always wins over the list.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from tickets.rules import ZONE_NAMES

DATA_FILE = Path(__file__).resolve().parent / "data" / "employer_zones.csv"


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@cache
def _table(path: Path = DATA_FILE) -> dict[int, dict[str, list[tuple[str, str]]]]:
    """year -> municipality name (folded) -> [(municipality number, zone)]; a name may be two municipalities."""
    table: dict[int, dict[str, list[tuple[str, str]]]] = {}
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            zone = row["zone"].strip().lower()
            if zone not in ZONE_NAMES:
                raise ValueError(f"{path.name}: unknown zone {row['zone']!r} for {row['municipality']}")
            by_name = table.setdefault(int(row["year"]), {})
            by_name.setdefault(_key(row["municipality"]), []).append((row["municipality_number"].strip(), zone))
    return table


def zone_for_municipality(*, municipality: str, year: int) -> str | None:
    """The zone of a municipality (by name or by its four-digit number) in `year`, from the
    newest list of that year or before; None when the list does not know it, or the name
    belongs to two municipalities in different zones (Herøy, Våler: give the number)."""
    table = _table()
    years = [y for y in table if y <= year]
    if not years or not municipality.strip():
        return None
    rows = table[max(years)]
    wanted = municipality.strip()
    if wanted.isdigit():
        zones = {zone for entries in rows.values() for number, zone in entries if number == wanted.zfill(4)}
    else:
        zones = {zone for _number, zone in rows.get(_key(wanted), [])}
    return zones.pop() if len(zones) == 1 else None
