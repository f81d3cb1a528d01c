"""What the middleware puts on a request, declared for type checkers and
readers (as healthchecks does): views annotate `request` with these."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tenants.models import Membership, Pta, User


class TenantRequest(HttpRequest):
    """A request on a PTA's host or the national site."""

    tenant: Pta
    user: User | AnonymousUser
    membership: Membership | None
    htmx: HtmxDetails


class AuthenticatedRequest(TenantRequest):
    """A request the role decorators (tenants.permissions) have let through."""

    user: User
    membership: Membership
