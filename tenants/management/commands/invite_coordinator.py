from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from tenants.emails import tenant_url
from tenants.models import Pta, Role
from tenants.services import invitation_create, national_tenant_ensure


class Command(BaseCommand):
    help = "Invite a national coordinator (the first user of a new installation). Prints the link and e-mails it."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **opts):
        national = Pta.objects.national().first() or national_tenant_ensure(domain=settings.NATIONAL_DOMAIN)
        try:
            _invitation, token = invitation_create(tenant=national, email=email, role=Role.COORDINATOR, invited_by=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        path = reverse("invitation_accept", kwargs={"token": token}, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        self.stdout.write(f"Invitation for {email}: {tenant_url(national, path)}")
