"""Cleaning single values the way HR exports write them. Shared by the
employee form and the import; each function returns the stored form or
raises ValidationError with a message that quotes the value."""

from __future__ import annotations

from datetime import date, datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.no import fodselsnummer

DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")


def normalise_mobile(value: str) -> str:
    """'912 34 567', '0047 91234567' or '+46 70 123 45 67' -> E.164 ('+4791234567'); Norway is the default region."""
    value = str(value).strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a valid phone number.") % {"value": value}, code="invalid_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_e164(value: str) -> None:
    if value and normalise_mobile(value) != value:
        raise ValidationError(_("Store phone numbers in E.164 form, e.g. +4791234567."), code="not_e164")


def normalise_email(value: str) -> str:
    value = str(value).strip().lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address.") % {"value": value}, code="invalid_email"
        ) from None
    return value


def parse_date(value) -> date | None:
    """A date cell, or text as dd.mm.yyyy, d.m.yy or ISO yyyy-mm-dd."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date; write it as dd.mm.yyyy or yyyy-mm-dd.") % {"value": text}, code="invalid_date"
    )


def is_national_id(value: str) -> bool:
    """True for a valid Norwegian fødselsnummer or D-number (11 digits with check digits)."""
    return fodselsnummer.is_valid(str(value).strip())


def validate_not_national_id(value: str) -> None:
    if value and is_national_id(value):
        raise ValidationError(
            _("This looks like a national identity number, which must not be stored here."), code="national_id"
        )
