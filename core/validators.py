"""Identifier and value validators shared by every app."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.no import kontonr, orgnr


def validate_orgnr(value: str) -> None:
    try:
        orgnr.validate(value)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid organisation number (9 digits with a valid check digit)."),
            code="invalid_orgnr",
            params={"value": value},
        ) from None


def clean_orgnr(value: str) -> str:
    compact = orgnr.compact(value or "")
    validate_orgnr(compact)
    return compact


def validate_bank_account(value: str) -> None:
    try:
        kontonr.validate(value)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid Norwegian bank account number (11 digits, MOD11)."),
            code="invalid_account",
            params={"value": value},
        ) from None


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _relative_luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio. A dozen lines of the formula itself; not worth a dependency."""
    lighter, darker = sorted((_relative_luminance(foreground), _relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_brand_colour(value: str) -> None:
    """The brand colour is the header background behind white text, so it must reach 4.5:1 (WCAG AA)."""
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Enter the colour as #RRGGBB."), code="invalid_colour")
    if contrast_ratio("#ffffff", value) < 4.5:
        raise ValidationError(
            _("%(value)s is too light: white text on it has a contrast of %(ratio).1f:1; WCAG AA needs 4.5:1."),
            code="low_contrast",
            params={"value": value, "ratio": contrast_ratio("#ffffff", value)},
        )


def normalise_phone(value: str, *, code: str = "invalid_phone") -> str:
    """A phone number as people write it ('22 33 44 55', '0047 912 34 567',
    '+46 70 123 45 67') -> E.164 ('+4722334455'); Norway is the default
    region. Any number phonenumbers holds valid, mobile or not, Norwegian or
    foreign: the full check behind employees.cleaning.normalise_mobile too."""
    value = str(value).strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(gettext("“%(value)s” is not a valid phone number.") % {"value": value}, code=code)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """A stored (E.164) number as people read it: '+4791234567' -> '+47 912 34 567'."""
    if not value:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(value), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return value


def validate_phone_e164(value: str) -> None:
    """The stored form of a phone number: valid, and already in E.164."""
    if value and normalise_phone(value) != value:
        raise ValidationError(_("Store phone numbers in E.164 form, e.g. +4791234567."), code="not_e164")
