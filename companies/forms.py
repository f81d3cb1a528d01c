from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.no import orgnr

from companies.models import Agreement, Company, CompanySize, CompanyStatus, Location
from core.imports import IMPORT_EXTENSIONS, validate_import_upload
from tenants.models import Membership, Role


def adviser_choices(tenant) -> list[tuple[int, str]]:
    memberships = Membership.objects.filter(tenant=tenant, role__in=[Role.ADVISER, Role.PTA_ADMIN]).select_related(
        "user"
    )
    return [(m.user_id, m.user.get_full_name() or m.user.email) for m in memberships.order_by("user__email")]


class CompanyForm(forms.ModelForm):
    # Wider than the stored 9 digits: people type "986 105 174".
    org_number = forms.CharField(label=_("Organisation number"), max_length=15)
    adviser = forms.TypedChoiceField(label=_("Responsible adviser"), coerce=int, required=False, empty_value=None)

    class Meta:
        model = Company
        fields = [
            "org_number",
            "name",
            "postal_address",
            "postcode",
            "municipality",
            "industry",
            "finance_sector",
            "employer_zone",
            "size",
            "status",
        ]

    def __init__(self, *args, tenant, creator_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = adviser_choices(tenant)
        self.fields["adviser"].choices = [("", "–")] + choices
        if self.instance.pk:
            self.fields["adviser"].initial = self.instance.adviser_id
            del self.fields["status"]  # changed through its own form, which keeps the dates
        elif creator_id in {user_id for user_id, _label in choices}:
            self.fields["adviser"].initial = creator_id  # the adviser who registers it, unless they choose another

    def clean_org_number(self) -> str:
        return orgnr.compact(self.cleaned_data["org_number"])

    def clean_adviser(self):
        return self.cleaned_data.get("adviser")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=CompanyStatus.choices)
    changed_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "start_date",
            "end_date",
            "terms_document",
            "invoice_reference",
            "invoice_email",
            "ehf_address",
            "invoice_grouping",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["terms_document"].queryset = company.documents.all()

    def clean_ehf_address(self) -> str:
        value = self.cleaned_data["ehf_address"].replace(" ", "")
        if value:
            scheme, _sep, number = value.partition(":")
            if scheme != "0192" or not orgnr.is_valid(number):
                raise forms.ValidationError(_("An EHF address is 0192: followed by a valid organisation number."))
        return value


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "address", "postcode", "municipality"]


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Department"), max_length=120)


class RightsForm(forms.Form):
    can_edit_employees = forms.BooleanField(label=_("May edit the employee list"), required=False, initial=True)
    can_approve_tickets = forms.BooleanField(label=_("May approve ticket applications"), required=False, initial=True)
    can_see_invoices = forms.BooleanField(label=_("May see invoices"), required=False, initial=True)


class ContactInviteForm(RightsForm):
    email = forms.EmailField(label=_("E-mail address"))
    field_order = ["email"]


class FileForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Columns: organisation number, name, address, municipality, industry."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_EXTENSIONS)}),
    )

    def clean_file(self):
        return validate_import_upload(self.cleaned_data["file"])


class CompanyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search name or organisation number"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + CompanyStatus.choices)
    adviser = forms.TypedChoiceField(label=_("Adviser"), required=False, coerce=int, empty_value=None)
    municipality = forms.CharField(label=_("Municipality"), required=False)
    size = forms.ChoiceField(label=_("Size"), required=False, choices=[("", _("All"))] + CompanySize.choices)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["adviser"].choices = [("", _("All"))] + adviser_choices(tenant)
