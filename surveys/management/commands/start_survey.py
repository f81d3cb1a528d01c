"""Start a travel-habit survey round for one company of a PTA:

    manage.py start_survey --pta SLUG --company ORGNR [--kind baseline|followup]
                           [--opens YYYY-MM-DD] [--closes YYYY-MM-DD]

Prints `round=ID recipients=N`. The round opens today unless --opens says
otherwise and closes 14 days after it opens unless --closes says otherwise.
If it opens today, the invitations are queued at once (through the outbox,
when the command's transaction commits) and a worker mails them; otherwise
the beat task queues them on the opening day. A refusal (unknown company, no
eligible recipients, bad dates) is an error that stores nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from companies.models import Company
from core.dates import today
from surveys import services_rounds
from surveys.models import RoundKind
from tenants.commands import PtaCommand

DEFAULT_DAYS_OPEN = 14


def parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date YYYY-MM-DD, not {value!r}.") from None


class Command(PtaCommand):
    help = "Start a survey round for one company's employees; prints round=ID recipients=N."

    def add_pta_arguments(self, parser):
        parser.add_argument("--company", required=True, help="the company's organisation number")
        parser.add_argument("--kind", default=RoundKind.BASELINE, choices=RoundKind.values)
        parser.add_argument("--opens", help="the opening date, YYYY-MM-DD (default today)")
        parser.add_argument("--closes", help="the closing date, YYYY-MM-DD (default 14 days after it opens)")

    def handle_pta(self, pta, *args, company: str, kind: str, opens=None, closes=None, **options):
        org_number = company.replace(" ", "")
        found = Company.objects.filter(org_number=org_number).first()
        if found is None:
            raise CommandError(f"No company with the organisation number {company!r} in {pta.slug}.")
        opens_on = parse_date(opens, "--opens") if opens else today()
        closes_on = parse_date(closes, "--closes") if closes else opens_on + timedelta(days=DEFAULT_DAYS_OPEN)
        try:
            survey_round = services_rounds.round_start(company=found, kind=kind, opens_on=opens_on, closes_on=closes_on)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"round={survey_round.pk} recipients={survey_round.recipient_count}")
