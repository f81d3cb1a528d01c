"""Writes of the national emission factor table (the coordinator's, public schema)."""

from __future__ import annotations

from dataclasses import fields

from django.db import transaction

from tenants.factors import FactorRow, check_table, parse_csv
from tenants.models import EmissionFactor, User

#: The columns a FactorRow and an EmissionFactor row share (all of FactorRow but its CSV line).
COLUMNS = [field.name for field in fields(FactorRow) if field.name != "line"]


def factor_rows() -> list[FactorRow]:
    """The national table as it is, as FactorRow values (tenants.factors), sorted by mode order."""
    return [FactorRow(**values) for values in EmissionFactor.objects.order_by("mode", "valid_from").values(*COLUMNS)]


def factor_model(row: FactorRow) -> EmissionFactor:
    """The unsaved EmissionFactor of a checked row."""
    return EmissionFactor(**{name: getattr(row, name) for name in COLUMNS})


def factor_table_replace(*, rows: list[FactorRow], by: User | None = None) -> list[EmissionFactor]:
    """Replace the whole national table with `rows`.

    Rules: the table is checked as a whole first (tenants.factors.check_table: every
    survey mode for every year from the first on, no negative value, no overlapping
    years for a mode, one basis); a bad table raises FactorTableInvalid and nothing is
    written. Side effects: in one transaction, every row is deleted and the new ones
    written; a PTA's overrides (reporting) are not touched. `by` is who did it (the
    table keeps no author; kept for the call's symmetry with other services)."""
    check_table(rows)
    with transaction.atomic():
        EmissionFactor.objects.all().delete()
        return EmissionFactor.objects.bulk_create(factor_model(row) for row in rows)


def factor_table_replace_from_csv(*, text: str, by: User | None = None) -> list[EmissionFactor]:
    """Replace the national table with the CSV text (tenants.factors.parse_csv); a text that
    cannot be read, or a bad table, raises FactorTableInvalid and nothing is written."""
    return factor_table_replace(rows=parse_csv(text), by=by)
