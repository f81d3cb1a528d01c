"""Forms of the climate report pages: the year of a new report, and the PTA's certification levels."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from reporting.models import CertificationLevel


class ReportYearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].initial = years[0]


_percent = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class CertificationLevelForm(forms.ModelForm):
    class Meta:
        model = CertificationLevel
        fields = ["name", "rank", "min_response_rate", "min_car_share_reduction", "min_sustainable_share"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("min_response_rate", "min_car_share_reduction", "min_sustainable_share"):
            self.fields[name].validators.extend(_percent)
        self.fields["rank"].validators.append(MinValueValidator(1))

    def validate_unique(self):
        """Ranks are checked across the whole formset (they may be swapped in one save)."""


class BaseLevelFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        ranks, names = set(), set()
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            rank, name = form.cleaned_data.get("rank"), (form.cleaned_data.get("name") or "").strip().lower()
            if rank in ranks:
                raise ValidationError(_("Two levels have the rank %(rank)s; give each level its own.") % {"rank": rank})
            if name in names:
                raise ValidationError(_("Two levels are called %(name)s.") % {"name": form.cleaned_data["name"]})
            ranks.add(rank)
            names.add(name)


LevelFormSet = forms.modelformset_factory(
    CertificationLevel, form=CertificationLevelForm, formset=BaseLevelFormSet, extra=1, can_delete=True
)
