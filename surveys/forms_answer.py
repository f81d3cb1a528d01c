"""The employee's answer form: one field per question of the round's
questionnaire version, in order, in the invitation's language.

The fields hand the posted values over untouched and the form applies the
rules of surveys.answers (so the messages are the same for a form, a draft
and the service). Choices are radio buttons or checkboxes in a fieldset with
the question as legend (templates/django/forms/field.html), a scale is radio
buttons of its steps, a number is a text input with a numeric keyboard (a
comma is accepted), free text a textarea.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from surveys.answers import TEXT_MAX, clean_answers

#: The sections of the national questions, by key (a key of no section, a
#: local question, goes to the last one).
SECTIONS = (
    ("trip", ("main_mode", "other_modes", "distance_km", "commute_days", "home_office_days", "travel_minutes")),
    ("workplace", ("parking", "transit_pass")),
    ("change", ("reasons", "switch_factors", "switch_likelihood", "try_offer")),
    ("more", ()),
)


def section_titles() -> dict[str, str]:
    return {
        "trip": _("Your trip to work"),
        "workplace": _("At your workplace"),
        "change": _("Your choice of travel, and what could change it"),
        "more": _("Finally"),
    }


class RawField(forms.Field):
    """Hands over the posted value (a list for checkboxes) for surveys.answers to judge."""

    def __init__(self, *, multiple: bool = False, **kwargs):
        self.multiple = multiple
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if self.multiple:
            return [str(item) for item in (value or [])]
        return "" if value is None else str(value)

    def validate(self, value):
        """The rules are in surveys.answers (AnswerForm.clean)."""


def _shown(question, value) -> object:
    """A stored value as the field shows it again (a draft): numbers as the reader writes them."""
    if value is None:
        return None
    if question.kind == "number":
        return formats.number_format(Decimal(str(value)), use_l10n=True)
    if question.kind == "scale":
        return str(value)
    return value


def _label(question, language: str):
    text = question.text(language)
    if question.required:
        return text
    return format_html('{} <span class="muted">({})</span>', text, pgettext("survey question", "optional"))


def _field(question, language: str) -> forms.Field:
    kind = question.kind
    options = [(option["code"], question.option_label(option["code"], language)) for option in question.options]
    # field.html writes help texts unescaped (|safe): a PTA's own question's help is escaped here.
    common = {"label": _label(question, language), "help_text": escape(question.help(language))}
    # Browsers' own checks are off (novalidate); the page says which questions are optional.
    required = {"aria-required": "true"} if question.required else {}
    if kind == "single":
        return RawField(widget=forms.RadioSelect(choices=options), **common)
    if kind == "multiple":
        return RawField(multiple=True, widget=forms.CheckboxSelectMultiple(choices=options), **common)
    if kind == "scale":
        low, high = int(question.min_value), int(question.max_value)
        steps = [(str(step), str(step)) for step in range(low, high + 1)]
        widget = forms.RadioSelect(choices=steps)
        widget.template_name = "surveys/answer/_scale_widget.html"
        return RawField(widget=widget, **common)
    if kind == "number":
        mode = "decimal" if question.decimals else "numeric"
        attrs = {"inputmode": mode, "autocomplete": "off", "spellcheck": "false", **required}
        return RawField(widget=forms.TextInput(attrs=attrs), **common)
    return RawField(widget=forms.Textarea(attrs={"rows": 4, "maxlength": str(TEXT_MAX), **required}), **common)


class AnswerForm(forms.Form):
    """The round's questions. `partial` (saving to carry on later) leaves
    required questions empty without complaint. After is_valid(), `answers`
    holds the cleaned values of the valid answers ({key: value})."""

    def __init__(self, *args, questions, language: str, draft: dict | None = None, partial: bool = False, **kwargs):
        self.questions = list(questions)
        self.language = language
        self.partial = partial
        self.answers: dict = {}
        by_key = {question.key: question for question in self.questions}
        initial = {key: _shown(by_key[key], value) for key, value in (draft or {}).items() if key in by_key}
        super().__init__(*args, initial=initial, **kwargs)
        for question in self.questions:
            self.fields[question.key] = _field(question, language)

    def clean(self):
        raw = {question.key: self.cleaned_data.get(question.key) for question in self.questions}
        self.answers, errors = clean_answers(self.questions, raw, partial=self.partial)
        for key, message in errors.items():
            self.add_error(key, message)
        return self.cleaned_data

    def sections(self) -> list[dict]:
        """The fields in order, in runs of the same section: [{"key", "title", "fields"}]."""
        where = {key: name for name, keys in SECTIONS for key in keys}
        titles = section_titles()
        runs: list[dict] = []
        for question in self.questions:
            name = where.get(question.key, "more")
            if not runs or runs[-1]["key"] != name:
                runs.append({"key": name, "id": f"section-{len(runs) + 1}", "title": titles[name], "fields": []})
            runs[-1]["fields"].append(self[question.key])
        return runs

    def error_summary(self) -> list[dict]:
        """The questions with an error, in order, for the summary at the top: [{"anchor", "question", "messages"}]."""
        summary = []
        for question in self.questions:
            if question.key in self.errors:
                bound = self[question.key]
                anchor = bound.auto_id + ("_0" if bound.field.widget.use_fieldset else "")
                summary.append(
                    {"anchor": anchor, "question": question.text(self.language), "messages": self.errors[question.key]}
                )
        return summary
