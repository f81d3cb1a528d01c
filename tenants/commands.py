"""The base of every management command that works inside one PTA."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from tenants.models import Pta


class PtaCommand(BaseCommand):
    """Takes `--pta SLUG` and runs the subclass's `handle_pta(pta, *args,
    **options)` inside that PTA's schema.

    The tenant context is opened outermost; anything `handle_pta` does in a
    transaction happens inside it. Subclasses add their own arguments in
    `add_pta_arguments`.
    """

    def add_arguments(self, parser):
        parser.add_argument("--pta", required=True, help="the PTA's short name (slug)")
        self.add_pta_arguments(parser)

    def add_pta_arguments(self, parser) -> None:
        """Arguments of the command besides --pta."""

    def handle(self, *args, pta: str, **options):
        tenant = Pta.objects.regions().filter(slug=pta).first()
        if tenant is None:
            raise CommandError(f"No PTA with the short name {pta!r}.")
        with tenant_context(tenant):
            return self.handle_pta(tenant, *args, **options)
