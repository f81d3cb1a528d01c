from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.imports import IMPORT_EXTENSIONS, validate_import_upload
from employees.cleaning import normalise_email, normalise_mobile, validate_not_national_id
from employees.importing import FIELD_LABELS, mapping_problems
from employees.models import Employee, EmployeeStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class EmployeeForm(forms.ModelForm):
    """Pass an instance that has its company set (also for a new employee):
    the model's rules compare location, department and employee number with it."""

    class Meta:
        model = Employee
        fields = [
            "first_name",
            "last_name",
            "email",
            "mobile",
            "employee_number",
            "location",
            "department",
            "start_date",
            "end_date",
            "preferred_language",
        ]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        company = self.instance.company
        self.fields["location"].queryset = company.locations.all()
        self.fields["department"].queryset = company.departments.all()
        self.fields["mobile"].help_text = _("Norwegian numbers may be written without +47, e.g. 912 34 567.")
        self.fields["mobile"].widget.input_type = "tel"
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean_mobile(self) -> str:
        return normalise_mobile(self.cleaned_data["mobile"])

    def clean_employee_number(self) -> str:
        value = self.cleaned_data["employee_number"].strip()
        validate_not_national_id(value)
        return value


class EmployeeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=EmployeeStatus.choices)
    end_date = forms.DateField(
        label=_("Last working day"), required=False, widget=DateInput(), help_text=_("For leavers; today if empty.")
    )
    leave_from = forms.DateField(
        label=_("On leave from"), required=False, widget=DateInput(), help_text=_("Today if empty.")
    )
    leave_until = forms.DateField(label=_("On leave until"), required=False, widget=DateInput())


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV file (comma, semicolon or tab separated; UTF-8 or Windows-1252) or an Excel workbook (.xlsx), "
            "with the column names in the first row. At most 20 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_EXTENSIONS)}),
    )
    full_list = forms.BooleanField(
        label=_("The file is the full list: mark employees who are not in it as left"), required=False
    )
    create_missing = forms.BooleanField(
        label=_("Create locations and departments that do not exist yet"), required=False
    )

    def clean_file(self):
        return validate_import_upload(self.cleaned_data["file"])


class ColumnMappingForm(forms.Form):
    """One choice per column of the file: which employee field it holds, or ignore it."""

    full_list = ImportUploadForm.base_fields["full_list"]
    create_missing = ImportUploadForm.base_fields["create_missing"]

    def __init__(self, *args, columns: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Ignore this column")), *FIELD_LABELS.items()]
        self.columns = columns
        for column in columns:
            if column["national_id"]:
                continue
            self.fields[f"column_{column['index']}"] = forms.ChoiceField(
                label=column["header"] or _("Column %(n)s") % {"n": column["index"] + 1},
                choices=choices,
                required=False,
                initial=column["field"],
            )
        # Show the options after the columns.
        self.order_fields([name for name in self.fields if name.startswith("column_")])

    def mapping(self) -> dict[int, str]:
        return {
            int(name.removeprefix("column_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("column_") and value
        }

    def clean(self):
        cleaned = super().clean()
        seen: dict[str, str] = {}
        for name, value in list(cleaned.items()):
            if not name.startswith("column_") or not value:
                continue
            if value in seen:
                self.add_error(
                    name,
                    _("“%(field)s” is already chosen for column “%(other)s”.")
                    % {"field": FIELD_LABELS[value], "other": self.fields[seen[value]].label},
                )
            seen.setdefault(value, name)
        for problem in mapping_problems(set(seen)):
            self.add_error(None, problem)
        return cleaned
