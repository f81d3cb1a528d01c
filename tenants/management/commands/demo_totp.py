import time

from allauth.mfa import app_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Demo mode only: print the current two-factor code of a demo user."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **opts):
        if not settings.DEMO_MODE:
            raise CommandError("demo_totp only works in demo mode (DEMO_MODE=1).")
        authenticator = Authenticator.objects.filter(user__email__iexact=email, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(f"{email} has no two-factor authenticator.")
        secret = get_adapter().decrypt(authenticator.data["secret"])
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
