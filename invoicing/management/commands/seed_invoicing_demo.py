"""Demo mode only: invoices, a credit note, payments and an overdue invoice for each demo PTA
(after seed_demo; `make run` runs both). A PTA with issued invoices is left as it is."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from invoicing.demo import seed_invoicing_demo


class Command(BaseCommand):
    help = "Demo mode only: invoices, a credit note, payments and an overdue invoice for each demo PTA."

    def handle(self, *args, **opts):
        if not settings.DEMO_MODE:
            raise CommandError("seed_invoicing_demo only works in demo mode (DEMO_MODE=1).")
        self.stdout.write(f"Demo invoices issued: {seed_invoicing_demo()}")
