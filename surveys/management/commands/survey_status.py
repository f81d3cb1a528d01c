"""Show how a survey round's mailing and answers stand:

    manage.py survey_status --pta SLUG --round ID

The first line is `sent=N failed=N answered=N` (failed counts the bounced and
the opted-out too); the second `recipients=N waiting=N response_rate=R%
target=T% met=yes|no`.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from surveys import selectors
from surveys.models import SurveyRound
from tenants.commands import PtaCommand


class Command(PtaCommand):
    help = "Print a survey round's sent, failed and answered counts."

    def add_pta_arguments(self, parser):
        parser.add_argument("--round", required=True, type=int, help="the round's id (start_survey prints it)")

    def handle_pta(self, pta, *args, round: int, **options):  # noqa: A002 (the option's name)
        survey_round = SurveyRound.objects.filter(pk=round).first()
        if survey_round is None:
            raise CommandError(f"No survey round {round} in {pta.slug}.")
        progress = selectors.round_progress(round=survey_round)
        self.stdout.write(f"sent={progress.sent} failed={progress.failed} answered={progress.answered}")
        self.stdout.write(
            f"recipients={progress.recipients} waiting={progress.waiting} "
            f"response_rate={progress.response_rate}% target={progress.target}% met={'yes' if progress.met else 'no'}"
        )
