"""Reading an employee list: recognise the columns, clean every row, and
compare the result with the company's employees. Nothing here writes. The
services clean and compare the file once, for the preview, and keep the plan
(`pack_plan`) with a fingerprint of the list it was compared with
(`plan_fingerprint`); the import writes that plan if the list is still the
same when it holds the company's lock, and compares again otherwise.

Matching key for an existing employee: the employee number if the row has
one that is known, else the e-mail address (case-insensitive).
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import orjson
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.models import Company, Department, Location
from core.importing import ImportSummary, RowError, shortened
from core.tabular import Table, fold, unneutralise
from employees.cleaning import (
    is_national_id,
    normalise_email,
    normalise_mobile,
    parse_date,
    validate_not_national_id,
)
from employees.models import Employee, EmployeeStatus, Language

FIELD_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "full_name": gettext_lazy("Full name (first and last)"),
    "email": gettext_lazy("Work e-mail"),
    "mobile": gettext_lazy("Mobile number"),
    "employee_number": gettext_lazy("Employee number"),
    "location": gettext_lazy("Location"),
    "department": gettext_lazy("Department"),
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"),
    "status": gettext_lazy("Status"),
    "preferred_language": gettext_lazy("Language"),
}

HEADER_SYNONYMS = {
    "first_name": ["Fornavn", "First name", "Given name", "Forename"],
    "last_name": ["Etternavn", "Last name", "Surname", "Family name"],
    "full_name": ["Navn", "Fullt navn", "Ansattnavn", "Full name", "Name", "Employee name"],
    "email": [
        "E-post",
        "Epost",
        "E-postadresse",
        "E-post arbeid",
        "Jobb-e-post",
        "Arbeids-e-post",
        "Email",
        "E-mail",
        "Email address",
        "Work email",
        "Mail",
    ],
    "mobile": [
        "Mobil",
        "Mobilnummer",
        "Mobiltelefon",
        "Telefon",
        "Telefonnummer",
        "Tlf",
        "Mobile",
        "Mobile phone",
        "Mobile number",
        "Phone",
        "Phone number",
        "Cell phone",
    ],
    "employee_number": [
        "Ansattnummer",
        "Ansattnr",
        "Ansatt-ID",
        "Ansatt nr",
        "Personalnummer",
        "Employee number",
        "Employee no",
        "Employee ID",
    ],
    "location": ["Lokasjon", "Arbeidssted", "Avdelingssted", "Kontor", "Location", "Site", "Office", "Workplace"],
    "department": ["Avdeling", "Avdelingsnavn", "Department", "Dept"],
    "start_date": ["Startdato", "Ansettelsesdato", "Ansatt fra", "Start date", "Hire date", "Employment start"],
    "end_date": ["Sluttdato", "Fratredelsesdato", "Ansatt til", "End date", "Termination date", "Leaving date"],
    "status": ["Status", "Ansattstatus", "Employment status"],
    "preferred_language": ["Språk", "Foretrukket språk", "Language", "Preferred language"],
}
HEADER_LOOKUP = {fold(name): name_field for name_field, names in HEADER_SYNONYMS.items() for name in names}
# The sample file offered on the upload page: the first (bokmål) header of each field but the
# full name (first and last name are separate), and two fictitious employees. Location and
# department are left empty: the company's own must exist (or be created by the upload's option).
SAMPLE_FIELDS = [name_field for name_field in HEADER_SYNONYMS if name_field != "full_name"]
SAMPLE_HEADERS = [HEADER_SYNONYMS[name_field][0] for name_field in SAMPLE_FIELDS]
SAMPLE_ROWS = [
    [
        {
            "first_name": "Kari",
            "last_name": "Nordmann",
            "email": "kari.nordmann@eksempel.no",
            "mobile": "912 34 567",
            "employee_number": "1001",
            "start_date": date(2022, 3, 1),
            "status": "Aktiv",
            "preferred_language": "nb",
        }.get(name_field, "")
        for name_field in SAMPLE_FIELDS
    ],
    [
        {
            "first_name": "Ola",
            "last_name": "Hansen",
            "email": "ola.hansen@eksempel.no",
            "mobile": "987 65 432",
            "employee_number": "1002",
            "start_date": date(2023, 8, 15),
            "status": "Aktiv",
            "preferred_language": "en",
        }.get(name_field, "")
        for name_field in SAMPLE_FIELDS
    ],
]
NATIONAL_ID_HEADERS = {
    fold(name)
    for name in [
        "Fødselsnummer",
        "Fødselsnr",
        "Fnr",
        "Personnummer",
        "Personnr",
        "D-nummer",
        "Identitetsnummer",
        "National ID",
        "National identity number",
        "National identification number",
        "SSN",
        "Social security number",
    ]
}
STATUS_VALUES = {
    fold(value): status
    for status, values in {
        EmployeeStatus.ACTIVE: ["active", "aktiv", "ansatt", "i arbeid", "employed"],
        EmployeeStatus.ON_LEAVE: ["on_leave", "on leave", "permisjon", "i permisjon", "permittert", "leave"],
        EmployeeStatus.LEFT: ["left", "sluttet", "avsluttet", "fratrådt", "inaktiv", "inactive", "terminated"],
    }.items()
    for value in values
}
LANGUAGE_VALUES = {
    fold(value): language
    for language, values in {
        Language.NB: ["nb", "no", "nob", "norsk", "bokmål", "norsk bokmål", "norwegian"],
        Language.EN: ["en", "eng", "engelsk", "english"],
    }.items()
    for value in values
}
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "employee_number": 40,
    "location": 120,
    "department": 120,
}
# The columns an import may set, as stored (location/department by name key here).
COLUMNS = [
    "first_name",
    "last_name",
    "email",
    "mobile",
    "employee_number",
    "location",
    "department",
    "status",
    "start_date",
    "end_date",
    "preferred_language",
]
PREVIEW_SAMPLE = 200
DATE_COLUMNS = ("start_date", "end_date")
CHOICES = (
    ("status", STATUS_VALUES, gettext_lazy("“%(value)s” is not a status; use active, on leave or left.")),
    ("preferred_language", LANGUAGE_VALUES, gettext_lazy("“%(value)s” is not a language; use nb or en.")),
)


@dataclass
class Parsed:
    rows: list[tuple[int, dict]]
    errors: list[RowError]
    fields: set[str]  # the employee fields the file provides
    warnings: list[str]


@dataclass
class Plan:
    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)  # with "changes": [(column, old, new)]
    unchanged: int = 0
    leavers: list[dict] = field(default_factory=list)
    new_locations: dict[str, str] = field(default_factory=dict)
    new_departments: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    total: int = 0
    names: dict[str, str] = field(default_factory=dict)  # location/department name key -> name as shown

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.inserts),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "left": len(self.leavers),
            "errors": len(self.errors),
        }

    def summary(self) -> ImportSummary:
        return ImportSummary(counts=self.counts(), errors=self.errors, warnings=self.warnings)


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


# Columns: recognising headers --------------------------------------------------------


def detect_mapping(table: Table) -> dict[int, str]:
    """Column index -> field, from the headers; the first column wins a field."""
    mapping: dict[int, str] = {}
    blocked = set(national_id_columns(table))
    for index, header in enumerate(table.headers):
        name_field = HEADER_LOOKUP.get(fold(header))
        if name_field and index not in blocked and name_field not in mapping.values():
            mapping[index] = name_field
    return mapping


def national_id_columns(table: Table) -> list[int]:
    """Columns named like a national identity number, or whose values all are one."""
    found = []
    for index, header in enumerate(table.headers):
        if fold(header) in NATIONAL_ID_HEADERS:
            found.append(index)
            continue
        sample = [str(cells[index]).strip() for _row, cells in table.rows[:50] if cells[index] not in (None, "")]
        if sample and all(is_national_id(value) for value in sample[:20]):
            found.append(index)
    return found


def mapping_problems(fields: set[str]) -> list[str]:
    problems = []
    if not ({"first_name", "last_name"} <= fields or "full_name" in fields):
        problems.append(_("Choose the columns with the first and last name, or one column with the full name."))
    if not fields & {"employee_number", "email"}:
        problems.append(_("Choose the column with the employee number or the e-mail address, to recognise employees."))
    return problems


def mapping_warnings(table: Table, mapping: dict[int, str]) -> list[str]:
    warnings = []
    blocked = national_id_columns(table)
    for index, header in enumerate(table.headers):
        label = shortened(header) if header else _("column %(n)s") % {"n": index + 1}
        if index in blocked:
            warnings.append(
                _("Column “%(header)s” looks like national identity numbers; it was not imported.") % {"header": label}
            )
        elif index not in mapping:
            warnings.append(_("Column “%(header)s” was not recognised and was not imported.") % {"header": label})
    return warnings


# Rows: cleaning ----------------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, str):
        return unneutralise(value.strip())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unneutralise(str(value).strip())


def split_full_name(name: str) -> tuple[str, str]:
    """'Kari Anne Nordmann' -> ('Kari Anne', 'Nordmann'); 'Nordmann, Kari' -> ('Kari', 'Nordmann')."""
    if "," in name:
        last, _sep, first = name.partition(",")
        return first.strip(), last.strip()
    first, _sep, last = name.strip().rpartition(" ")
    return first.strip(), last.strip()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the rows of a file are
    built and compared. 20,000 rows are ~100,000 new dicts, lists and tuples;
    every few thousand of them the collector walks all objects of the process
    looking for reference cycles (rows have none), which made cleaning and
    comparing ~25 % slower. Memory is still freed by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Memo(dict):
    """Results of pure functions while one file is read: the same date, status
    or place is written on thousands of rows. memo[function, value] calls
    function(value) the first time only; a call that raises is not kept."""

    def __missing__(self, key):
        function, value = key
        self[key] = result = function(value)
        return result


@dataclass(frozen=True)
class Shape:
    """Which checks a file's rows need, worked out once from its columns
    (so the loop over tens of thousands of rows skips absent fields)."""

    columns: tuple[tuple[int, str], ...]  # (cell index, field)
    names: tuple[str, ...]  # first_name/last_name given in their own columns
    plain: tuple[str, ...]  # employee_number, location, department given
    cleaned: tuple[tuple[str, Callable[[str], str]], ...]  # email, mobile given, with their cleaning
    dates: tuple[tuple[int, str], ...]  # (cell index, field)
    choices: tuple[tuple[str, dict, object], ...]
    lengths: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, mapping: dict[int, str]) -> Shape:
        given = set(mapping.values())
        has = given | ({"first_name", "last_name"} if "full_name" in given else set())
        return cls(
            columns=tuple(mapping.items()),
            names=tuple(f for f in ("first_name", "last_name") if f in given),
            plain=tuple(f for f in ("employee_number", "location", "department") if f in given),
            cleaned=tuple((f, c) for f, c in (("email", normalise_email), ("mobile", normalise_mobile)) if f in given),
            dates=tuple((index, f) for index, f in mapping.items() if f in DATE_COLUMNS),
            choices=tuple(choice for choice in CHOICES if choice[0] in given),
            lengths=tuple((f, limit) for f, limit in MAX_LENGTHS.items() if f in has),
        )


def _clean_row(cells: list, shape: Shape, memo: Memo) -> tuple[dict, list[tuple[str, str, str]]]:
    # _text, with the common case (a text cell without a formula guard) inline: this runs for every cell.
    text = {
        name_field: stripped
        if (cell := cells[index]).__class__ is str and (stripped := cell.strip())[:1] != "'"
        else _text(cell)
        for index, name_field in shape.columns
    }
    values: dict = {}
    problems: list[tuple[str, str, str]] = []

    if "full_name" in text:
        values["first_name"], values["last_name"] = split_full_name(text["full_name"])
    for name_field in shape.names:
        values[name_field] = text[name_field]
    if not values.get("first_name"):
        problems.append(("first_name", "", _("This field is required.")))
    if not values.get("last_name"):
        problems.append(("last_name", "", _("This field is required.")))
    for name_field in shape.plain:
        values[name_field] = text[name_field]
    if values.get("employee_number"):
        try:
            validate_not_national_id(values["employee_number"])
        except ValidationError as exc:
            problems.append(("employee_number", "", exc.messages[0]))  # never echo the number itself
            values["employee_number"] = ""
    for name_field, clean in shape.cleaned:
        try:
            values[name_field] = clean(text[name_field])
        except ValidationError as exc:
            problems.append((name_field, text[name_field], exc.messages[0]))
    for index, name_field in shape.dates:
        cell = cells[index]
        try:
            # A text date is parsed once per file (memo); a workbook's date cell as it is.
            values[name_field] = memo[parse_date, text[name_field]] if isinstance(cell, str) else parse_date(cell)
        except ValidationError as exc:
            problems.append((name_field, text[name_field], exc.messages[0]))
    for name_field, known, message in shape.choices:
        value = text[name_field]
        values[name_field] = known.get(memo[fold, value]) if value else None
        if value and values[name_field] is None:
            problems.append((name_field, value, str(message) % {"value": value}))
    for name_field, limit in shape.lengths:
        if len(values.get(name_field, "")) > limit:
            problems.append((name_field, values[name_field], _("Longer than %(n)s characters.") % {"n": limit}))
    if (
        not values.get("employee_number")
        and not values.get("email")
        and not any(f in ("employee_number", "email") for f, _v, _m in problems)
    ):
        problems.append(("employee_number", "", _("Give an employee number or an e-mail address.")))
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and start > end:
        problems.append(("end_date", text["end_date"], _("The end date is before the start date.")))
    return values, problems


def clean_rows(table: Table, mapping: dict[int, str], *, on_progress: Callable[[int], None] | None = None) -> Parsed:
    """Clean every data row; a row with any error is left out and reported."""
    fields = set(mapping.values())
    if "full_name" in fields:
        fields = (fields - {"full_name"}) | {"first_name", "last_name"}
    rows: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, str], int] = {}
    memo = Memo()
    shape = Shape.of(mapping)
    for count, (number, cells) in enumerate(table.rows, start=1):
        values, problems = _clean_row(cells, shape, memo)
        for name_field in ("employee_number", "email"):
            value = values.get(name_field)
            if not value:
                continue
            key = (name_field, value.casefold())
            if key in first_seen:
                problems.append(
                    (
                        name_field,
                        value,
                        _("“%(value)s” is also on row %(row)s.") % {"value": value, "row": first_seen[key]},
                    )
                )
            else:
                first_seen[key] = number
        if problems:
            errors.extend(RowError(number, f, v, m) for f, v, m in problems)
        else:
            rows.append((number, values))
        if on_progress and count % 500 == 0:
            on_progress(count)
    return Parsed(rows=rows, errors=errors, fields=fields, warnings=mapping_warnings(table, mapping))


def pack_plan(plan: Plan) -> bytes:
    """What a plan without errors writes (new employees, changed ones with
    their changed columns, leavers' ids, new places), compactly: compressed
    JSON, kept from the preview to the import (EmployeeImportPlan). orjson
    writes dates as ISO dates, which the import's COPY reads as they are."""
    if plan.errors:
        raise ValueError("Only a plan without errors is kept.")
    data = {
        "inserts": plan.inserts,
        "updates": [{**values, "changes": [c for c, _old, _new in values["changes"]]} for values in plan.updates],
        "leavers": [employee["id"] for employee in plan.leavers],
        "new_locations": plan.new_locations,
        "new_departments": plan.new_departments,
    }
    return zlib.compress(orjson.dumps(data), 1)


def unpack_plan(packed: bytes) -> Plan:
    """The part of a Plan that pack_plan kept: enough to write it (dates as
    ISO text; a change's old and new values are left out, as the preview
    recorded them)."""
    data = orjson.loads(zlib.decompress(packed))
    return Plan(
        inserts=data["inserts"],
        updates=[{**values, "changes": [(c, None, None) for c in values["changes"]]} for values in data["updates"]],
        leavers=[{"id": pk} for pk in data["leavers"]],
        new_locations=data["new_locations"],
        new_departments=data["new_departments"],
    )


def plan_fingerprint(*, company: Company, full_list: bool, create_missing: bool, today: date) -> str:
    """A digest of everything plan_import reads besides the rows: the
    company's employees (the columns it compares), locations and
    departments, the options and the day (a leaver's end date defaults to
    it). Two equal fingerprints mean the same rows give the same plan.
    Worked out by PostgreSQL in one query, without loading the employees."""
    employees, locations, departments = (
        connection.ops.quote_name(model._meta.db_table) for model in (Employee, Location, Department)
    )
    columns = ", ".join(["id", *[f"{c}_id" if c in ("location", "department") else c for c in COLUMNS]])
    # row(...)::text quotes a value with a comma or quote in it and leaves NULL empty: one text per state.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(concat_ws(E'\\n', %s, "  # noqa: S608 (names from code)
            f"(SELECT string_agg(row({columns})::text, E'\\n' ORDER BY id) FROM {employees} WHERE company_id = %s), "
            f"'--', (SELECT string_agg(row(id, name)::text, E'\\n' ORDER BY id) FROM {locations} "
            "WHERE company_id = %s), "
            f"'--', (SELECT string_agg(row(id, name)::text, E'\\n' ORDER BY id) FROM {departments} "
            "WHERE company_id = %s)))",
            [f"{full_list}|{create_missing}|{today.isoformat()}", company.pk, company.pk, company.pk],
        )
        return cursor.fetchone()[0]


# Comparing with the database ---------------------------------------------------------


def _display(name_field: str, value, names: dict[str, str]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return date_format(value, "d.m.Y")
    if name_field in ("location", "department"):
        return names.get(value, value)
    if name_field == "status":
        return str(EmployeeStatus(value).label)
    return str(value)


def plan_import(*, company: Company, parsed: Parsed, full_list: bool, create_missing: bool, today: date) -> Plan:
    """Compare clean rows with the company's employees: who is added, who
    changes (field by field), who is unchanged, and, for a full list, who is
    missing and will be marked as left."""
    plan = Plan(errors=list(parsed.errors), warnings=list(parsed.warnings), fields=parsed.fields)
    plan.total = len(parsed.rows) + len({e.row for e in parsed.errors})
    places = {
        "location": {name_key(name): (pk, name) for pk, name in company.locations.values_list("pk", "name")},
        "department": {name_key(name): (pk, name) for pk, name in company.departments.values_list("pk", "name")},
    }
    new_places = {"location": plan.new_locations, "department": plan.new_departments}
    key_by_id = {kind: {pk: key for key, (pk, _name) in known.items()} for kind, known in places.items()}
    names = plan.names
    names.update({key: name for known in places.values() for key, (_pk, name) in known.items()})

    existing = _existing(company, key_by_id)
    by_number = {e["employee_number"]: e for e in existing if e["employee_number"]}
    by_email: dict[str, dict | None] = {}
    for employee in existing:
        if employee["email"]:
            key = employee["email"].casefold()
            by_email[key] = None if key in by_email else employee  # None: more than one has it
    matched: dict[int, int] = {}
    memo = Memo()

    for number, row_values in parsed.rows:
        values = dict(row_values)
        problems = []
        for kind in ("location", "department"):
            if not values.get(kind):
                if kind in values:
                    values[kind] = None
                continue
            key = memo[name_key, values[kind]]
            if key not in places[kind]:
                if create_missing:
                    new_places[kind].setdefault(key, values[kind])
                    names.setdefault(key, values[kind])
                else:
                    message = (
                        _("There is no location “%(value)s”.")
                        if kind == "location"
                        else _("There is no department “%(value)s”.")
                    )
                    problems.append((kind, values[kind], message % {"value": values[kind]}))
            values[kind] = key

        current = by_number.get(values.get("employee_number") or "")
        if current is None and values.get("email"):
            current = by_email.get(values["email"].casefold(), False)
            if current is None:
                problems.append(("email", values["email"], _("More than one employee has this e-mail address.")))
            current = current or None
        if current is not None and current["id"] in matched:
            problems.append(
                (
                    "employee_number" if values.get("employee_number") else "email",
                    values.get("employee_number") or values.get("email"),
                    _("This is the same employee as on row %(row)s.") % {"row": matched[current["id"]]},
                )
            )
        if current is not None:
            matched.setdefault(current["id"], number)
        if problems:
            plan.errors.extend(RowError(number, f, v, m) for f, v, m in problems)
            continue

        desired = _desired(current, values, today)
        if current is None:
            plan.inserts.append({"row": number, **desired})
            continue
        changes = [(c, current[c], desired[c]) for c in COLUMNS if current[c] != desired[c]]
        if changes:
            plan.updates.append({"row": number, "id": current["id"], **desired, "changes": changes})
        else:
            plan.unchanged += 1

    if full_list and not parsed.rows and not parsed.errors:
        # An empty "full list" would mark everyone as left.
        plan.errors.append(RowError(1, "file", "", _("The file has no employees; a full list cannot be empty.")))
    elif full_list and not plan.errors:
        # Leavers are only worked out for a file without errors: a row with an
        # error would otherwise show its employee as leaving.
        plan.leavers = [e for e in existing if e["id"] not in matched and e["status"] != EmployeeStatus.LEFT]
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _existing(company: Company, key_by_id: dict[str, dict[int, str]]) -> list[dict]:
    """The company's employees as dicts of COLUMNS (places by name key) and id, sorted by name."""
    columns = ["id", *[c for c in COLUMNS if c not in ("location", "department")]]
    existing = []
    for *row, location_id, department_id in company.employees.values_list(*columns, "location_id", "department_id"):
        employee = dict(zip(columns, row, strict=True))
        employee["location"] = key_by_id["location"].get(location_id)
        employee["department"] = key_by_id["department"].get(department_id)
        existing.append(employee)
    return existing


DEFAULTS = {
    "first_name": "",
    "last_name": "",
    "email": "",
    "mobile": "",
    "employee_number": "",
    "location": None,
    "department": None,
    "status": EmployeeStatus.ACTIVE,
    "start_date": None,
    "end_date": None,
    "preferred_language": Language.NB,
}


def _desired(current: dict | None, values: dict, today: date) -> dict:
    """The employee's columns (and id) after the import: the row's values over
    the current ones (or the defaults); an empty status or language keeps them."""
    base = current or DEFAULTS
    desired = {**base, **values}
    for column in ("status", "preferred_language"):
        if desired[column] is None:
            desired[column] = base[column]
    # A leaver always has an end date: the one recorded, else today (as employee_set_status does).
    if desired["status"] == EmployeeStatus.LEFT and desired["end_date"] is None:
        desired["end_date"] = (current or {}).get("end_date") or today
    return desired


def preview_data(plan: Plan) -> dict:
    """What the preview page shows: samples of each list, with readable changes."""

    def name(values: dict) -> str:
        return f"{values['first_name']} {values['last_name']}".strip()

    return {
        "added": [
            {"row": v["row"], "name": name(v), "employee_number": v["employee_number"], "email": v["email"]}
            for v in plan.inserts[:PREVIEW_SAMPLE]
        ],
        "updated": [
            {
                "row": v["row"],
                "name": name(v),
                "employee_number": v["employee_number"],
                "changes": [
                    # The field's key, not its label: the page shows it in the reader's language.
                    [c, _display(c, old, plan.names), _display(c, new, plan.names)]
                    for c, old, new in v["changes"]
                ],
            }
            for v in plan.updates[:PREVIEW_SAMPLE]
        ],
        "left": [
            {"name": name(v), "employee_number": v["employee_number"], "email": v["email"]}
            for v in plan.leavers[:PREVIEW_SAMPLE]
        ],
        "new_locations": sorted(plan.new_locations.values()),
        "new_departments": sorted(plan.new_departments.values()),
        "warnings": plan.warnings,
    }


def employee_field_label(name_field: str) -> str:
    if name_field == "file":
        return _("File")
    return str(FIELD_LABELS.get(name_field, name_field))
