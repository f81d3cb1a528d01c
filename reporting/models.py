"""The PTA's own figures over time (tenant schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
