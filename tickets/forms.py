"""Parsing and cleaning only: the services validate the rules (overlaps, C <= P, S <= C) and write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from employees.models import Employee
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


class MonthField(forms.DateField):
    """A month as `<input type="month">` sends it (YYYY-MM), cleaned to its 1st."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, e.g. 2026-09.")}


class _EmployeeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        name = f"{obj.last_name}, {obj.first_name}"
        return f"{name} ({obj.employee_number})" if obj.employee_number else name


class TicketForm(forms.Form):
    """A new corporate ticket of one of the company's employees.

    The lists offer `candidates` (the employees who may have one; the view passes
    a search's first few hundred) and the ticket types still offered, but accept
    any employee of the company and any ticket type, so that what has changed
    since the page was shown (an employee who left, a type no longer offered, a
    ticket given meanwhile) is refused by tickets.services.ticket_create with why."""

    employee = _EmployeeChoice(label=_("Employee"), queryset=Employee.objects.none())
    ticket_type = forms.ModelChoiceField(label=_("Ticket type"), queryset=TicketType.objects.all())
    zones = forms.CharField(
        label=_("Zones"), max_length=200, required=False, help_text=_("Leave empty for the ticket type's zones.")
    )
    starts = MonthField(label=_("First month"), help_text=_("Next month at the earliest."))

    def __init__(self, *args, company: Company, candidates: list[Employee], first_month: date, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("starts", first_month)
        if len(candidates) == 1:
            kwargs["initial"].setdefault("employee", candidates[0].pk)
        super().__init__(*args, **kwargs)
        employee = self.fields["employee"]
        employee.queryset = Employee.objects.filter(company=company)
        employee.widget.choices = [("", employee.empty_label)] + [
            (candidate.pk, employee.label_from_instance(candidate)) for candidate in candidates
        ]
        self.fields["ticket_type"].widget.choices = [("", self.fields["ticket_type"].empty_label)] + [
            (ticket_type.pk, str(ticket_type)) for ticket_type in _offered(TicketType.objects.active())
        ]
        self.fields["starts"].widget.attrs["min"] = f"{first_month:%Y-%m}"


def _offered(ticket_types: QuerySet[TicketType]) -> list[TicketType]:
    return list(ticket_types.only("pk", "name").order_by("name"))
