from pathlib import Path

from django.core.management.base import CommandError

from companies.importing import company_import_apply, company_import_preview
from tenants.commands import PtaCommand


class Command(PtaCommand):
    help = "Onboard companies from a CSV/XLSX file (org number, name, address, municipality, industry)."

    def add_pta_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="validate and show what would change")

    def handle_pta(self, pta, *args, file: str, dry_run: bool, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        run = company_import_preview if dry_run else company_import_apply
        result = run(data=path.read_bytes(), filename=path.name)
        self.stdout.write(result.summary())
        for error in result.errors:
            self.stdout.write(str(error))
        if result.errors:
            raise CommandError("Nothing was written: fix the errors above and import again.")
