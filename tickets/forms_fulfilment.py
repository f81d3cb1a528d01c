"""Parsing and cleaning only, for the "Ticket delivery" page: the services
(tickets.services_fulfilment) validate the rules (which backend, an https address)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tickets import fulfilment, payroll

#: Human labels of the backends this site ships; another backend is shown by its name.
BACKEND_LABELS = {
    "export": _("Files only (CSV and JSON, nothing is sent)"),
    "webhook": _("Signed webhook"),
}


def backend_label(name: str) -> str:
    return str(BACKEND_LABELS.get(name, name))


def backend_choices() -> list[tuple[str, str]]:
    return [(name, backend_label(name)) for name in getattr(settings, "TICKET_FULFILMENT_BACKENDS", {})]


class MonthField(forms.CharField):
    """YYYY-MM as the month's 1st (tickets.payroll.parse_month); the error names the value."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2026-09"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return payroll.parse_month(value)
        except ValueError:
            raise forms.ValidationError(
                _("“%(month)s” is not a month: write it as YYYY-MM, e.g. 2026-09."),
                code="invalid",
                params={"month": value},
            ) from None


class FulfilmentSettingsForm(forms.Form):
    backend = forms.ChoiceField(label=_("Delivery"), choices=backend_choices, widget=forms.RadioSelect)
    webhook_url = forms.CharField(
        label=_("Webhook address"),
        required=False,
        max_length=200,
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
        help_text=_(
            "Where the signed webhook sends each month's entitlements: https://… "
            "(http:// only for localhost or 127.0.0.1, for testing)."
        ),
    )


class PublishForm(forms.Form):
    month = MonthField(label=_("Month (YYYY-MM)"))


class ExportForm(forms.Form):
    """The query of a download: ?month=YYYY-MM&format=csv|json."""

    month = MonthField(label=_("Month (YYYY-MM)"))
    format = forms.CharField(label=_("Format"))

    def clean_format(self):
        value = self.cleaned_data["format"].lower()
        if value not in fulfilment.FORMATS:
            raise forms.ValidationError(
                _("“%(format)s” is not a file format here: choose CSV or JSON."),
                code="invalid",
                params={"format": self.cleaned_data["format"]},
            )
        return value
