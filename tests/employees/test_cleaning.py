"""The fast paths in employees.cleaning accept only what the full checks
(phonenumbers, Django's validate_email, strptime, stdnum) accept, and give the
same result. No database needed."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.no import fodselsnummer

from employees import cleaning
from employees.cleaning import (
    DATE_FORMATS,
    NORWEGIAN_MOBILE,
    PLAIN_EMAIL,
    is_national_id,
    normalise_email,
    normalise_mobile,
    parse_date,
)


def _outcome(function, value):
    """The result, or the error message (which quotes the value)."""
    try:
        return function(value)
    except ValidationError as exc:
        return ("error", exc.messages)


def _written(digits: str, rng: random.Random) -> str:
    """Eight digits written the ways HR systems and people write them."""
    return rng.choice(
        [
            digits,
            f"{digits[:3]} {digits[3:5]} {digits[5:]}",
            f"{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}",
            f"+47{digits}",
            f"+47 {digits[:3]} {digits[3:5]} {digits[5:]}",
            f"0047{digits}",
            f"0047 {digits}",
            f" {digits} ",
            " ".join(digits),
        ]
    )


def test_mobile_fast_path_gives_what_phonenumbers_gives():
    # Every four-digit prefix of an eight-digit number starting with 4 or 9
    # (phonenumbers' Norwegian patterns look at no more digits than that),
    # three random endings each, written in random ways.
    rng = random.Random(2026)
    samples = [
        _written(f"{prefix}{rng.randint(0, 9999):04d}", rng)
        for prefix in [*range(4000, 5000), *range(9000, 10000)]
        for _ in range(3)
    ]
    fast = 0
    for value in samples:
        assert NORWEGIAN_MOBILE.fullmatch(value.strip()), value
        expected = _outcome(cleaning._normalise_mobile_slow, value.strip())
        assert _outcome(normalise_mobile, value) == expected, value
        fast += expected[0] != "error"
    assert fast > len(samples) // 2  # most of them are mobile numbers, taken by the fast path


@pytest.mark.parametrize(
    "value",
    [
        "912 34 567",
        "+4791234567",
        "004791234567",
        "+47 41 23 45 67",
        "42 12 34 56",  # not a mobile series
        "43123456",
        "4531 2345",
        "+46 70 123 45 67",  # Swedish
        "22 12 34 56",  # Oslo landline
        "4791234567",  # country code without +
        "+47 912 34 567 8",
        "9123456",
        "912345678",
        "+470 91234567",
        "912-34-567",
        "(+47) 912 34 567",
        "912\u00a034\u00a0567",  # no-break spaces
        "٩١٢٣٤٥٦٧",  # Arabic-Indic digits
        "９１２３４５６７",  # full-width digits
        "123",
        "abc",
    ],
)
def test_mobile_fast_path_and_phonenumbers_agree_on_odd_values(value):
    assert _outcome(normalise_mobile, value) == _outcome(cleaning._normalise_mobile_slow, value.strip())


def _email(rng: random.Random) -> str:
    """Mostly plausible addresses, some with odd parts."""
    odd = rng.random() < 0.3
    atoms = ["kari", "ola", "a", "x1", "nord-mann", "per_olsen", "ola+hr", "9", "KARI"]
    atoms += ["-", "_", "+", "æøå", "o'neil", "", " "] if odd else []
    local = rng.choice([".", ".", "..", ""] if odd else [".", ""]).join(
        rng.choice(atoms) for _ in range(rng.randint(1, 3))
    )
    labels = ["delta", "bedrift", "a", "xn--bcher-kva", "1", "sub-domene", "no", "com", "n0"]
    labels += ["-x", "x-", "øy", "c", ""] if odd else []
    domain = ".".join(rng.choice(labels) for _ in range(rng.randint(1, 4)))
    return f"{local}@{domain}" + (rng.choice(["", ".", " ", "@x.no", "\n"]) if odd else "")


def test_plain_email_pattern_only_accepts_addresses_django_accepts():
    rng = random.Random(2026)
    accepted = 0
    for _ in range(20000):
        value = _email(rng)
        if PLAIN_EMAIL.fullmatch(value):
            accepted += 1
            validate_email(value)  # raises if the fast path let through something Django refuses
        expected = _outcome(_normalise_email_slow, value)
        assert _outcome(normalise_email, value) == expected, value
    assert accepted > 2000


def _normalise_email_slow(value: str) -> str:
    """normalise_email as it was before the fast path."""
    value = str(value).strip().lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(f"“{value}” is not a valid e-mail address.") from None
    return value


def test_long_plain_address_goes_to_the_full_check():
    value = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".no"
    assert len(value) > 254
    assert _outcome(normalise_email, value) == _outcome(_normalise_email_slow, value)


def _parse_date_slow(text: str):
    """parse_date for text as it was before the fast paths."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return "error"


def _date_texts():
    for year in ("0000", "0001", "1999", "2000", "2024", "2025", "9999"):
        for month in range(14):
            for day in (0, 1, 9, 10, 28, 29, 30, 31, 32):
                yield f"{day}.{month}.{year}"
                yield f"{day:02d}.{month:02d}.{year}"
                yield f"{year}-{month:02d}-{day:02d}"
                yield f"{year}-{month}-{day}"
    yield from ["1.2.24", "31/12/2024", "31-12-2024", "2024-12-31 00:00:00", "2024-12-31T00:00", "31.12.2024."]
    yield "١.٢.٢٠٢٤"  # Arabic-Indic digits


def test_date_fast_paths_give_what_strptime_gives():
    for text in _date_texts():
        try:
            result = parse_date(text)
        except ValidationError:
            result = "error"
        assert result == _parse_date_slow(text), text


def test_repeated_dates_and_cells_from_spreadsheets():
    assert parse_date(datetime(2020, 2, 1, 12, 30)) == date(2020, 2, 1)
    assert parse_date(date(2020, 2, 1)) == date(2020, 2, 1)
    assert parse_date(" 01.02.2020 ") == date(2020, 2, 1)
    with pytest.raises(ValidationError):
        parse_date("31.02.2024")


def test_national_id_shortcut_agrees_with_stdnum():
    rng = random.Random(2026)
    valid = "15108695088"
    values = [valid, "151086 95088", "151086-95088", "1510869508", "15108695089", "", "10000", "29999"]
    values += [str(rng.randint(0, 10**12)) for _ in range(2000)]
    for value in values:
        assert is_national_id(value) == fodselsnummer.is_valid(value.strip()), value
