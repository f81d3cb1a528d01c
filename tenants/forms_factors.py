from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenants.factors import CSV_COLUMNS, FactorTableInvalid, parse_csv


class FactorTableForm(forms.Form):
    """The whole national factor table as CSV text; cleaned to tenants.factors.FactorRow values
    (checked as a whole: every message of tenants.factors is a form error)."""

    table = forms.CharField(
        label=_("The factor table (CSV)"),
        help_text=_("One row a line, separated by semicolons, the first line the header: %(columns)s.")
        % {"columns": ";".join(CSV_COLUMNS)},
        widget=forms.Textarea(attrs={"rows": 20, "cols": 120, "spellcheck": "false"}),
        strip=False,
        max_length=100_000,
    )

    def clean_table(self):
        try:
            return parse_csv(self.cleaned_data["table"])
        except FactorTableInvalid as exc:
            raise ValidationError(exc.messages) from None
