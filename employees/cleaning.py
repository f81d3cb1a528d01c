"""Cleaning single values the way HR exports write them. Shared by the
employee form and the import; each function returns the stored form or
raises ValidationError with a message that quotes the value.

The import cleans every row of files with tens of thousands of rows, so the
common forms (mobile numbers such as "912 34 567", plain e-mail addresses,
dd.mm.yyyy dates) take a fast path that accepts only what the full check
would accept and gives the same result; anything else goes to the full check
(phonenumbers, Django's validate_email, strptime). tests/employees/test_cleaning.py
compares the two paths.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.no import fodselsnummer

from core.validators import normalise_phone

DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")

# "91234567", "912 34 567", "+47 912 34 567", "0047 91234567": eight digits
# starting with 4 or 9, optionally after the country code.
NORWEGIAN_MOBILE = re.compile(r"(?:\+47|0047)? ?([49](?: ?[0-9]){7})")
# Which of those are mobile numbers in use is read from phonenumbers' own
# metadata for Norway (a number is valid when it matches the general pattern
# and the mobile one), so the fast path follows the library when it is updated.
_NO = phonenumbers.PhoneMetadata.metadata_for_region("NO")
NO_GENERAL = re.compile(_NO.general_desc.national_number_pattern)
NO_MOBILE = re.compile(_NO.mobile.national_number_pattern)
MOBILE_FAST_PATH = 8 in _NO.general_desc.possible_length and 8 in (
    _NO.mobile.possible_length or _NO.general_desc.possible_length
)
# A plain address: a subset of what Django's validate_email accepts.
PLAIN_EMAIL = re.compile(r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
NORWEGIAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")  # first of DATE_FORMATS
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def normalise_mobile(value: str) -> str:
    """'912 34 567', '0047 91234567' or '+46 70 123 45 67' -> E.164 ('+4791234567'); Norway is the default region."""
    value = str(value).strip()
    if not value:
        return ""
    match = NORWEGIAN_MOBILE.fullmatch(value) if MOBILE_FAST_PATH else None
    if match:
        digits = match[1].replace(" ", "")
        if NO_GENERAL.fullmatch(digits) and NO_MOBILE.fullmatch(digits):
            return "+47" + digits
    return _normalise_mobile_slow(value)


def _normalise_mobile_slow(value: str) -> str:
    # The full check is shared with every other phone number (core.validators), e.g. a user's.
    return normalise_phone(value, code="invalid_mobile")


def validate_e164(value: str) -> None:
    if value and normalise_mobile(value) != value:
        raise ValidationError(_("Store phone numbers in E.164 form, e.g. +4791234567."), code="not_e164")


def normalise_email(value: str) -> str:
    value = str(value).strip().lower()
    if not value:
        return ""
    if len(value) <= 254 and PLAIN_EMAIL.fullmatch(value):
        return value
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
    match = NORWEGIAN_DATE.fullmatch(text)
    if match:
        day, month, year = match.groups()
    else:
        match = ISO_DATE.fullmatch(text)
        if match:
            year, month, day = match.groups()
    if match:
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass  # e.g. 31.02.2024: the formats below give the error
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
    value = str(value).strip()
    # stdnum only removes separators, so anything shorter than 11 characters is not one.
    return len(value) >= 11 and fodselsnummer.is_valid(value)


def validate_not_national_id(value: str) -> None:
    if value and is_national_id(value):
        raise ValidationError(
            _("This looks like a national identity number, which must not be stored here."), code="national_id"
        )
