"""The effect model's calculator form (tenants.effects): a GET form, so a scenario is a
bookmarkable address. It parses the text as a Norwegian writes numbers ("250 000",
"42,5"); the model's own rules (tenants.effects) judge the values, and each of its
refusals is shown on the field it names."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants import effects

#: The report's first scenario, the form's values when the address names none.
DEFAULTS = {
    "employees": "250000",
    "car_share": "35",
    "reduction": "10",
    "trips_per_year": "460",
    "transit_shares": "20 40",
    "price_per_trip": "20",
    "monthly_price": "700",
    "cannibalisations": "10 25",
}

#: Spaces (also no-break and thin ones) group thousands.
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
#: A list is separated by semicolons, spaces, or a comma followed by a space (a comma
#: between digits is the decimal comma).
_SEPARATORS = re.compile(r";|,\s+|[\s\u00a0\u202f]+")


def number_text(text: str) -> str:
    """'250 000' -> '250000', '42,5' -> '42.5'; anything else is left for the model to refuse."""
    return _SPACES.sub("", text.strip()).replace(",", ".")


def list_text(text: str) -> list[str]:
    return [number_text(part) for part in _SEPARATORS.split(text.strip()) if part.strip()]


def _field(label, help_text="", *, mode="decimal"):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=60,
        widget=forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off"}),
    )


class EffectsForm(forms.Form):
    employees = _field(_("Employees"), mode="numeric")
    car_share = _field(_("Car share (%)"), _("Share of commuting trips made driving a car."))
    reduction = _field(_("Reduction of the car share (%)"), _("Relative: 10 means 35 % becomes 31.5 %."))
    trips_per_year = _field(_("Commuting trips per year"), _("Per employee; the report uses 460."))
    transit_shares = _field(
        _("Share moving to transit (%)"),
        _("Of the car trips no longer made. One or more values, separated by spaces or semicolons: 20 40."),
    )
    price_per_trip = _field(_("Price per trip (NOK)"))
    monthly_price = _field(_("Monthly price (NOK)"), _("The corporate ticket the company pays for every employee."))
    cannibalisations = _field(
        _("Cannibalisation (%)"),
        _("Revenue the PTA had already from these employees. One or more values: 10 25."),
    )

    @classmethod
    def from_query(cls, query) -> EffectsForm:
        """Bound to the address's values, the defaults filling in what it does not name."""
        data = dict(DEFAULTS)
        for name in DEFAULTS:
            if name in query:
                data[name] = query.get(name)
        return cls(data)

    def clean(self):
        data = super().clean()
        # A field without a value already has its error; the default stands in for it so
        # that the model still judges the others.
        texts = {name: data.get(name) or DEFAULTS[name] for name in DEFAULTS}
        values = {
            name: list_text(text) if name in ("transit_shares", "cannibalisations") else number_text(text)
            for name, text in texts.items()
        }
        problems: dict[str, str] = {}
        try:
            data["car_trips"] = effects.CarTripParameters.build(**values)
        except effects.ParameterError as exc:
            problems.update((p.name, p.message) for p in exc.problems)
        try:
            data["subscription"] = effects.SubscriptionParameters.build(**values)
        except effects.ParameterError as exc:
            problems.update((p.name, p.message) for p in exc.problems)
        for name, message in problems.items():
            if name in data:
                self.add_error(name, message)
        return data
