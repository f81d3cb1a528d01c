"""The national standard travel-habit question set (RVU) and the rules every
version of it, and every PTA's local question, must follow.

A question is a dict:
    key       a stable slug (main_mode); the same question keeps its key across versions
    kind      single | multiple | number | scale | text
    text_nb, text_en, help_nb, help_en
    required  bool
    min, max  bounds of a number or scale (a scale is whole steps min..max)
    decimals  decimals a number may have (0 or 1)
    options   [{"code", "nb", "en"}] for single and multiple choice

The dashboards read the questions in STANDARD_KINDS by key (surveys.Response
has a column for each), so every national version must have them, of that kind.
Pure functions, no ORM; the messages are translated (gettext).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

KINDS = ("single", "multiple", "number", "scale", "text")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

#: The questions the dashboards aggregate, by key, and the kind each must be.
STANDARD_KINDS = {
    "main_mode": "single",
    "distance_km": "number",
    "commute_days": "number",
    "home_office_days": "number",
    "travel_minutes": "number",
    "parking": "single",
    "transit_pass": "single",
    "switch_likelihood": "scale",
}
#: Option codes the dashboards rely on.
STANDARD_OPTIONS = {
    "main_mode": {
        "walk", "bicycle", "ebike", "escooter", "car_driver", "car_passenger", "carpool",
        "motorbike", "bus", "tram", "metro", "train", "ferry", "other",
    },
    "parking": {"free", "paid", "none"},
    "transit_pass": {"yes", "no"},
}  # fmt: skip

MODES = [
    ("walk", "Gange", "Walk"),
    ("bicycle", "Sykkel", "Bicycle"),
    ("ebike", "Elsykkel", "E-bike"),
    ("escooter", "Elsparkesykkel", "E-scooter"),
    ("car_driver", "Bil, som sjåfør", "Car, as driver"),
    ("car_passenger", "Bil, som passasjer", "Car, as passenger"),
    ("carpool", "Samkjøring", "Carpool"),
    ("motorbike", "Motorsykkel eller moped", "Motorbike or moped"),
    ("bus", "Buss", "Bus"),
    ("tram", "Trikk eller bybane", "Tram or light rail"),
    ("metro", "T-bane", "Metro"),
    ("train", "Tog", "Train"),
    ("ferry", "Ferje eller båt", "Ferry or boat"),
    ("other", "Annet", "Other"),
]


def _options(rows) -> list[dict]:
    return [{"code": code, "nb": nb, "en": en} for code, nb, en in rows]


STANDARD_V1: list[dict] = [
    {
        "key": "main_mode",
        "kind": "single",
        "text_nb": "Hvordan reiser du vanligvis til jobben? Velg det du bruker på den lengste delen av reisen.",
        "text_en": "How do you usually travel to work? Choose what you use for the longest part of the trip.",
        "help_nb": "Tenk på en vanlig dag du reiser til arbeidsstedet.",
        "help_en": "Think of a typical day you travel to your workplace.",
        "required": True,
        "options": _options(MODES),
    },
    {
        "key": "other_modes",
        "kind": "multiple",
        "text_nb": "Bruker du andre reisemåter på den samme reisen?",
        "text_en": "Do you use other modes on the same trip?",
        "help_nb": "Kryss av for alle som passer. La stå tomt om ingen passer.",
        "help_en": "Tick all that apply. Leave empty if none do.",
        "required": False,
        "options": _options(MODES),
    },
    {
        "key": "distance_km",
        "kind": "number",
        "text_nb": "Hvor langt er det fra hjemmet ditt til jobben, én vei?",
        "text_en": "How far is it from your home to work, one way?",
        "help_nb": "I kilometer, for eksempel 7,5.",
        "help_en": "In kilometres, for example 7.5.",
        "required": True,
        "min": "0",
        "max": "500",
        "decimals": 1,
    },
    {
        "key": "commute_days",
        "kind": "number",
        "text_nb": "Hvor mange dager i uka reiser du til arbeidsstedet?",
        "text_en": "How many days a week do you travel to your workplace?",
        "help_nb": "En vanlig uke, 0 til 7.",
        "help_en": "A typical week, 0 to 7.",
        "required": True,
        "min": "0",
        "max": "7",
        "decimals": 0,
    },
    {
        "key": "home_office_days",
        "kind": "number",
        "text_nb": "Hvor mange dager i uka jobber du hjemmefra?",
        "text_en": "How many days a week do you work from home?",
        "help_nb": "En vanlig uke, 0 til 7.",
        "help_en": "A typical week, 0 to 7.",
        "required": True,
        "min": "0",
        "max": "7",
        "decimals": 0,
    },
    {
        "key": "travel_minutes",
        "kind": "number",
        "text_nb": "Hvor lang tid bruker du på reisen til jobben, én vei?",
        "text_en": "How long does your trip to work take, one way?",
        "help_nb": "I minutter, dør til dør.",
        "help_en": "In minutes, door to door.",
        "required": True,
        "min": "0",
        "max": "300",
        "decimals": 0,
    },
    {
        "key": "parking",
        "kind": "single",
        "text_nb": "Hvordan er parkeringen ved arbeidsstedet ditt?",
        "text_en": "What is parking like at your workplace?",
        "required": True,
        "options": _options(
            [
                ("free", "Gratis parkering", "Free parking"),
                ("paid", "Betalt parkering", "Paid parking"),
                ("none", "Ingen parkering", "No parking"),
            ]
        ),
    },  # fmt: skip
    {
        "key": "transit_pass",
        "kind": "single",
        "text_nb": "Har du et periodekort for kollektivtransport?",
        "text_en": "Do you have a transit pass?",
        "required": True,
        "options": _options([("yes", "Ja", "Yes"), ("no", "Nei", "No")]),
    },
    {
        "key": "reasons",
        "kind": "multiple",
        "text_nb": "Hvorfor reiser du slik du gjør?",
        "text_en": "Why do you travel the way you do?",
        "help_nb": "Kryss av for alle som passer.",
        "help_en": "Tick all that apply.",
        "required": False,
        "options": _options(
            [
                ("fastest", "Det går raskest", "It is fastest"),
                ("cheapest", "Det er billigst", "It is cheapest"),
                ("flexible", "Det er fleksibelt", "It is flexible"),
                ("comfort", "Det er behagelig", "It is comfortable"),
                ("health", "Det gir mosjon", "It keeps me fit"),
                ("environment", "Det er miljøvennlig", "It is better for the environment"),
                ("no_alternative", "Jeg har ikke noe godt alternativ", "I have no good alternative"),
                ("car_for_work", "Jeg trenger bil i jobben", "I need a car for work"),
                ("errands", "Henting i barnehage, skole eller ærender", "Nursery, school or errands"),
                ("other", "Annet", "Other"),
            ]
        ),
    },
    {
        "key": "switch_factors",
        "kind": "multiple",
        "text_nb": "Hva ville fått deg til å reise mer kollektivt, sykle eller gå?",
        "text_en": "What would make you travel more by public transport, bike or on foot?",
        "help_nb": "Kryss av for alle som passer.",
        "help_en": "Tick all that apply.",
        "required": False,
        "options": _options(
            [
                ("more_departures", "Flere avganger", "More departures"),
                ("better_routes", "Bedre ruter eller færre bytter", "Better routes or fewer changes"),
                ("cheaper_tickets", "Billigere billetter", "Cheaper tickets"),
                ("employer_ticket", "Bedriftsbillett fra arbeidsgiver", "A corporate ticket from my employer"),
                ("bike_parking", "Sikker sykkelparkering", "Secure bike parking"),
                ("showers", "Dusj og garderobe på jobben", "Showers and changing rooms at work"),
                ("ebike", "Tilgang til elsykkel", "Access to an e-bike"),
                ("paid_parking", "Betalt parkering på jobben", "Paid parking at work"),
                ("nothing", "Ingenting", "Nothing"),
            ]
        ),
    },
    {
        "key": "switch_likelihood",
        "kind": "scale",
        "text_nb": "Hvor sannsynlig er det at du vil reise mer miljøvennlig til jobben det neste året?",
        "text_en": "How likely are you to travel to work more sustainably in the coming year?",
        "help_nb": "1 er svært usannsynlig, 5 er svært sannsynlig.",
        "help_en": "1 is very unlikely, 5 is very likely.",
        "required": True,
        "min": "1",
        "max": "5",
    },
    {
        "key": "try_offer",
        "kind": "multiple",
        "text_nb": "Vil du prøve noe av dette?",
        "text_en": "Would you like to try any of these?",
        "required": False,
        "options": _options(
            [
                ("ebike_trial", "Prøve elsykkel i en periode", "An e-bike trial"),
                ("ticket_trial", "Prøve en bedriftsbillett", "A corporate ticket trial"),
            ]
        ),
    },
    {
        "key": "comment",
        "kind": "text",
        "text_nb": "Er det noe mer du vil si om reisen til jobben?",
        "text_en": "Is there anything else you want to say about your trip to work?",
        "help_nb": "Valgfritt. Ikke skriv navn eller annet som kan identifisere deg.",
        "help_en": "Optional. Do not write your name or anything else that identifies you.",
        "required": False,
    },
]


class QuestionSetError(ValueError):
    """A question set that breaks a rule; the message names the question and field."""


def _decimal(value, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise QuestionSetError(_("%(where)s: «%(value)s» is not a number") % {"where": where, "value": value}) from None


def validate_question(question: dict, *, number: int) -> None:
    """Refuse a question that breaks a rule (QuestionSetError naming it; `number` 0 for a
    question on its own, such as a PTA's local question)."""
    if not isinstance(question, dict):
        raise QuestionSetError(_("Question %(number)s: not an object") % {"number": number})
    key = question.get("key", "")
    where = (
        _("Question %(number)s (%(key)s)") % {"number": number, "key": key or "–"}
        if number
        else _("The question %(key)s") % {"key": key or "–"}
    )
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise QuestionSetError(
            _("%(where)s: the key must be 2-40 lower-case letters, digits or _, starting with a letter")
            % {"where": where}
        )
    kind = question.get("kind")
    if kind not in KINDS:
        raise QuestionSetError(
            _("%(where)s: the kind «%(kind)s» is not one of %(kinds)s")
            % {"where": where, "kind": kind, "kinds": ", ".join(KINDS)}
        )
    for field in ("text_nb", "text_en"):
        text = question.get(field)
        if not isinstance(text, str) or not text.strip() or len(text) > 300:
            raise QuestionSetError(
                _("%(where)s: %(field)s must be a text of 1-300 characters") % {"where": where, "field": field}
            )
    if kind in ("single", "multiple"):
        options = question.get("options")
        if not isinstance(options, list) or len(options) < 2:
            raise QuestionSetError(_("%(where)s: a choice question needs at least two options") % {"where": where})
        codes = [option.get("code") if isinstance(option, dict) else None for option in options]
        for option, code in zip(options, codes, strict=True):
            if not isinstance(code, str) or not KEY_PATTERN.match(code) or not option.get("nb") or not option.get("en"):
                raise QuestionSetError(
                    _("%(where)s: every option needs a code and a text in nb and en") % {"where": where}
                )
        if len(set(codes)) != len(codes):
            raise QuestionSetError(_("%(where)s: option codes repeat") % {"where": where})
    if kind in ("number", "scale"):
        if question.get("min") is None or question.get("max") is None:
            raise QuestionSetError(
                _("%(where)s: a %(kind)s question needs min and max") % {"where": where, "kind": kind}
            )
        low, high = _decimal(question["min"], f"{where} min"), _decimal(question["max"], f"{where} max")
        if low >= high:
            raise QuestionSetError(
                _("%(where)s: min (%(low)s) must be below max (%(high)s)") % {"where": where, "low": low, "high": high}
            )
        if kind == "scale" and (low != low.to_integral() or high != high.to_integral() or high - low > 10):
            raise QuestionSetError(_("%(where)s: a scale runs in whole steps, at most 11 of them") % {"where": where})
        if question.get("decimals", 0) not in (0, 1):
            raise QuestionSetError(_("%(where)s: decimals must be 0 or 1") % {"where": where})


def validate_question_set(questions: object) -> list[dict]:
    """Check a national version: each question, keys once, and the standard
    questions with their kinds and option codes. Returns the questions."""
    if not isinstance(questions, list) or not questions:
        raise QuestionSetError(_("A question set is a non-empty list of questions"))
    seen: set[str] = set()
    for number, question in enumerate(questions, start=1):
        validate_question(question, number=number)
        if question["key"].startswith("local_"):
            raise QuestionSetError(
                _("Question %(number)s (%(key)s): keys starting local_ are for PTAs")
                % {"number": number, "key": question["key"]}
            )
        if question["key"] in seen:
            raise QuestionSetError(
                _("Question %(number)s: the key «%(key)s» is used twice") % {"number": number, "key": question["key"]}
            )
        seen.add(question["key"])
    by_key = {question["key"]: question for question in questions}
    for key, kind in STANDARD_KINDS.items():
        if key not in by_key:
            raise QuestionSetError(_("The standard question «%(key)s» is missing") % {"key": key})
        if by_key[key]["kind"] != kind:
            raise QuestionSetError(
                _("The standard question «%(key)s» must be of kind %(kind)s") % {"key": key, "kind": kind}
            )
    for key, codes in STANDARD_OPTIONS.items():
        missing = codes - {option["code"] for option in by_key[key]["options"]}
        if missing:
            raise QuestionSetError(
                _("The standard question «%(key)s» lacks the options %(options)s")
                % {"key": key, "options": ", ".join(sorted(missing))}
            )
    return questions
