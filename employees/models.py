"""Employee lists (tenant schema). No national identity numbers, ever."""

from __future__ import annotations

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Department, Location


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


class Language(models.TextChoices):
    NB = "nb", "Norsk bokmål"
    EN = "en", "English"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Employee(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="employees")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("work e-mail"), blank=True)
    mobile = models.CharField(_("mobile number"), max_length=16, blank=True, help_text=_("E.164, e.g. +4791234567"))
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

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
