from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from core.validators import normalise_phone
from tenants.models import County, NationalProduct, Pta, Role, User


class PtaCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.CharField(
        label=_("Short name"), max_length=30, help_text=_("Lower-case letters and digits; also the schema name.")
    )
    domain = forms.CharField(label=_("Host name"), max_length=253, help_text=_("For example kolumbus.example.no"))
    org_number = forms.CharField(label=_("Organisation number"), max_length=11, required=False)
    county = forms.ChoiceField(label=_("County"), choices=[("", "–"), *County.choices], required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    brand_colour = forms.CharField(
        label=_("Brand colour"), max_length=7, initial="#1f4e79", widget=forms.TextInput(attrs={"type": "color"})
    )
    bank_account = forms.CharField(label=_("Bank account"), max_length=13, required=False)
    vat_registered = forms.BooleanField(label=_("Registered for VAT"), required=False, initial=True)

    def clean_org_number(self) -> str:
        return self.cleaned_data["org_number"].replace(" ", "")

    def clean_bank_account(self) -> str:
        return self.cleaned_data["bank_account"].replace(" ", "").replace(".", "")


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"))
    companies = forms.MultipleChoiceField(
        label=_("Companies (for contact persons)"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, roles: list[str], companies: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        if companies:
            self.fields["companies"].choices = companies
        else:
            del self.fields["companies"]

    def clean_companies(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("companies", [])]


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    password2 = forms.CharField(
        label=_("Repeat password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            from tenants.models import User

            try:
                candidate = User(
                    email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
                )
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LookForm(forms.Form):
    brand_colour = forms.CharField(
        label=_("Brand colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("The header background behind white text; it must reach a contrast of 4.5:1."),
    )
    logo = forms.ImageField(
        label=_("Logo"), required=False, help_text=_("PNG or JPEG, at most 1 MB. Shown at 32 pixels height.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)


class NationalProductForm(forms.ModelForm):
    """A product of the national base package; its code is fixed once created (PTAs' data refer to it)."""

    class Meta:
        model = NationalProduct
        fields = ["code", "name", "description", "unit", "vat_rate", "position", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]


class ContactDetailsForm(forms.ModelForm):
    """The signed-in user's own name and phone number (the e-mail address is the login: not here)."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


class TargetShareForm(forms.ModelForm):
    class Meta:
        model = Pta
        fields = ["target_share"]
