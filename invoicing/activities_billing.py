"""Done, billable activities onto the next invoice: each becomes a BillableItem
(once, through BillableItem.activity) that the month's run then bills."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from activities.models import Activity, ActivityStatus
from invoicing.models import BillableItem


@transaction.atomic
def activities_bill(*, month_end: date) -> int:
    """Add an item for every done, billable activity dated up to `month_end` that
    has none yet; returns how many were added. A second run adds nothing."""
    activities = Activity.objects.filter(
        status=ActivityStatus.DONE, billable=True, product__isnull=False, day__lte=month_end, billable_item__isnull=True
    ).select_related("company")
    items = [
        BillableItem(
            company_id=a.company_id,
            location_id=a.location_id,
            product_id=a.product_id,
            day=a.day,
            unit_price=a.price,
            description=(a.title or a.get_kind_display())[:200],
            activity=a,
            created_by_id=a.created_by_id,
        )
        for a in activities
    ]
    BillableItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)
