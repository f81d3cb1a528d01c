"""A PTA's catalogue (tenant schema): its products, with price periods; its
corporate ticket types, with theirs; and the products of each company's
agreement, with the employer's subsidy.

Products of the national base package refer to the national row they were
adopted from (tenants.NationalProduct, in the public schema, which is on every
tenant's search path); local add-ons refer to none.

A price period runs from valid_from to valid_to, both days included (no
valid_to: until further notice). A price change is a new period, so a month
already billed or reported keeps the price it had. Two periods of one product
(or ticket type) never overlap, and the database says so: an exclusion
constraint over (the owner's id as a one-value int8range WITH =, the period as
a daterange WITH &&). Both use PostgreSQL's built-in GiST operator class for
ranges, so no btree_gist is needed: the embedded PostgreSQL (the pgserver
wheel) ships no contrib extensions, and in a schema per tenant an extension
created by a tenant migration would land in the first tenant's schema only.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

import pghistory
import pgtrigger
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField, DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.crypto import salted_hmac
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.models import user_fk
from core.validators import validate_phone_e164
from tenants.models import ProductUnit, VatRate
from tickets import rules


def _owner_range(field: str) -> Func:
    """The owner's id as a range of one value, so that GiST can compare it with = (no btree_gist)."""
    return Func(F(field), F(field), Value("[]"), function="int8range", output_field=BigIntegerRangeField())


def _period_range() -> Func:
    return Func(F("valid_from"), F("valid_to"), Value("[]"), function="daterange", output_field=DateRangeField())


def _no_overlap(owner: str, name: str) -> ExclusionConstraint:
    return ExclusionConstraint(
        name=name,
        expressions=[(_owner_range(owner), RangeOperators.EQUAL), (_period_range(), RangeOperators.OVERLAPS)],
        violation_error_message=_("The period overlaps another price period."),
    )


def _ends_after_start(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
        name=name,
        violation_error_message=_("A period cannot end before it starts."),
    )


class PeriodQuerySet(models.QuerySet):
    def on(self, day: date):
        """The periods that cover `day` (at most one per owner)."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class PricePeriod(models.Model):
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to (inclusive)"), null=True, blank=True, help_text=_("Leave empty: until further notice.")
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["valid_from"]

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class OfferedQuerySet(models.QuerySet):
    def active(self):
        """What the PTA still offers (products and ticket types are retired, not deleted)."""
        return self.filter(is_active=True)


class Product(models.Model):
    """One product or service the PTA sells: from the national base package, or a local add-on."""

    national_product = models.ForeignKey(
        "tenants.NationalProduct",
        verbose_name=_("national product"),
        null=True,
        blank=True,
        # The national row is in the public schema: no database constraint and no cascade
        # (as core.models.user_fk); national products are retired, never deleted.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=ProductUnit.choices)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=2, choices=VatRate.choices)
    is_active = models.BooleanField(_("offered"), default=True, help_text=_("Untick to stop offering it."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfferedQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="unique_product_name",
                violation_error_message=_("The PTA already has a product of that name."),
            ),
            models.UniqueConstraint(fields=["national_product"], name="one_product_per_national_product"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_base(self) -> bool:
        """From the national base package (else a local add-on)."""
        return self.national_product_id is not None


class Price(PricePeriod):
    """A product's price (NOK, excluding VAT, per its unit) from valid_from to valid_to."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="prices")
    amount = models.DecimalField(_("price (NOK, excl. VAT)"), max_digits=12, decimal_places=2)

    class Meta(PricePeriod.Meta):
        verbose_name = _("price")
        constraints = [
            _no_overlap("product", "price_periods_do_not_overlap"),
            _ends_after_start("price_period_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.amount} from {self.valid_from}"


class TicketType(models.Model):
    """A corporate ticket the PTA offers: its zones, or a number of zones."""

    name = models.CharField(_("name"), max_length=120)
    zones = models.CharField(
        _("zones"), max_length=200, blank=True, help_text=_("The zones it is valid in, e.g. 1, 2 and 3.")
    )
    zone_count = models.PositiveSmallIntegerField(
        _("number of zones"), null=True, blank=True, help_text=_("For a ticket valid in any given number of zones.")
    )
    is_active = models.BooleanField(_("offered"), default=True, help_text=_("Untick to stop offering it."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfferedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="unique_ticket_type_name",
                violation_error_message=_("The PTA already has a ticket type of that name."),
            ),
            models.CheckConstraint(
                condition=~Q(zones="") | Q(zone_count__isnull=False),
                name="ticket_type_has_zones_or_a_zone_count",
                violation_error_message=_("Give the zones or the number of zones."),
            ),
            models.CheckConstraint(condition=Q(zone_count__gte=1), name="ticket_type_zone_count_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class TicketPrice(PricePeriod):
    """A ticket type's prices per month from valid_from to valid_to (NOK, including VAT, as sold).

    The ordinary price P is the ordinary annual pass price / 12 unless the PTA
    sets its own monthly price; the company price C (with any corporate
    discount) is at most P, and P where it is not set (tickets.rules)."""

    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.CASCADE, related_name="prices"
    )
    annual_price = models.DecimalField(_("ordinary annual pass price (NOK)"), max_digits=12, decimal_places=2)
    monthly_price = models.DecimalField(
        _("ordinary price per month (NOK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty for the annual price divided by 12."),
    )
    company_price = models.DecimalField(
        _("company price per month (NOK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "What the company pays per ticket and month, with any corporate discount. Empty: the ordinary price."
        ),
    )

    class Meta(PricePeriod.Meta):
        verbose_name = _("ticket price")
        constraints = [
            _no_overlap("ticket_type", "ticket_price_periods_do_not_overlap"),
            _ends_after_start("ticket_price_period_ends_after_it_starts"),
            models.CheckConstraint(
                condition=Q(annual_price__gte=0) & Q(monthly_price__gte=0) & Q(company_price__gte=0),
                name="ticket_prices_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(company_price__lte=Coalesce(F("monthly_price"), F("annual_price") / 12)),
                name="company_price_at_most_ordinary",
                violation_error_message=_("The company price cannot be more than the ordinary price."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_type_id}: {self.annual_price} a year from {self.valid_from}"

    @property
    def ordinary(self) -> Decimal:
        """P for a month of this period (exact)."""
        return rules.ordinary_monthly_price(annual_price=self.annual_price, override=self.monthly_price)

    @property
    def company(self) -> Decimal:
        """C for a month of this period (exact)."""
        return self.company_price if self.company_price is not None else self.ordinary


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AgreementProduct(models.Model):
    """A product in a company's agreement, with the employer's subsidy of it: a
    percentage of the company price or a fixed NOK amount per month (or none)."""

    agreement = models.ForeignKey(
        "companies.Agreement", verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="agreement_products"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="agreement_products"
    )
    subsidy_percent = models.DecimalField(
        _("employer subsidy (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    subsidy_amount = models.DecimalField(
        _("employer subsidy (NOK per month)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement product")
        ordering = ["product__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "product"],
                name="product_once_per_agreement",
                violation_error_message=_("The product is already in the agreement."),
            ),
            models.CheckConstraint(
                condition=Q(subsidy_percent__isnull=True) | Q(subsidy_amount__isnull=True),
                name="subsidy_percent_or_amount",
                violation_error_message=_("Give the subsidy as a percentage or as a NOK amount, not both."),
            ),
            models.CheckConstraint(
                condition=Q(subsidy_percent__gte=0, subsidy_percent__lte=100), name="subsidy_percent_0_to_100"
            ),
            models.CheckConstraint(condition=Q(subsidy_amount__gte=0), name="subsidy_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} in agreement {self.agreement_id}"

    @property
    def subsidy(self) -> rules.Subsidy:
        return rules.Subsidy(percent=self.subsidy_percent, amount=self.subsidy_amount)


# --- Corporate tickets ------------------------------------------------------------------------


class TicketState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


#: The states of a ticket that still runs or will: at most one per employee (the database says so).
LIVE_STATES = (TicketState.PENDING, TicketState.ACTIVE, TicketState.PAUSED)


class TicketQuerySet(models.QuerySet):
    def live(self):
        return self.filter(state__in=LIVE_STATES)

    def running_in(self, month: date):
        """Tickets that ran (or run) in `month` (the 1st): started by then and not ended before it."""
        return self.exclude(state__in=[TicketState.PENDING, TicketState.CANCELLED]).filter(
            Q(ends__isnull=True) | Q(ends__gte=month), starts__lte=month
        )

    def travelling_in(self, month: date):
        """Tickets that ran in `month` (the 1st) and were not paused in it: a leave of the employee's
        that covers the whole month pauses it (tickets.rules.is_leave_month, the roll-over's rule),
        read from the leave dates, so an earlier month shows that month. The payroll report's and
        the entitlements' tickets."""
        on_leave = Q(employee__leave_from__lte=month) & (
            Q(employee__leave_until__isnull=True) | Q(employee__leave_until__gte=rules.last_day_of_month(month))
        )
        return self.running_in(month).exclude(on_leave)


# Statement-level history triggers, as employees.Employee: the month roll-over's set-based
# UPDATEs write one INSERT into the event table per statement, with an event per changed ticket.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    level=pghistory.Statement,
)
class Ticket(models.Model):
    """One employee's corporate ticket. Months are whole: `starts` is the 1st of
    the first month, `ends` the 1st of the last (empty: until further notice).

    pending -> active (from `starts`) <-> paused (months of leave) -> ended, or
    pending -> cancelled. The state changes at the month roll-over
    (tickets.services.ticket_rollover); what a person changes takes effect from
    the next month. `company` is the employee's (kept here for scoping)."""

    employee = models.ForeignKey(
        "employees.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="tickets"
    )
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.CASCADE, related_name="tickets"
    )
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, related_name="tickets"
    )
    zones = models.CharField(_("zones"), max_length=200, blank=True)
    # Set from the application (the number the ticket app is on); else the employee list's.
    mobile = models.CharField(_("mobile number"), max_length=16, blank=True, validators=[validate_phone_e164])
    state = models.CharField(_("state"), max_length=10, choices=TicketState.choices, default=TicketState.PENDING)
    starts = models.DateField(_("first month"))
    ends = models.DateField(_("last month"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("corporate ticket")
        verbose_name_plural = _("corporate tickets")
        ordering = ["employee__last_name", "employee__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(state__in=LIVE_STATES),
                name="one_live_ticket_per_employee",
                violation_error_message=_("The employee already has a corporate ticket."),
            ),
            models.CheckConstraint(condition=Q(starts__day=1), name="ticket_starts_on_the_first"),
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | (Q(ends__day=1) & Q(ends__gte=F("starts"))),
                name="ticket_ends_on_a_first_after_it_starts",
                violation_error_message=_("A ticket cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["company", "state"], name="ticket_company_state")]
        triggers = [
            # The company is denormalised for scoping: the database keeps it the employee's.
            pgtrigger.Trigger(
                name="ticket_company_is_the_employees",
                level=pgtrigger.Row,
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("company_id", "employee_id"),
                func="""
                    IF NEW.company_id IS DISTINCT FROM
                       (SELECT company_id FROM employees_employee WHERE id = NEW.employee_id) THEN
                        RAISE EXCEPTION 'ticket % : company is not the employee''s', NEW.id
                            USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"ticket {self.pk} of employee {self.employee_id} ({self.state})"

    @classmethod
    def history_label(cls, data: dict) -> str:
        """What a history row of a ticket is about, from the row as recorded
        (the company's History tab calls this; no query): "Aktiv, fra 01.2027"."""
        state = dict(TicketState.choices).get(data.get("state"), data.get("state") or "")
        starts, ends = (str(data.get(key) or "") for key in ("starts", "ends"))
        period = f"{starts[5:7]}.{starts[:4]}" if starts else ""
        if ends:
            period += f"–{ends[5:7]}.{ends[:4]}"
        return f"{capfirst(state)}, {period}" if period else capfirst(state)

    def clean(self) -> None:
        if self.employee_id and self.company_id and self.employee.company_id != self.company_id:
            raise ValidationError({"employee": _("Choose one of this company's employees.")})

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES


# --- Applications ---------------------------------------------------------------------------


def new_application_key() -> str:
    return secrets.token_urlsafe(16)


class ApplicationSettings(models.Model):
    """A company's application link (its key) and whether an applicant found on
    the employee list is approved without a contact person. Made the first time
    the link is shown; a new key retires the old link."""

    company = models.OneToOneField(
        "companies.Company", on_delete=models.CASCADE, related_name="ticket_application_settings"
    )
    key = models.CharField(max_length=32, unique=True, default=new_application_key)
    auto_approve = models.BooleanField(
        _("approve automatically when the applicant is on the employee list"),
        default=True,
        help_text=_("Matched on work e-mail, or on employee number and name. Others wait for a contact person."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"application settings of company {self.company_id}"


VERIFICATION_SALT = "tickets.application-verification"  # noqa: S105 - an HMAC salt, not a secret


class EmailVerification(models.Model):
    """A one-time link that proves the applicant reads the work e-mail. Only
    the token's SHA-256 is stored; the link works once, before `expires_at`."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["company", "email"], name="verification_company_email")]

    def __str__(self) -> str:
        return f"verification {self.pk} for company {self.company_id}"

    def token(self) -> str:
        """The link's token (the same every time it is asked for). It is not stored: an HMAC of the
        row under the SECRET_KEY (Django's salted_hmac), so the worker can rebuild it for the mail
        and the row keeps only its SHA-256 for the lookup (token_hash)."""
        message = f"{connection.schema_name}:{self.pk}:{self.email}:{self.created_at.isoformat()}"
        return salted_hmac(VERIFICATION_SALT, message, algorithm="sha256").hexdigest()[:40]


class ApplicationStep(models.TextChoices):
    """The e-mails of an application (tickets.notifications), by the step that sends them."""

    SUBMITTED = "submitted", _("Sent")  # to the applicant and to the contact persons who may approve
    APPROVED = "approved", _("Approved")  # to the applicant, and to the contact persons
    REJECTED = "rejected", _("Rejected")  # to the applicant, with the reason, and to the contact persons


class ApplicationState(models.TextChoices):
    WAITING = "waiting", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Application(models.Model):
    """An employee's application for a corporate ticket, as sent from the
    application link. The prices are those shown when the applicant accepted
    the terms. An approved application has its ticket (and its employee, found
    on the list or added to it)."""

    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.CASCADE, related_name="ticket_applications"
    )
    email = models.EmailField(_("work e-mail"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=16, validators=[validate_phone_e164])
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("ticket type"), on_delete=models.PROTECT, related_name="applications"
    )
    zones = models.CharField(_("zones"), max_length=200, blank=True)
    starts = models.DateField(_("first month"))
    ordinary_price = models.DecimalField(max_digits=12, decimal_places=2)
    company_price = models.DecimalField(max_digits=12, decimal_places=2)
    employee_share = models.DecimalField(max_digits=12, decimal_places=2)
    terms_accepted_at = models.DateTimeField()
    state = models.CharField(
        _("state"), max_length=10, choices=ApplicationState.choices, default=ApplicationState.WAITING
    )
    approved_automatically = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = user_fk(_("decided by"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    employee = models.ForeignKey(
        "employees.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket_applications"
    )
    ticket = models.OneToOneField(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="application")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ticket application")
        verbose_name_plural = _("ticket applications")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=Q(state="waiting"),
                name="one_waiting_application_per_email",
                violation_error_message=_("An application from this e-mail address is already waiting."),
            ),
            models.CheckConstraint(condition=Q(starts__day=1), name="application_starts_on_the_first"),
        ]
        indexes = [models.Index(fields=["company", "state"], name="application_company_state")]

    def __str__(self) -> str:
        return f"application {self.pk} ({self.state})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def history_label(cls, data: dict) -> str:
        """What a history row of an application is about, from the row as recorded (no query)."""
        state = dict(ApplicationState.choices).get(data.get("state"), data.get("state") or "")
        name = " ".join(filter(None, (data.get("first_name"), data.get("last_name"))))
        return f"{name}: {state}" if name else str(state)


class ApplicationMail(models.Model):
    """One e-mail of an application's step to one address, recorded as it is
    sent, so a retried task sends only what is missing (as
    companies.NotificationSent, whose recipients are users)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="mails")
    step = models.CharField(max_length=20)
    address = models.EmailField()
    refused = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "step", "address"], name="application_mail_once")]

    def __str__(self) -> str:
        return f"{self.step} of application {self.application_id} to {self.address}"


# --- Payroll reports as reported ------------------------------------------------------------


class PayrollReport(models.Model):
    """A company's payroll report for a month as it was first handed out (the
    rows' figures as strings of exact Decimals), so a month already reported
    keeps its figures when a price, a subsidy or a rule changes later."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="payroll_reports")
    month = models.DateField()
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = user_fk(_("made by"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="payroll_report_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="payroll_report_month_on_the_first"),
        ]

    def __str__(self) -> str:
        return f"payroll report of company {self.company_id} for {self.month:%Y-%m}"


# --- Fulfilment ---------------------------------------------------------------------------------


def new_signing_key() -> str:
    return secrets.token_hex(32)


class FulfilmentSettings(models.Model):
    """How this PTA's ticket system hears of each month's entitlements: the
    backend (settings.TICKET_FULFILMENT_BACKENDS; the CSV and JSON export
    always works), the webhook's address, and the PTA's own signing key.
    One row per PTA (its schema)."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    backend = models.CharField(_("delivery"), max_length=40, default="export")
    webhook_url = models.URLField(_("webhook address"), blank=True)
    signing_key = models.CharField(max_length=64, default=new_signing_key)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=1), name="one_fulfilment_settings")]

    def __str__(self) -> str:
        return f"fulfilment by {self.backend}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Delivered")
    FAILED = "failed", _("Failed")


class EntitlementDelivery(models.Model):
    """One sending of a month's entitlements through a backend. The
    idempotency key is a digest of the month and the set of entitlements, so
    the same set sent again carries the same key and the receiver can tell."""

    month = models.DateField()
    backend = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="delivery_month_on_the_first"),
        ]

    def __str__(self) -> str:
        return f"entitlements {self.month:%Y-%m} by {self.backend} ({self.state})"
