"""Numbers as Norwegians write them, for the climate report (PDF and pages): the figures
hold exact decimal strings (reporting.services_climate.climate_figures)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def norwegian(value, decimals: int | None = None) -> str:
    """1234.5 -> "1 234,5" (a narrow no-break space between thousands, a comma for decimals);
    None or "" -> "–"; with `decimals`, rounded half up to that many."""
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-int(decimals)), rounding="ROUND_HALF_UP")
    sign = "−" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = sign + "\u202f".join(groups)
    return f"{text},{fraction}" if fraction else text


@register.filter
def no(value, decimals=None):
    return norwegian(value, decimals)


@register.filter
def no_date(value: str) -> str:
    """2026-03-01 -> "01.03.2026"."""
    if not value:
        return "–"
    year, month, day = str(value)[:10].split("-")
    return f"{day}.{month}.{year}"
