"""The activity form: the company's own locations, the PTA's staff as advisers, active products."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from tickets.models import Product


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "day",
            "starts_at",
            "ends_at",
            "location",
            "place",
            "adviser",
            "participants",
            "notes",
            "cost",
            "billable",
            "product",
            "price",
        ]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date"}),
            "starts_at": forms.TimeInput(attrs={"type": "time"}),
            "ends_at": forms.TimeInput(attrs={"type": "time"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, company, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["location"].queryset = company.locations.all()
        self.fields["location"].error_messages["invalid_choice"] = _(
            "The location must be one of the company's own locations."
        )
        self.fields["adviser"].queryset = advisers
        self.fields["adviser"].label_from_instance = lambda user: user.get_full_name() or user.email
        self.fields["product"].queryset = Product.objects.active()

    def _post_clean(self):
        # The services validate (with the company); the form only parses.
        pass


class DoneForm(forms.Form):
    participants = forms.IntegerField(label=_("participants"), min_value=0, required=False)
