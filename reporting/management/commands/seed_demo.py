from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reporting.demo import DEMO_PASSWORD, seed_demo
from tenants.models import Pta

LOGINS_FILE = Path(settings.BASE_DIR) / ".data" / "demo-logins.txt"


class Command(BaseCommand):
    help = "Demo mode only: seed three fictitious PTAs with companies, employees and a user for every role."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=settings.SITE_PORT or "8000")

    def handle(self, *args, **opts):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo only works in demo mode (DEMO_MODE=1).")
        if Pta.objects.filter(slug="kolumbus").exists():
            self.stdout.write("Demo data already present; nothing to do.")
        else:
            logins = seed_demo(port=opts["port"])
            lines = [f"Password for every demo user: {DEMO_PASSWORD}", ""]
            for login in logins:
                line = f"{login.role:<36} {login.email:<28} http://{login.host}/"
                if login.totp_secret:
                    line += f"  TOTP secret {login.totp_secret}"
                lines.append(line)
            lines += ["", "Current two-factor code: .venv/bin/python manage.py demo_totp EMAIL"]
            LOGINS_FILE.parent.mkdir(exist_ok=True)
            LOGINS_FILE.write_text("\n".join(lines) + "\n")
        if LOGINS_FILE.exists():
            self.stdout.write(LOGINS_FILE.read_text())
