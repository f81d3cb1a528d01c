"""The rules of an answer: what each kind of question accepts, cleaned into
the value that is stored (in the invitation's draft, then in an Answer).

Pure functions on Question rows already loaded (no queries):

- single choice: one of the question's option codes (a str);
- multiple choice: option codes of the question, each once, in the
  question's order (a list; empty means not answered);
- number: within min..max with at most `decimals` decimals; a comma is a
  decimal separator ("7,5"), spaces are ignored ("1 200"); stored as a
  str ("7.5") so that it survives JSON;
- scale: a whole step in min..max (an int);
- text: at most TEXT_MAX characters, stripped (a str).

An empty answer is None (or left out). The messages are for the person
answering, under the question; they do not repeat the question's text
(the error summary at the top of the page names it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

TEXT_MAX = 2000
#: Days a week: the workplace and home office together fill at most a week.
DAYS_IN_WEEK = 7
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class AnswerError(ValueError):
    """An answer the question does not accept; the message says what it does accept."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _show(value: Decimal) -> str:
    """A bound as the reader writes numbers (7,5 in bokmål), without trailing zeros."""
    value = value.normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return formats.number_format(value, use_l10n=True)


def _empty(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, (list, tuple)):
        return not any(str(item).strip() for item in raw)
    return not str(raw).strip()


def _codes(question) -> list[str]:
    return [option["code"] for option in question.options]


def parse_number(raw) -> Decimal:
    """A number as people type it: "7,5", "7.5", "1 200". Raises AnswerError."""
    text = _SPACES.sub("", str(raw)).replace(",", ".")
    if len(text) > 20 or not _NUMBER.match(text):
        raise AnswerError(_("Write a number, for example 7.5."))
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover (the pattern only lets numbers through)
        raise AnswerError(_("Write a number, for example 7.5.")) from None


def _clean_number(question, raw) -> str:
    value = parse_number(raw)
    # The bounds first: they keep the number small enough for quantize() below.
    low, high = question.min_value, question.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise AnswerError(_("Write a number from %(min)s to %(max)s.") % {"min": _show(low), "max": _show(high)})
        if low is not None:
            raise AnswerError(_("Write a number of at least %(min)s.") % {"min": _show(low)})
        raise AnswerError(_("Write a number of at most %(max)s.") % {"max": _show(high)})
    decimals = question.decimals or 0
    if value != value.quantize(Decimal(1).scaleb(-decimals)):
        if decimals == 0:
            raise AnswerError(_("Write a whole number, without decimals."))
        raise AnswerError(
            ngettext("Write at most %(n)s decimal.", "Write at most %(n)s decimals.", decimals) % {"n": decimals}
        )
    value = value.quantize(Decimal(1).scaleb(-decimals))
    return f"{value:f}"


def _clean_scale(question, raw) -> int:
    low, high = question.min_value, question.max_value
    message = _("Choose a whole number from %(min)s to %(max)s.") % {"min": _show(low), "max": _show(high)}
    try:
        value = parse_number(raw)
    except AnswerError:
        raise AnswerError(message) from None
    if value != value.to_integral() or value < low or value > high:
        raise AnswerError(message)
    return int(value)


def clean_answer(question, raw):
    """The stored value of one answer, or None if it is empty. Accepts what a
    form posts (str, or a list of str for multiple choice) and what clean_answer
    returned before (a draft). Does not check `required`. Raises AnswerError."""
    if _empty(raw):
        return None
    kind = question.kind
    if kind == "single":
        if isinstance(raw, (list, tuple)):
            if len(raw) != 1:
                raise AnswerError(_("Choose one of the options."))
            raw = raw[0]
        code = str(raw).strip()
        if code not in _codes(question):
            raise AnswerError(_("Choose one of the options."))
        return code
    if kind == "multiple":
        chosen = {str(item).strip() for item in (raw if isinstance(raw, (list, tuple)) else [raw])} - {""}
        if chosen - set(_codes(question)):
            raise AnswerError(_("Choose only among the options shown."))
        return [code for code in _codes(question) if code in chosen]
    if kind == "number":
        return _clean_number(question, raw)
    if kind == "scale":
        return _clean_scale(question, raw)
    if kind == "text":
        text = str(raw).strip()
        if len(text) > TEXT_MAX:
            raise AnswerError(
                _("Write at most %(max)s characters (this is %(length)s).")
                % {"max": formats.number_format(TEXT_MAX, force_grouping=True), "length": len(text)}
            )
        return text
    raise AnswerError(_("This question cannot be answered."))  # pragma: no cover (kinds are checked on save)


def _required_message(question) -> str:
    if question.kind in ("single", "multiple", "scale"):
        return _("Choose an answer.")
    return _("Answer this question.")


def check_together(answers: dict) -> dict[str, str]:
    """Rules across questions, on cleaned answers: {key: message} for the key the message goes under."""
    errors = {}
    commute, home = answers.get("commute_days"), answers.get("home_office_days")
    if commute is not None and home is not None and Decimal(commute) + Decimal(home) > DAYS_IN_WEEK:
        errors["home_office_days"] = _(
            "Days at the workplace and days working from home add up to more than %(days)s a week."
        ) % {"days": DAYS_IN_WEEK}
    return errors


def clean_answers(questions: Iterable, raw: dict, *, partial: bool = False) -> tuple[dict, dict[str, str]]:
    """Clean the answers to a questionnaire's questions: ({key: value}, {key: message}).
    Only answered questions are in the values; keys of no question are ignored.
    `partial` (saving to carry on later) does not ask for the required questions."""
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for question in questions:
        try:
            value = clean_answer(question, raw.get(question.key))
        except AnswerError as error:
            errors[question.key] = error.message
            continue
        if value is None or value == []:
            if question.required and not partial:
                errors[question.key] = _required_message(question)
            continue
        cleaned[question.key] = value
    for key, message in check_together(cleaned).items():
        errors.setdefault(key, message)
    return cleaned, errors


# --- From the answers to the stored rows -------------------------------------------------------


def answer_fields(question, value) -> dict:
    """The Answer row's fields for a cleaned value: choices, number or text."""
    if question.kind in ("single", "multiple"):
        return {"choices": [value] if isinstance(value, str) else list(value)}
    if question.kind in ("number", "scale"):
        return {"number": Decimal(str(value))}
    return {"text": value}


def standard_columns(answers: dict) -> dict:
    """The Response's columns for the standard questions (surveys.Response), from cleaned answers."""
    columns: dict = {}
    if "main_mode" in answers:
        columns["main_mode"] = answers["main_mode"]
    if "parking" in answers:
        columns["parking"] = answers["parking"]
    for key in ("distance_km", "commute_days", "home_office_days"):
        if key in answers:
            columns[key] = Decimal(str(answers[key]))
    if "travel_minutes" in answers:
        columns["travel_minutes"] = int(Decimal(str(answers["travel_minutes"])))
    if "transit_pass" in answers:
        columns["has_transit_pass"] = {"yes": True, "no": False}.get(answers["transit_pass"])
    if "switch_likelihood" in answers:
        columns["switch_likelihood"] = int(answers["switch_likelihood"])
    return columns


def round_status(*, opens_on: date, closes_on: date, today: date) -> str:
    """ "open", "not_open" (before opens_on) or "closed" (after closes_on); both dates count as open."""
    if today < opens_on:
        return "not_open"
    if today > closes_on:
        return "closed"
    return "open"
