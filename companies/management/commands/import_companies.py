from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from companies.importing import company_import_apply, company_import_preview
from tenants.models import Pta


class Command(BaseCommand):
    help = "Onboard companies from a CSV/XLSX file (org number, name, address, municipality, industry)."

    def add_arguments(self, parser):
        parser.add_argument("--pta", required=True, help="the PTA's short name (slug)")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="validate and show what would change")

    def handle(self, *args, pta: str, file: str, dry_run: bool, **opts):
        tenant = Pta.objects.exclude(schema_name="public").filter(slug=pta).first()
        if tenant is None:
            raise CommandError(f"No PTA with the short name {pta!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        with tenant_context(tenant):
            run = company_import_preview if dry_run else company_import_apply
            result = run(data=path.read_bytes(), filename=path.name)
        self.stdout.write(result.summary())
        for error in result.errors:
            self.stdout.write(str(error))
        if result.errors:
            raise CommandError("Nothing was written: fix the errors above and import again.")
