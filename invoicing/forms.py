"""Parsing and cleaning of the invoicing pages' input."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from core.validators import validate_bank_account, validate_orgnr
from invoicing.models import BillableItem, Invoice, InvoiceLine, InvoiceSettings
from tenants.models import ProductUnit
from tickets.models import Product


def parse_month(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


class RunStartForm(forms.Form):
    month = forms.CharField(
        label=_("Month billed"),
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("The run drafts each company's invoice of the month; nothing is sent before you issue it."),
    )

    def clean_month(self) -> date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return month


class CreditForm(forms.Form):
    """A quantity to credit per line of the invoice (at most what is left of it) and the reason."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Printed on the credit note, e.g. “Ticket cancelled after the fact”."),
    )

    def __init__(self, *args, lines: list[InvoiceLine], credited: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for line in lines:
            left = line.quantity - credited.get(line.pk, Decimal(0))
            name = f"line_{line.pk}"
            self.fields[name] = forms.DecimalField(
                label=_("Line %(position)s: %(description)s")
                % {"position": line.position, "description": line.description},
                min_value=0,
                max_value=left,
                decimal_places=3,
                initial=left,
                help_text=_("At most %(left)s.") % {"left": left.normalize()},
            )
            self.lines.append((line, name))

    def quantities(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data[name] for line, name in self.lines if self.cleaned_data.get(name)}


class BillableItemForm(forms.ModelForm):
    class Meta:
        model = BillableItem
        fields = ["product", "description", "day", "quantity", "unit_price", "location", "department"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.company = company
        self.fields["product"].queryset = Product.objects.active().filter(
            unit__in=[ProductUnit.PER_EVENT, ProductUnit.ONE_OFF]
        )
        self.fields["location"].queryset = company.locations.all()
        self.fields["department"].queryset = company.departments.all()
        self.fields["description"].help_text = _("Empty: the product's name.")


class InvoiceSettingsForm(forms.ModelForm):
    org_number = forms.CharField(label=_("Organisation number"), max_length=11, help_text=_("The seller's, 9 digits."))
    bank_account = forms.CharField(
        label=_("Bank account"), max_length=13, help_text=_("11 digits; the KID payments go to this account.")
    )
    vat_registered = forms.BooleanField(label=_("Registered for VAT"), required=False)
    next_number = forms.IntegerField(
        label=_("Next invoice number"),
        min_value=1,
        help_text=_("Can be set until the first invoice is issued; the series is gapless from then on."),
    )

    class Meta:
        model = InvoiceSettings
        fields = [
            "kid_method",
            "kid_length",
            "payment_terms_days",
            "seller_address",
            "seller_postcode",
            "seller_city",
            "seller_phone",
            "first_reminder_days",
            "second_reminder_days",
            "receivable_account",
            "revenue_account_25",
            "revenue_account_12",
            "revenue_account_0",
            "vat_account_25",
            "vat_account_12",
            "bank_account_ledger",
        ]

    def __init__(self, *args, next_number: int, numbering_open: bool, pta, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_number"].initial = next_number
        self.fields["org_number"].initial = pta.org_number
        self.fields["bank_account"].initial = pta.bank_account
        self.fields["vat_registered"].initial = pta.vat_registered
        if not numbering_open:
            # The series is fixed once an invoice is issued: the page shows the number as text.
            del self.fields["next_number"]

    def clean_org_number(self) -> str:
        value = self.cleaned_data["org_number"].replace(" ", "")
        validate_orgnr(value)
        return value

    def clean_bank_account(self) -> str:
        value = self.cleaned_data["bank_account"].replace(" ", "").replace(".", "")
        validate_bank_account(value)
        return value

    def clean(self):
        cleaned = super().clean()
        length, number = cleaned.get("kid_length"), cleaned.get("next_number")
        if length and number and len(str(number)) > length - 1:
            self.add_error(
                "kid_length",
                _("A KID of %(length)s digits cannot hold invoice number %(number)s.")
                % {"length": length, "number": number},
            )
        return cleaned


def selected_ids(data, *, invoices: list[Invoice]) -> list[Invoice]:
    """The invoices whose ids were ticked (`invoice` checkboxes), in the list's order."""
    ticked = set(data.getlist("invoice"))
    return [invoice for invoice in invoices if str(invoice.pk) in ticked]
