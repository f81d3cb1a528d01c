"""Client companies of a PTA (tenant schema)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.validators import validate_orgnr


class CompanyStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    MEMBER = "member", _("Member")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class CompanyQuerySet(models.QuerySet):
    def for_contact(self, user):
        return self.filter(contact_persons__user=user)


class Company(models.Model):
    org_number = models.CharField(_("organisation number"), max_length=9, unique=True, validators=[validate_orgnr])
    name = models.CharField(_("name"), max_length=200)
    postal_address = models.CharField(_("postal address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    municipality = models.CharField(_("municipality"), max_length=80, blank=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CompanyStatus.choices, default=CompanyStatus.PROSPECT)
    status_changed_on = models.DateField(_("status changed"), null=True, blank=True)
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible adviser"),
        null=True,
        blank=True,
        # Users live in the public schema: no cross-schema constraint, and no
        # cascade (Django would look for this table from the public schema).
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactPerson(models.Model):
    """Limits a contact person's membership to named companies, with rights per company."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contact_persons")
    can_edit_employees = models.BooleanField(_("may edit the employee list"), default=True)
    can_approve_tickets = models.BooleanField(_("may approve ticket applications"), default=True)
    can_see_invoices = models.BooleanField(_("may see invoices"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="one_contact_row_per_company")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.company}"
