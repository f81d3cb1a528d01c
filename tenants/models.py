"""The public schema: PTAs (tenants), their domains, users, memberships and
invitations, and the per-region aggregates the national site reads.

Nothing here holds personal data of employees; the national site only ever
reads RegionStats.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from core.validators import validate_bank_account, validate_brand_colour, validate_orgnr


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("The e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """One login per person across every PTA; the e-mail address is the username."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.get_full_name() or self.email


SLUG_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9]{1,29}$",
    _("Use 2–30 lower-case letters a–z and digits, starting with a letter."),
)


class PtaQuerySet(models.QuerySet):
    def regions(self):
        """The PTAs themselves, without the national site's row."""
        return self.exclude(schema_name=get_public_schema_name())

    def national(self):
        return self.filter(schema_name=get_public_schema_name())


class Pta(TenantMixin):
    """A public transport authority. Each one owns a PostgreSQL schema.

    The public schema itself is represented by one row with schema_name
    'public' (the national site), as django-tenants requires.
    """

    name = models.CharField(_("name"), max_length=120)
    slug = models.CharField(_("short name"), max_length=30, unique=True, validators=[SLUG_VALIDATOR])
    org_number = models.CharField(_("organisation number"), max_length=9, blank=True, validators=[validate_orgnr])
    county = models.CharField(_("county"), max_length=80, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1f4e79", validators=[validate_brand_colour]
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    # Issuer details for invoices.
    bank_account = models.CharField(_("bank account"), max_length=11, blank=True, validators=[validate_bank_account])
    vat_registered = models.BooleanField(_("registered for VAT"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    objects = PtaQuerySet.as_manager()

    class Meta:
        verbose_name = _("PTA")
        verbose_name_plural = _("PTAs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.schema_name == get_public_schema_name()


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")


class Role(models.TextChoices):
    PTA_ADMIN = "pta_admin", _("PTA administrator")
    ADVISER = "adviser", _("Business adviser")
    CONTACT = "contact", _("Company contact person")
    COORDINATOR = "coordinator", _("National coordinator")


STAFF_ROLES = frozenset({Role.PTA_ADMIN, Role.ADVISER, Role.COORDINATOR})


class Membership(models.Model):
    """Gives a user one role in one tenant.

    Contact persons are limited to named companies; that list lives in the
    tenant's own schema (companies.ContactPerson), since companies are
    tenant data. The coordinator role belongs to the national (public) tenant.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Pta, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="one_membership_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.tenant})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An expiring, single-use e-mail invitation. Only a hash of the token is stored."""

    email = models.EmailField(_("e-mail address"))
    tenant = models.ForeignKey(Pta, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # For contact persons: ids of companies in the tenant's schema.
    company_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # For contact persons: the rights they get on those companies.
    contact_rights = models.JSONField(default=dict, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class RegionStats(models.Model):
    """Aggregates per PTA, refreshed by a periodic task in each tenant.

    The national dashboard reads only this table: counts, never people.
    """

    tenant = models.OneToOneField(Pta, on_delete=models.CASCADE, related_name="stats")
    companies = models.PositiveIntegerField(default=0)
    member_companies = models.PositiveIntegerField(default=0)
    employees = models.PositiveIntegerField(default=0)
    contact_persons = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"stats for {self.tenant}"
