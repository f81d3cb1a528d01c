"""The public schema: PTAs (tenants), their domains, users, memberships and
invitations, and the per-region aggregates the national site reads.

Nothing here holds personal data of employees; the national site only ever
reads RegionStats and its own catalogue (NationalProduct), which every PTA's
schema reads too (the public schema is on each tenant's search path).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pgtrigger
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

from core.validators import (
    format_phone,
    validate_bank_account,
    validate_brand_colour,
    validate_orgnr,
    validate_phone_e164,
)


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
    # Shown to the companies an adviser is responsible for (Min side); E.164, cleaned by core.validators.
    phone = models.CharField(
        _("phone number"),
        max_length=16,
        blank=True,
        validators=[validate_phone_e164],
        help_text=_("For example 912 34 567 or +46 70 123 45 67."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def name_with_email(self) -> str:
        """The name with the address, as in Kari Nordmann (kari@example.no), or the address alone
        for someone who gave no name: for lists where two people may share a name (users, admins)."""
        name = self.get_full_name()
        return f"{name} ({self.email})" if name else self.email

    @property
    def phone_display(self) -> str:
        """The phone number as people read it, e.g. +47 912 34 567."""
        return format_phone(self.phone)


SLUG_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9]{1,29}$",
    _("Use 2–30 lower-case letters a–z and digits, starting with a letter."),
)


class County(models.TextChoices):
    """Norway's counties from 1 January 2024, stored by their county number
    (Statistics Norway's classification). The names are official names, the
    same in every language, so they are not translated."""

    AGDER = "42", "Agder"
    AKERSHUS = "32", "Akershus"
    BUSKERUD = "33", "Buskerud"
    FINNMARK = "56", "Finnmark – Finnmárku – Finmarkku"
    INNLANDET = "34", "Innlandet"
    MORE_OG_ROMSDAL = "15", "Møre og Romsdal"
    NORDLAND = "18", "Nordland"
    OSLO = "03", "Oslo"
    ROGALAND = "11", "Rogaland"
    TELEMARK = "40", "Telemark"
    TROMS = "55", "Troms – Romsa – Tromssa"
    TRONDELAG = "50", "Trøndelag – Trööndelage"
    VESTFOLD = "39", "Vestfold"
    VESTLAND = "46", "Vestland"
    OSTFOLD = "31", "Østfold"


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
    county = models.CharField(_("county"), max_length=2, blank=True, choices=County.choices)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1f4e79", validators=[validate_brand_colour]
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    # Issuer details for invoices.
    bank_account = models.CharField(_("bank account"), max_length=11, blank=True, validators=[validate_bank_account])
    vat_registered = models.BooleanField(_("registered for VAT"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    target_share = models.DecimalField(
        _("share of the national targets (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("The region's part of the 2027 targets, e.g. 10 for a tenth."),
    )
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
    active_tickets = models.PositiveIntegerField(default=0)
    # Activities of the calendar year (Europe/Oslo) of `refreshed_at`.
    activities_done = models.PositiveIntegerField(default=0)
    activities_planned = models.PositiveIntegerField(default=0)
    members_behind = models.PositiveIntegerField(default=0)
    # Car share (drivers' share of weekly commuting trips) of the member companies measured
    # twice (a baseline and a later follow-up, each of at least 5 responses): their weighted
    # shares, and how many of them met the target (10 % relative or 5 points less).
    companies_measured = models.PositiveIntegerField(default=0)
    companies_reduced = models.PositiveIntegerField(default=0)
    car_share_baseline = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    car_share_followup = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"stats for {self.tenant}"


class RegionMonth(models.Model):
    """A PTA's month-end figures for the national trend (written with RegionStats)."""

    tenant = models.ForeignKey(Pta, on_delete=models.CASCADE, related_name="months")
    month = models.DateField(help_text="The first day of the month.")
    member_companies = models.PositiveIntegerField(default=0)
    employees = models.PositiveIntegerField(default=0)
    active_tickets = models.PositiveIntegerField(default=0)
    activities_done = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["tenant", "month"]
        constraints = [models.UniqueConstraint(fields=["tenant", "month"], name="region_month_once")]

    def __str__(self) -> str:
        return f"{self.tenant} {self.month:%Y-%m}"


class RegionCompany(models.Model):
    """A company of a PTA as the national site sees it, to recognise a national
    company (one organisation number in several PTAs) and show its footprint.
    A company's identity (organisation number, name) is public business data;
    the figures are aggregates, empty (suppressed) under 5. `terms` are the
    agreement's base-package products and the employer's subsidies, by the
    national product's code, for another region to copy."""

    tenant = models.ForeignKey(Pta, on_delete=models.CASCADE, related_name="region_companies")
    org_number = models.CharField(max_length=9, db_index=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20)
    employees = models.PositiveIntegerField(null=True)
    active_tickets = models.PositiveIntegerField(null=True)
    responses = models.PositiveIntegerField(null=True)
    car_share = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    activities_done = models.PositiveIntegerField(default=0)
    terms = models.JSONField(default=list)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["org_number", "tenant"]
        constraints = [models.UniqueConstraint(fields=["tenant", "org_number"], name="region_company_once")]

    def __str__(self) -> str:
        return f"{self.org_number} in {self.tenant}"


class Handover(models.Model):
    """A signed hand-over of a signed-in user from one PTA's host to another's
    (tenants.handover): short-lived, for one user and one target PTA, used once."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Pta, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Pta, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"hand-over {self.pk} to {self.target}"


class RefreshRequest(models.Model):
    """The coordinator's "refresh now" on the national dashboard: one row per
    request, done when every active region has refreshed after it."""

    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"refresh requested {self.requested_at:%Y-%m-%d %H:%M}"


class ProductUnit(models.TextChoices):
    """What a product's price is per. The tickets app prices PTA products in these units."""

    PER_EMPLOYEE_MONTH = "employee_month", _("per employee per month")
    PER_TICKET_MONTH = "ticket_month", _("per ticket per month")
    PER_EVENT = "event", _("per event")
    ONE_OFF = "one_off", _("one-off")


class VatRate(Decimal, models.Choices):
    """Norwegian VAT rates a product can carry (merverdiavgiftsloven § 5-3 for passenger transport)."""

    GENERAL = "25.00", _("25 % (services)")
    PASSENGER_TRANSPORT = "12.00", _("12 % (passenger transport)")
    EXEMPT = "0.00", _("0 % (exempt)")


class NationalProduct(models.Model):
    """One product of the national base package (grunnpakke), the same in every region.

    The national coordinator owns the list (the national site); each PTA adopts it
    into its own catalogue (tickets.Product, which refers to a row here). A product
    is retired, never deleted: PTAs' agreements keep referring to it.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("A short, stable key, e.g. bike_check."))
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    # What a PTA's product starts with when the PTA adopts this one; the PTA may change both.
    unit = models.CharField(_("unit"), max_length=20, choices=ProductUnit.choices, default=ProductUnit.PER_EVENT)
    vat_rate = models.DecimalField(
        _("VAT rate"), max_digits=4, decimal_places=2, choices=VatRate.choices, default=VatRate.GENERAL
    )
    position = models.PositiveSmallIntegerField(_("position in the list"), default=0)
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Untick to retire the product: PTAs can no longer adopt it.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("national product")
        verbose_name_plural = _("national base package")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class NationalQuestionnaire(models.Model):
    """One version of the national standard travel-habit question set (RVU).

    The national coordinator owns it (the national site); each PTA builds its
    questionnaire on a published version (surveys.Questionnaire) and may add
    local questions. `questions` is the list tenants.question_sets validates.
    A published version is never changed (a database trigger refuses it): a
    change is a new version.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    questions = models.JSONField(_("questions"))
    notes = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("national question set")
        verbose_name_plural = _("national question sets")
        triggers = [
            pgtrigger.Protect(
                name="published_question_set_is_final",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"national question set v{self.version}"


class RegionSurveyFigures(models.Model):
    """A PTA's travel-habit survey figures for the national site, per kind of
    round (baseline or follow-up, the latest round of each company): counts
    and sums only, written by reporting.services in the PTA's schema. A
    region with fewer than 5 responses of a kind has no row."""

    tenant = models.ForeignKey(Pta, on_delete=models.CASCADE, related_name="survey_figures")
    kind = models.CharField(max_length=10)
    companies = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    # Weekly commuting trips (commuting days, summed), in all and by main mode.
    trips = models.DecimalField(max_digits=12, decimal_places=1, default=0)
    trips_by_mode = models.JSONField(default=dict)
    responses_by_distance_band = models.JSONField(default=dict)
    home_office_days = models.DecimalField(max_digits=12, decimal_places=1, default=0)
    willing_to_switch = models.PositiveIntegerField(default=0)
    car_drivers = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "kind"], name="region_survey_figures_once")]

    def __str__(self) -> str:
        return f"survey figures {self.kind} for {self.tenant}"


class FactorBasis(models.TextChoices):
    TAILPIPE = "tailpipe", _("Tailpipe (direct emissions)")
    LIFECYCLE = "lifecycle", _("Life cycle (well to wheel)")


class EmissionFactor(models.Model):
    """One row of the national emission factor table, in g CO2e per passenger-km for
    one survey mode (surveys.models.Mode codes) and the years it is valid for. The
    coordinator owns the table (the national site); tenants.factors checks it as a
    whole (every mode, no negative value, no overlapping years, one basis). A PTA
    may override a row for its region (reporting.EmissionFactorOverride)."""

    mode = models.CharField(_("mode"), max_length=20)
    grams_per_pkm = models.DecimalField(_("g CO2e per passenger-km"), max_digits=7, decimal_places=2)
    valid_from = models.PositiveSmallIntegerField(_("valid from (year)"))
    valid_until = models.PositiveSmallIntegerField(_("valid until (year)"), null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=10, choices=FactorBasis.choices, default=FactorBasis.TAILPIPE)
    source = models.CharField(_("source"), max_length=300)
    source_year = models.PositiveSmallIntegerField(_("year of the figure"))
    norwegian = models.BooleanField(_("a published Norwegian figure"), default=True)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("Where no Norwegian figure exists: the substitute used.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["mode", "valid_from"]
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        constraints = [
            models.CheckConstraint(condition=models.Q(grams_per_pkm__gte=0), name="emission_factor_not_negative"),
            models.UniqueConstraint(fields=["mode", "valid_from"], name="emission_factor_once_per_mode_and_year"),
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.grams_per_pkm} g/pkm from {self.valid_from}"
