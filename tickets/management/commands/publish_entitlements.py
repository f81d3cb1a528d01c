"""Publish one PTA's corporate-ticket entitlements of a month through its backend, now:

    manage.py publish_entitlements --pta SLUG --month YYYY-MM

As the hourly beat task does for the current month, without the roll-over.
The sending is queued (tickets.tasks.deliver_entitlements) and runs in the
worker. Prints one line: what was done (`queued`, `already sent`, `already
queued`, or `files only` for the export backend), the delivery and its key.
Publishing the same set again sends nothing new; a failed delivery of the same
set is queued again under the same idempotency key.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from tenants.commands import PtaCommand
from tickets import payroll, services_fulfilment
from tickets.models import DeliveryState, EntitlementDelivery


class Command(PtaCommand):
    help = "Publish one PTA's corporate-ticket entitlements of a month through its backend."

    def add_pta_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month, YYYY-MM")

    def handle_pta(self, pta, *args, month: str, **opts):
        try:
            first = payroll.parse_month(month)
        except ValueError:
            raise CommandError(f"--month must be YYYY-MM, not {month!r}.") from None
        before = dict(EntitlementDelivery.objects.filter(month=first).values_list("pk", "state"))
        try:
            delivery = services_fulfilment.entitlements_publish(month=first)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if delivery is None:
            backend = services_fulfilment.fulfilment_settings().backend
            self.stdout.write(f"files only: the backend of {pta.slug} is {backend!r}; nothing was sent.")
            return
        delivery.refresh_from_db()  # the task may have run already (on commit, eager in tests)
        if before.get(delivery.pk) == DeliveryState.SENT:
            done = "already sent"
        elif before.get(delivery.pk) == DeliveryState.QUEUED:
            done = "already queued"
        else:
            done = "queued"
        self.stdout.write(
            f"{done}: delivery={delivery.pk} month={first:%Y-%m} backend={delivery.backend} "
            f"entitlements={delivery.count} key={delivery.idempotency_key[:12]} state={delivery.state}"
        )
