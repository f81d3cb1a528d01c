"""The bokmål catalogue (locale/nb/LC_MESSAGES/django.po): complete, compiled,
and without one msgid standing for two meanings.

gettext has one translation per msgid and context. A short English word used
for two things gets one bokmål word for both: "Change" was the language
switcher's "Bytt" and, in the same catalogue entry, the History tab's column
("Endring"), which then read "Bytt". Words known to carry more than one meaning
must therefore always be given a context (`pgettext`, `{% translate "…" context
"…" %}`), one per meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"

# English words that mean different things in our pages, each a different word in bokmål:
# a noun and a verb (a change / change it), an adjective and a verb (open / open it), a count and
# an identifier (number), and so on. A msgid from this list needs a msgctxt. Words used in one
# sense only (Remove, Send, Name, Date, Status: "Status" either way; Left: only "has left") are
# not listed; add a word here when it gets a second meaning, and give every use a context.
AMBIGUOUS = {
    "Change",  # a recorded change (Endring) / change the language (Bytt) / change it (Endre)
    "Changed",  # what changed (Endret) / has been switched (Byttet)
    "Open",  # open it (Åpne) / not closed (Åpen)
    "Close",  # close it (Lukk) / near (Nær)
    "Closed",  # not open (Stengt) / was closed (Lukket)
    "Number",  # a count (Antall) / an identifier (Nummer)
    "Type",  # a kind (Type) / type it (Skriv)
    "Order",  # a sequence (Rekkefølge) / a purchase (Bestilling) / order it (Bestill)
    "Right",  # an entitlement (Rettighet) / correct (Riktig) / a side (Høyre)
    "Clear",  # empty it (Tøm) / plain (Tydelig)
    "Post",  # send it (Send) / mail (Post) / a position (Stilling)
    "Record",  # a row (Post) / register it (Registrer)
    "Present",  # here (Til stede) / show it (Presenter)
    "Free",  # no charge (Gratis) / available (Ledig)
    "Book",  # reserve it (Bestill) / a book (Bok)
    "Match",  # it matches (Samsvarer) / a pair (Treff)
}


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)


def _unquote(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in text else text


def read_po(path: Path = PO) -> list[Entry]:
    """The catalogue's live entries (obsolete #~ ones are left out), without the header."""
    entries: list[Entry] = []
    entry, key = Entry(), None
    values: dict[str, str] = {}

    def close() -> None:
        nonlocal entry, values
        if "msgid" in values:
            entry.msgid = values["msgid"]
            entry.msgctxt = values.get("msgctxt")
            entry.msgid_plural = values.get("msgid_plural")
            entry.msgstrs = [v for k, v in sorted(values.items()) if k.startswith("msgstr")]
            if entry.msgid:
                entries.append(entry)
        entry, values = Entry(), {}

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            close()
            key = None
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line):
            key = match.group(1)
            values[key] = _unquote(match.group(2))
        elif line.startswith('"') and key:
            values[key] += _unquote(line[1:-1])
    close()
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return read_po()


def test_the_catalogue_is_read(entries):
    assert len(entries) > 300
    assert any(e.msgid == "Change" and e.msgctxt for e in entries)


def test_ambiguous_words_only_appear_with_a_context(entries):
    without = [e for e in entries if e.msgid in AMBIGUOUS and not e.msgctxt]
    assert not without, "Give these a context (pgettext / {% translate … context … %}), one per meaning: " + "; ".join(
        f"{e.msgid!r} used in {' '.join(e.references)}" for e in without
    )


def test_each_meaning_of_change_has_its_own_bokmal_word(entries):
    change = {e.msgctxt: e.msgstrs[0] for e in entries if e.msgid == "Change"}
    assert change["a recorded change"] == "Endring"
    assert change["switch the language"] == "Bytt"


def test_no_bokmal_translation_is_missing_or_fuzzy(entries):
    missing = [e.msgid for e in entries if not e.msgstrs or not all(e.msgstrs)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not missing, f"Empty bokmål msgstr (run `make messages` and translate): {missing}"
    assert not fuzzy, f"Fuzzy bokmål msgstr (check the translation and remove the flag): {fuzzy}"


def test_the_compiled_catalogue_matches_the_po_file(entries):
    """django.mo is what the site reads: `make messages` compiles it after every change of the .po."""
    stale = []
    with translation.override("nb"):
        for e in entries:
            if e.msgid_plural:
                continue
            shown = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
            if shown != e.msgstrs[0]:
                stale.append(e.msgid)
    assert not stale, f"locale/nb/LC_MESSAGES/django.mo is older than the .po (run `make messages`): {stale[:10]}"
