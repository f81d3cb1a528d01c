"""The arithmetic of an invoice, EN 16931's way. Pure Decimal, no ORM.

- A line's net amount is quantity x unit price, rounded to 2 decimals (half up).
- The VAT of a rate is computed once, on the sum of that rate's line amounts,
  rounded to 2 decimals (BR-CO-17), never line by line.
- The invoice's net total is the sum of the line amounts (BR-CO-10), its VAT
  the sum of the rates' VAT (BR-CO-14), its total the two added (BR-CO-15).

Ticket prices are kept including VAT (as sold, tickets.TicketPrice), so the
unit price of a ticket line is the company price less 12 % VAT, to 4
decimals: 810.00 -> 723.2143, and 100 tickets come to 72,321.43 + 8,678.57
VAT = 81,000.00, as the agreement says.

Worked example: 10 x 723.2143 (12 %) = 7,232.14 and 25 x 10.00 (25 %) =
250.00; VAT 867.86 + 62.50 = 930.36; total 7,482.14 + 930.36 = 8,412.50.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
PRICE_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


def round_cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def net_unit_price(*, gross: Decimal, vat_rate: Decimal) -> Decimal:
    """A price including VAT as the price excluding it, to 4 decimals."""
    return (gross / (1 + vat_rate / HUNDRED)).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def line_amount(*, quantity: Decimal, unit_price: Decimal) -> Decimal:
    return round_cent(quantity * unit_price)


def vat_category(*, vat_rate: Decimal, seller_vat_registered: bool = True) -> str:
    """EN 16931's VAT category of a line: S (standard, 25 % or 12 %), E (exempt, 0 %),
    O (the seller is not registered for VAT: no VAT at all)."""
    if not seller_vat_registered:
        return "O"
    return "S" if vat_rate > 0 else "E"


@dataclass(frozen=True)
class VatSubtotal:
    category: str
    rate: Decimal
    taxable: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    subtotals: tuple[VatSubtotal, ...]


def totals(lines: Iterable[tuple[str, Decimal, Decimal]]) -> Totals:
    """The totals of lines given as (VAT category, VAT rate, net amount)."""
    sums: dict[tuple[str, Decimal], Decimal] = {}
    for category, rate, amount in lines:
        key = (category, Decimal(rate).quantize(CENT))
        sums[key] = sums.get(key, ZERO) + amount
    subtotals = tuple(
        VatSubtotal(category=category, rate=rate, taxable=taxable, vat=round_cent(taxable * rate / HUNDRED))
        for (category, rate), taxable in sorted(sums.items(), key=lambda item: (-item[0][1], item[0][0]))
    )
    net = sum((s.taxable for s in subtotals), ZERO)
    vat = sum((s.vat for s in subtotals), ZERO)
    return Totals(net=net, vat=vat, gross=net + vat, subtotals=subtotals)
