"""Demo mode only: a baseline and a follow-up travel-habit survey with answers for each
demo company (after seed_demo; `make run` runs both). A PTA with rounds is left as it is."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys.demo import seed_survey_demo


class Command(BaseCommand):
    help = "Demo mode only: a baseline and a follow-up travel-habit survey with answers for each demo company."

    def handle(self, *args, **opts):
        if not settings.DEMO_MODE:
            raise CommandError("seed_survey_demo only works in demo mode (DEMO_MODE=1).")
        self.stdout.write(f"Demo survey responses: {seed_survey_demo()}")
