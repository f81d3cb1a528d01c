"""Writes of activities: create, update, mark done, cancel, and the adviser's calendar feed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityStatus, CalendarFeed
from companies.models import Company, Location
from core.dates import today
from tenants.models import User
from tickets.models import Product

#: Fields that can no longer change once the activity is on an invoice.
BILLING_FIELDS = ("billable", "product", "price", "day", "location", "company")
EDITABLE = (
    "kind",
    "title",
    "day",
    "starts_at",
    "ends_at",
    "location",
    "place",
    "adviser",
    "participants",
    "notes",
    "cost",
    "billable",
    "product",
    "price",
)


def _check(activity: Activity) -> None:
    errors: dict[str, list[str]] = {}
    if activity.location_id is not None and activity.location.company_id != activity.company_id:
        errors.setdefault("location", []).append(_("The location must be one of the company's own locations."))
    if activity.ends_at is not None and (activity.starts_at is None or activity.ends_at <= activity.starts_at):
        errors.setdefault("ends_at", []).append(_("The activity must end after it starts."))
    if activity.billable and activity.product_id is None:
        errors.setdefault("product", []).append(_("A billable activity needs the product it is invoiced as."))
    if errors:
        raise ValidationError(errors)
    activity.full_clean()


def is_billed(activity: Activity) -> bool:
    """Whether the activity is on an invoice (its billable item has an invoice line)."""
    item = getattr(activity, "billable_item", None) if activity.pk else None
    return item is not None and item.invoice_line_id is not None


@transaction.atomic
def activity_create(
    *,
    company: Company,
    kind: str,
    day: date,
    by: User | None,
    title: str = "",
    starts_at: time | None = None,
    ends_at: time | None = None,
    location: Location | None = None,
    place: str = "",
    adviser: User | None = None,
    participants: int | None = None,
    notes: str = "",
    cost: Decimal | None = None,
    billable: bool = False,
    product: Product | None = None,
    price: Decimal | None = None,
) -> Activity:
    activity = Activity(
        company=company,
        kind=kind,
        day=day,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        place=place,
        adviser=adviser,
        participants=participants,
        notes=notes,
        cost=cost,
        billable=billable,
        product=product,
        price=price,
        created_by=by,
    )
    _check(activity)
    activity.save()
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, **changes) -> Activity:
    """Change the fields given (names in EDITABLE). An activity on an invoice keeps its billing fields."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("A cancelled activity cannot be changed."))
    if is_billed(activity):
        for name in BILLING_FIELDS:
            if name in changes and changes[name] != getattr(activity, name):
                raise ValidationError(
                    {name: _("The activity is on an invoice: its date, location and billing cannot change.")}
                )
    for name, value in changes.items():
        setattr(activity, name, value)
    _check(activity)
    activity.save()
    return activity


@transaction.atomic
def activity_mark_done(*, activity: Activity, participants: int | None, by: User | None = None) -> Activity:
    """Mark the activity done (not before its day), with how many took part."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("A cancelled activity cannot be marked done."))
    if activity.day > today():
        raise ValidationError({"day": _("An activity cannot be marked done before its day.")})
    if participants is not None and participants < 0:
        raise ValidationError({"participants": _("Participants cannot be negative.")})
    activity.status = ActivityStatus.DONE
    activity.participants = participants
    activity.done_at = timezone.now()
    _check(activity)
    activity.save()
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity) -> Activity:
    """Cancel a planned activity (a done one that is billed cannot be cancelled)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == ActivityStatus.DONE and hasattr(activity, "billable_item"):
        raise ValidationError(_("The activity is billed and cannot be cancelled."))
    activity.status = ActivityStatus.CANCELLED
    activity.full_clean()
    activity.save()
    return activity


def feed_token(nonce: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), nonce.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_renew(*, user: User) -> str:
    """Make the user's feed, or give it a new address (the old stops working). Returns the token."""
    nonce = secrets.token_hex(32)
    token = feed_token(nonce)
    CalendarFeed.objects.update_or_create(user=user, defaults={"nonce": nonce, "token_hash": token_hash(token)})
    return token
