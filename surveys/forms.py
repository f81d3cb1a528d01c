"""The staff's survey forms: starting rounds, filtering the list of rounds, and
a local question. Parsing and cleaning only; the rules are the services'."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from companies.models import Company, CompanyStatus, Department, Location
from core.dates import today
from surveys.models import QuestionKind, RoundKind

#: A new round's default length, in days.
DEFAULT_ROUND_DAYS = 14


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RoundState:
    """A round's state, from its dates (Europe/Oslo)."""

    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [
            (cls.NOT_OPEN, pgettext_lazy("survey round", "Not open yet")),
            (cls.OPEN, pgettext_lazy("survey round", "Open")),
            (cls.CLOSED, pgettext_lazy("survey round", "Closed")),
        ]


class RoundFilterForm(forms.Form):
    """The list of rounds' filters (GET); a wrong value is no filter."""

    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All"))] + RoundState.choices()
        self.fields["kind"].choices = [("", _("All"))] + list(RoundKind.choices)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"state": "", "kind": ""}
        return {"state": self.cleaned_data["state"], "kind": self.cleaned_data["kind"]}


class _RoundOptionsForm(forms.Form):
    """What every new round is asked: kind, dates and reminders."""

    kind = forms.ChoiceField(label=_("Kind of round"), choices=RoundKind.choices, initial=RoundKind.BASELINE)
    opens_on = forms.DateField(label=_("Opens"), widget=DateInput(), help_text=_("The invitations go out this day."))
    closes_on = forms.DateField(
        label=_("Closes"),
        widget=DateInput(),
        help_text=_("The last day to answer; the contact persons get a summary after it."),
    )
    reminder_days = forms.IntegerField(
        label=_("Days between reminders"),
        min_value=1,
        max_value=30,
        initial=4,
        help_text=_("A reminder goes to those who have not answered this many days after the last mail."),
    )
    max_reminders = forms.IntegerField(label=_("Reminders at most"), min_value=0, max_value=5, initial=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start = today()
        self.fields["opens_on"].initial = start
        self.fields["closes_on"].initial = start + timedelta(days=DEFAULT_ROUND_DAYS)

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The round must close on or after the day it opens."))
        return cleaned

    def round_options(self) -> dict:
        """The keyword arguments of surveys.services_rounds.round_start, from the cleaned data."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "reminder_days": data["reminder_days"],
            "max_reminders": data["max_reminders"],
        }


class RoundStartForm(_RoundOptionsForm):
    """One company's round; the location and department are that company's."""

    location = forms.ModelChoiceField(
        label=_("Only the location"), queryset=Location.objects.none(), required=False, empty_label=_("All locations")
    )
    department = forms.ModelChoiceField(
        label=_("Only the department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )

    field_order = ["kind", "opens_on", "closes_on", "location", "department", "reminder_days", "max_reminders"]

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(company=company).order_by("name")
        self.fields["department"].queryset = Department.objects.filter(company=company).order_by("name")
        if not self.fields["location"].queryset.exists():
            del self.fields["location"]
        if not self.fields["department"].queryset.exists():
            del self.fields["department"]

    def round_options(self) -> dict:
        return {
            **super().round_options(),
            "location": self.cleaned_data.get("location"),
            "department": self.cleaned_data.get("department"),
        }


class CompanySearchForm(forms.Form):
    """Narrows the companies offered on the many-rounds page (GET, works without JavaScript)."""

    q = forms.CharField(label=_("Search companies"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("member", _("Member companies")), ("all", _("All companies"))],
    )

    def search(self) -> dict[str, str]:
        if not self.is_valid():
            return {"q": "", "status": "member"}
        return {"q": self.cleaned_data["q"].strip(), "status": self.cleaned_data["status"] or "member"}


def company_label(company: Company) -> str:
    status = "" if company.status == CompanyStatus.MEMBER else f" · {company.get_status_display()}"
    return f"{company.name} ({company.org_number}){status}"


class RoundsStartManyForm(_RoundOptionsForm):
    """Rounds for several companies at once. Any of the PTA's companies may be
    chosen; `shown` are the ones the checkbox list offers (the search's), with
    the chosen ones kept in the list."""

    companies = forms.ModelMultipleChoiceField(
        label=_("Companies"),
        queryset=Company.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one company.")},
    )

    field_order = ["companies", "kind", "opens_on", "closes_on", "reminder_days", "max_reminders"]

    def __init__(self, *args, shown=None, **kwargs):
        super().__init__(*args, **kwargs)
        if shown is not None:
            chosen = set(self.data.getlist("companies")) if hasattr(self.data, "getlist") else set()
            offered = list(shown)
            offered_pks = {str(company.pk) for company in offered}
            missing = [pk for pk in chosen if pk not in offered_pks and pk.isdigit()]
            if missing:
                offered = list(Company.objects.filter(pk__in=missing).order_by("name")) + offered
            self.fields["companies"].widget.choices = [(company.pk, company_label(company)) for company in offered]


def _options_from_lines(text: str) -> list[dict]:
    options = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 3 or not all(parts):
            raise forms.ValidationError(
                _("Line %(number)s: write each option as code;bokmål;English, e.g. bus;Buss;Bus."),
                params={"number": number},
            )
        options.append({"code": parts[0], "nb": parts[1], "en": parts[2]})
    return options


def _whole_steps(low, high) -> bool:
    return low.to_integral() == low and high.to_integral() == high and high - low <= 10


class LocalQuestionForm(forms.Form):
    """A PTA's own question, added at the end of the questionnaire."""

    kind = forms.ChoiceField(label=_("Type of question"), choices=QuestionKind.choices)
    key = forms.SlugField(
        label=_("Key"),
        max_length=34,
        help_text=_("A short name in lower-case letters, digits and _, e.g. bike_parking. It is prefixed local_."),
    )
    text_nb = forms.CharField(label=_("Question (bokmål)"), max_length=300)
    text_en = forms.CharField(label=_("Question (English)"), max_length=300)
    help_nb = forms.CharField(label=_("Help text (bokmål)"), max_length=300, required=False)
    help_en = forms.CharField(label=_("Help text (English)"), max_length=300, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    min = forms.DecimalField(
        label=_("Lowest value"), required=False, max_digits=8, decimal_places=1, help_text=_("Number and scale only.")
    )
    max = forms.DecimalField(
        label=_("Highest value"), required=False, max_digits=8, decimal_places=1, help_text=_("Number and scale only.")
    )
    decimals = forms.TypedChoiceField(
        label=_("Decimals"),
        choices=[(0, _("Whole numbers")), (1, _("One decimal"))],
        coerce=int,
        initial=0,
        required=False,
        empty_value=0,
        help_text=_("Number only."),
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Single and multiple choice only: one option a line, as code;bokmål;English, e.g. bus;Buss;Bus."),
    )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].lower().replace("-", "_")
        if key.startswith("local_"):
            key = key[len("local_") :]
        if not key or not key[0].isalpha():
            raise forms.ValidationError(_("Start the key with a letter."))
        return key

    def clean_options(self) -> list[dict]:
        return _options_from_lines(self.cleaned_data.get("options", ""))

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in (QuestionKind.NUMBER, QuestionKind.SCALE):
            low, high = cleaned.get("min"), cleaned.get("max")
            if low is None:
                self.add_error("min", _("A number or scale question needs a lowest value."))
            if high is None:
                self.add_error("max", _("A number or scale question needs a highest value."))
            if low is not None and high is not None and low >= high:
                self.add_error("max", _("The highest value must be above the lowest."))
            bounded = low is not None and high is not None and low < high
            if kind == QuestionKind.SCALE and bounded and not _whole_steps(low, high):
                self.add_error("max", _("A scale runs in whole steps, at most 11 of them (e.g. 1 to 5)."))
        choice = kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        if choice and "options" in cleaned and len(cleaned["options"]) < 2:
            self.add_error("options", _("A choice question needs at least two options."))
        return cleaned

    def definition(self) -> dict:
        """The question as surveys.services.local_question_add takes it (tenants.question_sets' format)."""
        data = self.cleaned_data
        kind = data["kind"]
        definition = {
            "key": data["key"],
            "kind": kind,
            "text_nb": data["text_nb"],
            "text_en": data["text_en"],
            "help_nb": data["help_nb"],
            "help_en": data["help_en"],
            "required": data["required"],
        }
        if kind in (QuestionKind.NUMBER, QuestionKind.SCALE):
            definition["min"] = str(data["min"])
            definition["max"] = str(data["max"])
            definition["decimals"] = data["decimals"] if kind == QuestionKind.NUMBER else 0
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            definition["options"] = data["options"]
        return definition


#: Words of a service's message (tenants.question_sets, in English or bokmål) and the form field each names.
_FIELD_WORDS = (
    ("text_nb", "text_nb"),
    ("text_en", "text_en"),
    ("option", "options"),
    ("svaralternativ", "options"),
    ("decimals", "decimals"),
    (" min", "min"),
    (" max", "max"),
    ("scale", "max"),
    ("skala", "max"),
    ("kind", "kind"),
    ("typen", "kind"),
    ("key", "key"),
    ("nøkkel", "key"),
)


def field_of_message(message: str) -> str | None:
    """The form field a service's refusal of a local question names, or None (the form's top)."""
    # "Question 0 (local_x): text_nb must be ...": the words after the question's name.
    detail = " " + message.split(": ", 1)[-1].lower()
    for word, field in _FIELD_WORDS:
        if word in detail:
            return field
    return None
