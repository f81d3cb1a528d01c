"""KID (kundeidentifikasjon), the payment reference Norwegian banks carry.

python-stdnum has no KID module: MOD10 is its Luhn algorithm (`stdnum.luhn`).
MOD11 is written here, following Nets' rule, since no library has it: the
digits are weighted 2, 3, 4, 5, 6, 7, 2, 3, ... from the right, the check
digit is 11 minus the remainder of the sum by 11, 0 when that is 11, and "-"
when the remainder is 1 (10 is no digit). Nets' manual's example: 12345678
gives 2 with MOD10 and 5 with MOD11.

An invoice's KID is its number, zero-padded to the PTA's length less one,
and the check digit.
"""

from __future__ import annotations

from stdnum import luhn

MOD10 = "mod10"
MOD11 = "mod11"
MIN_LENGTH, MAX_LENGTH = 2, 25


class KidError(ValueError):
    """A KID that is not one, with the reason in words."""


def mod11_check_digit(digits: str) -> str:
    total = sum(int(digit) * (2 + position % 6) for position, digit in enumerate(reversed(digits)))
    remainder = total % 11
    if remainder == 0:
        return "0"
    if remainder == 1:
        return "-"
    return str(11 - remainder)


def check_digit(digits: str, *, method: str) -> str:
    if not digits.isdigit():
        raise KidError(f"A KID is digits only, not {digits!r}.")
    if method == MOD10:
        return luhn.calc_check_digit(digits)
    if method == MOD11:
        return mod11_check_digit(digits)
    raise KidError(f"Unknown KID method {method!r}.")


def for_number(number: int, *, length: int, method: str) -> str:
    """The KID of invoice `number`: the number padded to length - 1 digits, and the check digit."""
    body = str(number)
    if len(body) > length - 1:
        raise KidError(f"Invoice number {number} does not fit a KID of {length} digits.")
    body = body.zfill(length - 1)
    return body + check_digit(body, method=method)


def is_valid(kid: str, *, method: str | None = None) -> bool:
    """Whether `kid` carries a correct check digit (by `method`, or by either when None)."""
    kid = kid.strip()
    if not MIN_LENGTH <= len(kid) <= MAX_LENGTH or not kid[:-1].isdigit():
        return False
    methods = [method] if method else [MOD10, MOD11]
    return any(check_digit(kid[:-1], method=m) == kid[-1] for m in methods)
