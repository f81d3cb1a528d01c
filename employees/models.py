"""Employee lists (tenant schema). No national identity numbers, ever."""

from __future__ import annotations

from uuid import uuid4

import pghistory
import pgtrigger
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Department, Location

# ImportStatus is imported from here by callers; migration 0002 names import_upload_to here.
from core.imports import ImportStatus, UploadedImport, import_upload_to  # noqa: F401
from core.models import user_fk
from employees.cleaning import validate_e164


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


class Language(models.TextChoices):
    NB = "nb", "Norsk bokmål"
    EN = "en", "English"


def _recount(company_ids: str) -> str:
    """Trigger body: set companies_company.employee_count for the companies in
    `company_ids` (a SELECT over the statement's transition tables)."""
    # Built once, at import, from constants of this module: not user input.
    return f"""
        UPDATE companies_company AS c SET employee_count = counted.n
        FROM (
            SELECT ids.company_id, count(e.id) AS n
            FROM (SELECT DISTINCT company_id FROM ({company_ids}) AS touched) AS ids
            LEFT JOIN employees_employee AS e ON e.company_id = ids.company_id AND e.status <> '{EmployeeStatus.LEFT}'
            GROUP BY ids.company_id
        ) AS counted
        WHERE c.id = counted.company_id AND c.employee_count <> counted.n;
        RETURN NULL;
    """  # noqa: S608


# Statement-level history triggers: one INSERT into the event table per
# statement (from its transition table) instead of a trigger call per row,
# with the same one event row per changed employee. An import of 20,000
# employees writes its history in ~0.2 s instead of ~0.7 s.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    level=pghistory.Statement,
)
class Employee(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="employees")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("work e-mail"), blank=True)
    mobile = models.CharField(
        _("mobile number"),
        max_length=16,
        blank=True,
        validators=[validate_e164],
        help_text=_("E.164, e.g. +4791234567"),
    )
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    location = models.ForeignKey(
        Location, verbose_name=_("location"), null=True, blank=True, on_delete=models.SET_NULL, related_name="employees"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    status = models.CharField(_("status"), max_length=10, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    leave_from = models.DateField(_("on leave from"), null=True, blank=True)
    leave_until = models.DateField(_("on leave until"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.NB
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "employee_number"],
                condition=~models.Q(employee_number=""),
                name="unique_employee_number_per_company",
            )
        ]
        indexes = [models.Index(fields=["company", "last_name", "first_name"], name="employee_list_order")]
        # companies.Company.employee_count: recounted per statement for the companies it touched, so
        # set-based imports, bulk writes and deletes all keep it right (one count per company, not per row).
        triggers = [
            pgtrigger.Trigger(
                name="employee_count_insert",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                referencing=pgtrigger.Referencing(new="new_values"),
                func=_recount("SELECT company_id FROM new_values"),
            ),
            pgtrigger.Trigger(
                name="employee_count_update",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                referencing=pgtrigger.Referencing(old="old_values", new="new_values"),
                func=_recount("SELECT company_id FROM new_values UNION SELECT company_id FROM old_values"),
            ),
            pgtrigger.Trigger(
                name="employee_count_delete",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Delete,
                referencing=pgtrigger.Referencing(old="old_values"),
                func=_recount("SELECT company_id FROM old_values"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        errors = {}
        if self.location_id and self.location.company_id != self.company_id:
            errors["location"] = _("Choose one of this company's locations.")
        if self.department_id and self.department.company_id != self.company_id:
            errors["department"] = _("Choose one of this company's departments.")
        if self.start_date and self.end_date and self.start_date > self.end_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.leave_from and self.leave_until and self.leave_from > self.leave_until:
            errors["leave_until"] = _("The leave cannot end before it starts.")
        if (
            self.employee_number
            and self.company_id
            and Employee.objects.filter(company_id=self.company_id, employee_number=self.employee_number)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["employee_number"] = _("Another employee of this company already has this employee number.")
        if errors:
            raise ValidationError(errors)


class EmployeeImport(UploadedImport):
    """One upload of an employee list, from preview to result (the steps
    and the shared fields are core.imports').

    The uploaded file is deleted once the import is done; the counts and
    errors stay as a record of what happened.
    """

    COUNTS = ("added", "updated", "unchanged", "left")
    run_task = "employees.tasks.run_employee_import"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="employee_imports")
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # Column index (as a string) -> field name; unmapped columns are ignored.
    mapping = models.JSONField(default=dict, blank=True)
    full_list = models.BooleanField(_("the file is the full list"), default=False)
    create_missing = models.BooleanField(_("create missing locations and departments"), default=False)
    # What the import does (or did); `preview` holds samples of each, with the changes, and warnings.
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)


class EmployeeImportPlan(models.Model):
    """What a previewed import without errors will write
    (`employees.importing.pack_plan`), and a fingerprint of what that plan
    was worked out against (`plan_fingerprint`: the company's employees,
    locations and departments, the options and the day). Confirming it
    writes this plan if the fingerprint is still the same, so the file is
    neither read nor compared again; otherwise the import reads the file and
    compares it with the list as it is then. Personal data: deleted with the
    uploaded file when the import finishes, and with the import when an
    unconfirmed one is purged."""

    employee_import = models.OneToOneField(
        EmployeeImport, on_delete=models.CASCADE, primary_key=True, related_name="kept_plan"
    )
    packed = models.BinaryField()
    fingerprint = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"plan of import {self.pk}"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def export_upload_to(instance: EmployeeExport, filename: str) -> str:
    # The schema keeps PTAs' files apart; the random name says nothing about the company.
    return f"exports/{connection.schema_name}/{instance.uuid.hex}.{instance.format}"


class EmployeeExport(models.Model):
    """An employee list too large to write in a web request, written by the
    Celery worker (employees.exporting) while the page polls the row. The file
    is personal data: it is deleted with the row a day later
    (employees.tasks.purge_stale_employee_exports)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="employee_exports")
    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    file = models.FileField(upload_to=export_upload_to, blank=True, max_length=200)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_by = user_fk(_("exported by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"export {self.pk} of company {self.company_id} ({self.format})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.processed / self.total)) if self.total else 0
