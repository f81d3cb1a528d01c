from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services import national_tenant_ensure, template_schema_ensure


class Command(BaseCommand):
    help = "Migrate every schema, and make sure the national site and the PTA template schema exist. Idempotent."

    def handle(self, *args, **opts):
        call_command("migrate_schemas", interactive=False, verbosity=opts["verbosity"] - 1 if opts["verbosity"] else 0)
        national_tenant_ensure(domain=settings.NATIONAL_DOMAIN)
        if template_schema_ensure():
            self.stdout.write("Template schema migrated.")
        self.stdout.write("Platform ready.")
