"""Reading bank payment files (no writes): a CSV or XLSX list (KID, amount, date) or a Nets OCR
giro file, into payment rows and row errors.

Rules:
- The format is told by the content: an OCR file's lines are 80 characters and start with "NY";
  anything else is read as a table (core.tabular.read_table, `;` or `,` separated, or a workbook).
- Amounts are kroner with a decimal comma or point and spaces or a thousands separator
  (`1234.50`, `1 234,50`, `1.234,50`); they must be positive, with at most two decimals.
  Dates are `DD.MM.YYYY` (or `DD.MM.YY`) or ISO `YYYY-MM-DD`.
- Every KID's check digit is checked here, by the PTA's method (invoicing.kid): netsgiro checks
  only its length. A row without a KID is an error too (a payment file of ours carries KIDs).
- OCR: only the amount items of OCR giro assignments are payments; reversals are refused, naming
  the row. The reference is the bank's archive reference (or the transaction number).
- Row numbers are those the user sees in the file: row 1 is a table's header; an OCR row is its
  line (the transaction's first record). Row 0 is the file itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import netsgiro
from django.utils.translation import gettext as _

from core.importing import RowError, shortened
from core.tabular import TableError, match_headers, read_table
from invoicing import kid as kid_rules

CSV = "csv"
OCR = "ocr"

#: Column titles a table may use for each field (folded by core.tabular.fold).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "kid": ("kid", "kidnummer", "kundeid", "kundeidentifikasjon", "referansenummer"),
    "amount": ("amount", "beløp", "belop", "innbetalt", "sum", "kroner"),
    "date": ("date", "dato", "paid_on", "betalt", "betalingsdato", "bokført", "bokfort", "oppgjørsdato"),
    "reference": ("reference", "referanse", "arkivreferanse", "arkivref"),
}
REQUIRED = ("kid", "amount", "date")
OCR_LINE_LENGTH = 80
# Transaction types that take money back (netsgiro.TransactionType 18 and 20).
_REVERSALS = {18, 20}
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MAX_AMOUNT = Decimal("999999999999.99")


@dataclass(frozen=True)
class PaymentRow:
    row: int
    kid: str
    amount: Decimal
    paid_on: dt.date
    reference: str = ""


@dataclass
class PaymentFile:
    format: str
    rows: list[PaymentRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), Decimal("0.00"))


def field_label(name: str) -> str:
    """The field as the user reads it."""
    return {
        "kid": _("KID"),
        "amount": _("amount"),
        "date": _("date"),
        "reference": _("reference"),
        "file": _("file"),
    }.get(name, name)


def detect_format(content: bytes) -> str:
    """OCR when the first line that is not blank is an 80-character record starting with NY."""
    head = content[:4096].decode("latin-1")
    for line in head.splitlines():
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        return OCR if line.startswith("NY") and len(line) == OCR_LINE_LENGTH else CSV
    return CSV


def read_payments(content: bytes, filename: str, *, kid_method: str) -> PaymentFile:
    """The payments of a file and its errors, row by row (nothing is written)."""
    if detect_format(content) == OCR:
        return _read_ocr(content, kid_method=kid_method)
    return _read_csv(content, filename, kid_method=kid_method)


# --- Values ------------------------------------------------------------------------------------


def parse_amount(value) -> Decimal:
    """Kroner as a Decimal with two decimals; ValueError (with the reason for the user) otherwise."""
    if isinstance(value, bool):
        raise ValueError(_("This is not an amount."))
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = _SPACES.sub("", str(value or "")).removeprefix("kr").removeprefix("NOK")
        if not text:
            raise ValueError(_("The amount is missing."))
        if "," in text and "." in text:
            # The last of the two separates the decimals; the other groups thousands.
            thousands = "." if text.rfind(",") > text.rfind(".") else ","
            text = text.replace(thousands, "")
        text = text.replace(",", ".")
        if text.count(".") > 1 or not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(_("This is not an amount."))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("This is not an amount.")) from None
    if amount <= 0:
        raise ValueError(_("The amount must be more than zero."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("An amount has at most two decimals."))
    if amount > _MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    return amount.quantize(Decimal("0.01"))


def parse_date(value) -> dt.date:
    """A date from DD.MM.YYYY, DD.MM.YY, YYYY-MM-DD or a workbook's date; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValueError(_("The date is missing."))
    try:
        if match := _DMY.match(text):
            day, month, year = (int(part) for part in match.groups())
            if year < 100:
                year += 2000
            return dt.date(year, month, day)
        if (len(text) == 10 or text[10:11] in ("T", " ")) and (match := _ISO.match(text[:10])):
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("There is no such date.")) from None
    raise ValueError(_("Write the date as DD.MM.YYYY or YYYY-MM-DD."))


def check_kid(value, *, method: str) -> str:
    """The KID without spaces, if its check digit is right; ValueError otherwise."""
    text = _SPACES.sub("", str(value or ""))
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text:
        raise ValueError(_("The KID is missing."))
    if not kid_rules.is_valid(text, method=method):
        if not text[:-1].isdigit():
            raise ValueError(_("A KID is digits only."))
        if not kid_rules.MIN_LENGTH <= len(text) <= kid_rules.MAX_LENGTH:
            raise ValueError(_("A KID has 2 to 25 digits."))
        raise ValueError(_("The KID's check digit is wrong."))
    return text


# --- CSV and XLSX ------------------------------------------------------------------------------


def _read_csv(content: bytes, filename: str, *, kid_method: str) -> PaymentFile:
    result = PaymentFile(format=CSV)
    try:
        table = read_table(content, filename)
    except TableError as error:
        result.errors.append(RowError(row=0, field="file", value="", message=str(error)))
        return result
    columns = match_headers(table.headers, SYNONYMS)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        result.errors.extend(
            RowError(
                row=1,
                field=name,
                value="",
                message=_("The column %(column)s is missing (the header row needs KID, amount and date).")
                % {"column": field_label(name)},
            )
            for name in missing
        )
        return result
    for number, cells in table.rows:
        errors_before = len(result.errors)
        values = {}
        for name, parse in (
            ("kid", lambda v: check_kid(v, method=kid_method)),
            ("amount", parse_amount),
            ("date", parse_date),
        ):
            raw = cells[columns[name]]
            try:
                values[name] = parse(raw)
            except ValueError as error:
                result.errors.append(
                    RowError(row=number, field=name, value=shortened(str(raw or "")), message=str(error))
                )
        if len(result.errors) == errors_before:
            reference = cells[columns["reference"]] if "reference" in columns else ""
            result.rows.append(
                PaymentRow(
                    row=number,
                    kid=values["kid"],
                    amount=values["amount"],
                    paid_on=values["date"],
                    reference=str(reference or "").strip()[:100],
                )
            )
    if not result.rows and not result.errors:
        result.errors.append(RowError(row=0, field="file", value="", message=_("The file has no payments.")))
    return result


# --- Nets OCR giro -----------------------------------------------------------------------------


def _read_ocr(content: bytes, *, kid_method: str) -> PaymentFile:
    result = PaymentFile(format=OCR)
    text = content.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n").rstrip("\x1a")
    lines = [line for line in text.split("\n") if line.strip()]
    for number, line in enumerate(lines, start=1):
        if len(line) != OCR_LINE_LENGTH or not line.startswith("NY"):
            result.errors.append(
                RowError(
                    row=number,
                    field="file",
                    value=shortened(line),
                    message=_("Line %(line)s is not an OCR record of 80 characters starting with NY.")
                    % {"line": number},
                )
            )
            return result
    try:
        transmission = netsgiro.parse("\n".join(lines))
    except Exception as error:  # netsgiro raises ValueError, TypeError or AssertionError on a bad file
        result.errors.append(
            RowError(
                row=0,
                field="file",
                value="",
                message=_("The OCR file cannot be read: %(reason)s") % {"reason": shortened(str(error), 150)},
            )
        )
        return result
    # The line of each transaction's first record (type 30), in the order netsgiro returns them.
    item_lines = iter(number for number, line in enumerate(lines, start=1) if line[6:8] == "30")
    for assignment in transmission.assignments:
        if int(assignment.service_code) != int(netsgiro.ServiceCode.OCR_GIRO):
            continue
        for transaction in assignment.transactions:
            number = next(item_lines, 0)
            _ocr_row(result, transaction, number=number, kid_method=kid_method)
    if not result.rows and not result.errors:
        result.errors.append(RowError(row=0, field="file", value="", message=_("The file has no payments.")))
    return result


def _ocr_row(result: PaymentFile, transaction, *, number: int, kid_method: str) -> None:
    errors_before = len(result.errors)
    if int(transaction.type) in _REVERSALS or transaction.sign == "-":
        result.errors.append(
            RowError(
                row=number,
                field="amount",
                value=str(transaction.amount),
                message=_("A reversal is not a payment: handle it by hand."),
            )
        )
    values = {}
    for name, raw, parse in (
        ("kid", transaction.kid or "", lambda v: check_kid(v, method=kid_method)),
        ("amount", transaction.amount, parse_amount),
    ):
        try:
            values[name] = parse(raw)
        except ValueError as error:
            result.errors.append(RowError(row=number, field=name, value=shortened(str(raw)), message=str(error)))
    if len(result.errors) > errors_before:
        return
    reference = (transaction.reference or "").strip() or str(transaction.number)
    result.rows.append(
        PaymentRow(
            row=number,
            kid=values["kid"],
            amount=values["amount"],
            paid_on=transaction.date,
            reference=reference[:100],
        )
    )
