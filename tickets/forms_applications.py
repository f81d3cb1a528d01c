"""Parsing of the application pages (the rules are in tickets.services_applications)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from tickets.selectors_applications import Offer


def _nok(amount) -> str:
    return number_format(amount, 2, force_grouping=True)


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work e-mail"),
        help_text=_("We send you a link to the application form. It works once, for a day."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class ApplicationForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    employee_number = forms.CharField(
        label=_("Employee number (if you know it)"),
        max_length=40,
        required=False,
        help_text=_("With your name it finds you on your employer's employee list."),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("The ticket comes to the app on this phone."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    ticket_type = forms.ChoiceField(label=_("Ticket"), widget=forms.RadioSelect)
    zones = forms.CharField(
        label=_("Zones"),
        max_length=200,
        required=False,
        help_text=_(
            "Leave empty for the ticket's own zones. For a ticket with a number of zones: the zones you travel in."
        ),
    )
    starts = forms.ChoiceField(label=_("First month"))
    accept_terms = forms.BooleanField(
        label=_(
            "I accept the terms: my own share is deducted from my pay each month, "
            "and the taxable benefit is added to my income for tax."
        )
    )

    def __init__(self, *args, offers: list[Offer], months: list[date], **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {str(offer.ticket_type.pk): offer for offer in offers}
        self.fields["ticket_type"].choices = [
            (
                key,
                _("%(name)s (%(zones)s): you pay NOK %(share)s a month")
                % {
                    "name": offer.ticket_type.name,
                    "zones": offer.ticket_type.zones or _("%(count)s zones") % {"count": offer.ticket_type.zone_count},
                    "share": _nok(offer.rounded("employee_share")),
                },
            )
            for key, offer in self.offers.items()
        ]
        self.fields["starts"].choices = [(month.isoformat(), date_format(month, "F Y")) for month in months]

    def cleaned_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["ticket_type"] = self.offers[data["ticket_type"]].ticket_type
        data["starts"] = date.fromisoformat(data["starts"])
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it rejected?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The employee reads this in the e-mail."),
    )


class ApplicationSettingsForm(forms.Form):
    auto_approve = forms.BooleanField(
        label=_("Approve automatically when the applicant is on the employee list"),
        required=False,
        help_text=_("Matched on work e-mail, or on employee number and name. Others wait for a contact person."),
    )
