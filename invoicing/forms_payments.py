"""Forms of the payment pages: parsing and cleaning only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from invoicing.services_payments import PAYMENT_EXTENSIONS, validate_payment_upload


class PaymentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Payment file (CSV, XLSX or Nets OCR)"),
        help_text=_("A CSV or XLSX file with the columns KID, amount and date, or an OCR giro file from Nets."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(PAYMENT_EXTENSIONS)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_payment_upload(upload)
        return upload


class AssignForm(forms.Form):
    invoice_number = forms.IntegerField(
        label=_("Invoice number"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
