"""Parsing and cleaning only: the services validate the rules (overlaps, C <= P, S <= C) and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Product, TicketType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _nok(label, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=0, required=required, help_text=help_text
    )


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "description", "unit", "vat_rate", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TicketTypeForm(forms.ModelForm):
    class Meta:
        model = TicketType
        fields = ["name", "zones", "zone_count", "is_active"]


class _PeriodForm(forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(
        label=_("Valid to (inclusive)"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty: until further notice. A price change from a date closes the period before it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The period cannot end before it starts."))
        return data


class PriceForm(_PeriodForm):
    amount = _nok(_("Price (NOK, excl. VAT)"))


class TicketPriceForm(_PeriodForm):
    annual_price = _nok(_("Ordinary annual pass price (NOK)"))
    monthly_price = _nok(
        _("Ordinary price per month (NOK)"),
        required=False,
        help_text=_("Leave empty for the annual price divided by 12."),
    )
    company_price = _nok(
        _("Company price per month (NOK)"),
        required=False,
        help_text=_(
            "What the company pays per ticket and month, with any corporate discount. Empty: the ordinary price."
        ),
    )


class AgreementProductForm(forms.Form):
    """A product of the agreement and the employer's subsidy of it (a percentage or a NOK amount, or none)."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    subsidy_percent = forms.DecimalField(
        label=_("Employer subsidy (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("The employer's share of the company price, 0–100 %."),
    )
    subsidy_amount = _nok(
        _("Employer subsidy (NOK per month)"),
        required=False,
        help_text=_("Or a fixed amount a month. Leave both empty for no subsidy."),
    )

    def __init__(self, *args, current: Product | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        offered = Product.objects.active()
        if current is not None:  # a product no longer offered stays choosable for the row that has it
            offered = offered | Product.objects.filter(pk=current.pk)
        self.fields["product"].queryset = offered.order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("subsidy_percent") is not None and data.get("subsidy_amount") is not None:
            self.add_error("subsidy_amount", _("Give the subsidy as a percentage or as a NOK amount, not both."))
        return data
