"""Activities: the PTA's physical presence at a company (stands, talks, bike checks...)."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import user_fk


class ActivityKind(models.TextChoices):
    STAND = "stand", _("Stand")
    EVENT = "event", _("Event")
    MOBILITY_TALK = "mobility_talk", _("Mobility talk")
    HEALTH_TALK = "health_talk", _("Health talk")
    BIKE_CHECK = "bike_check", _("Bike check")
    EBIKE_TRIAL = "ebike_trial", _("E-bike trial")
    EBIKE_LEASING = "ebike_leasing", _("E-bike leasing")
    LA_BILEN_STA = "la_bilen_sta", _("La Bilen Stå campaign")
    OTHER = "other", _("Other")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActivityQuerySet(models.QuerySet):
    def planned(self):
        return self.filter(status=ActivityStatus.PLANNED)

    def done(self):
        return self.filter(status=ActivityStatus.DONE)

    def in_year(self, year: int):
        return self.filter(day__year=year)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Activity(models.Model):
    """One activity at a company, planned or done. A done, billable activity
    goes on the company's next invoice once (invoicing.BillableItem.activity)."""

    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("type"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    day = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts"), null=True, blank=True)
    ends_at = models.TimeField(_("ends"), null=True, blank=True)
    location = models.ForeignKey(
        "companies.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Where at the location, or an address elsewhere.")
    )
    adviser = user_fk(_("adviser"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    cost = models.DecimalField(
        _("cost (NOK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What the activity cost the PTA."),
    )
    billable = models.BooleanField(_("billable"), default=False)
    product = models.ForeignKey(
        "tickets.Product",
        verbose_name=_("invoiced as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    price = models.DecimalField(
        _("price excl. VAT (NOK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the product's price on the day."),
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = user_fk(_("added by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["day", "starts_at", "pk"]
        indexes = [models.Index(fields=["day"]), models.Index(fields=["adviser", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(billable=False) | Q(product__isnull=False),
                name="billable_activity_has_product",
                violation_error_message=_("A billable activity needs the product it is invoiced as."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=False, ends_at__gt=models.F("starts_at")),
                name="activity_ends_after_it_starts",
                violation_error_message=_("The activity must end after it starts."),
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="activity_cost_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="activity_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class CalendarFeed(models.Model):
    """An adviser's iCalendar feed of activities. The feed's address carries a
    token, an HMAC of `nonce` under the SECRET_KEY; only its SHA-256 is stored
    (`token_hash`), so a copy of the database alone cannot read a feed. A new
    nonce (a new address) makes the old one stop working."""

    user = user_fk(_("user"))
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], name="one_calendar_feed_per_user")]

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"
