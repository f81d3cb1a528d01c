"""The PTA's own figures over time (tenant schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import user_fk


class MonthlyFigures(models.Model):
    """Member companies and the employees on their lists, once a month, for
    the trend on "I dag" (reporting.services.monthly_figures_record).

    A month's row is brought up to date every hour while the month lasts,
    so once it is over the row holds its month-end figures. Months before
    the first recording are reconstructed once from dated facts
    (`reconstructed`), which count employment dates rather than the lists."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    member_companies = models.PositiveIntegerField(_("member companies"))
    employees = models.PositiveIntegerField(_("employees at member companies"))
    reconstructed = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month"]
        verbose_name = _("monthly figures")
        verbose_name_plural = _("monthly figures")

    def __str__(self) -> str:
        return f"figures for {self.month:%Y-%m}"


class EmissionFactorOverride(models.Model):
    """The PTA's own factor for one mode in its region (e.g. an all-electric city bus
    fleet), in place of the national row (tenants.EmissionFactor) for those years."""

    mode = models.CharField(_("mode"), max_length=20)
    grams_per_pkm = models.DecimalField(_("g CO2e per passenger-km"), max_digits=7, decimal_places=2)
    valid_from = models.PositiveSmallIntegerField(_("valid from (year)"))
    valid_until = models.PositiveSmallIntegerField(_("valid until (year)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = user_fk(_("changed by"), null=True, blank=True)

    class Meta:
        ordering = ["mode", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(grams_per_pkm__gte=0), name="override_not_negative"),
            models.UniqueConstraint(fields=["mode", "valid_from"], name="override_once_per_mode_and_year"),
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.grams_per_pkm} g/pkm from {self.valid_from} (regional)"


class ReportState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ClimateReport(models.Model):
    """One climate report of a company, made by the worker: its state and progress for
    the page, the figures it printed (JSON, also the CSV/JSON export), where the factors
    came from, and the PDF, stored in the company's documents."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="climate_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    figures = models.JSONField(default=dict, blank=True)
    factor_source = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=500, blank=True)
    document = models.ForeignKey(
        "companies.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = user_fk(_("requested by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("climate report")
        verbose_name_plural = _("climate reports")

    def __str__(self) -> str:
        return f"climate report {self.pk} of company {self.company_id}"


class CertificationLevel(models.Model):
    """A level of the PTA's certification (e.g. bronze, silver, gold): a company reaches it
    when its latest rounds meet every threshold. Higher `rank` is the better level."""

    name = models.CharField(_("name"), max_length=40)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    min_response_rate = models.DecimalField(_("response rate at least (%)"), max_digits=5, decimal_places=1)
    min_car_share_reduction = models.DecimalField(
        _("car share down at least (percentage points)"), max_digits=5, decimal_places=1
    )
    min_sustainable_share = models.DecimalField(_("sustainable share at least (%)"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("certification level")
        verbose_name_plural = _("certification levels")

    def __str__(self) -> str:
        return self.name
