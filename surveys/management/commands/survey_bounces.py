"""Record the addresses a mail provider reported as bounced after accepting the mail:

    manage.py survey_bounces --pta SLUG FILE [--dry-run]

FILE has one address a line, or is a CSV export whose first field holding an "@"
is the address (a header line without one is skipped). A line that is no e-mail
address stops the command, naming the line, and nothing is recorded. Prints
`bounced=N new=N`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.db import transaction

from surveys import services_rounds
from tenants.commands import PtaCommand


def read_addresses(path: Path) -> list[str]:
    addresses = []
    with path.open(newline="", encoding="utf-8-sig") as file:
        for number, row in enumerate(csv.reader(file), start=1):
            value = next((field.strip() for field in row if "@" in field), "")
            if not value:
                if number == 1 or not any(field.strip() for field in row):
                    continue  # a header, or an empty line
                raise CommandError(f"Line {number}: no e-mail address in {','.join(row)!r}.")
            try:
                validate_email(value)
            except ValidationError:
                raise CommandError(f"Line {number}: {value!r} is not an e-mail address.") from None
            addresses.append(value)
    return addresses


class Command(PtaCommand):
    help = "Record bounced addresses (one a line, or a CSV export): no survey mail goes to them again."

    def add_pta_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file and count, record nothing")

    def handle_pta(self, pta, *args, file: Path, dry_run: bool = False, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        addresses = read_addresses(file)
        with transaction.atomic():
            new = services_rounds.bounces_record(addresses=addresses, detail=f"Reported bounced ({file.name})")
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(f"bounced={len(set(a.lower() for a in addresses))} new={new}")
