import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.models import County
from tenants.services import pta_create


class Command(BaseCommand):
    help = "Provision a new PTA: its schema, its domain and its row."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--domain", required=True)
        parser.add_argument("--org-number", default="")
        parser.add_argument(
            "--county",
            default="",
            choices=["", *County.values],
            help="The county number: " + ", ".join(f"{c.value} {c.label}" for c in County),
        )
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--brand-colour", default="#1f4e79")
        parser.add_argument("--bank-account", default="")

    def handle(self, *args, **opts):
        started = time.perf_counter()
        try:
            pta = pta_create(
                name=opts["name"],
                slug=opts["slug"],
                domain=opts["domain"],
                org_number=opts["org_number"],
                county=opts["county"],
                contact_email=opts["contact_email"],
                brand_colour=opts["brand_colour"],
                bank_account=opts["bank_account"],
            )
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()]
            raise CommandError("Nothing was created.\n" + "\n".join(lines)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Created {pta.name} (schema {pta.schema_name}) at {opts['domain']} in {elapsed:.2f} s")
