"""Request guards that keep tenants apart and enforce two-factor login for staff."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect, render
from django.urls import reverse
from django_tenants.middleware.main import TenantMainMiddleware
from pghistory.middleware import HistoryMiddleware as PghistoryMiddleware

from tenants.models import Membership
from tenants.signals import SESSION_TENANT_KEY

# Paths any signed-in user may reach even without a membership or 2FA set up.
# /soknad/ and /undersokelse/ are the employees' ticket application and survey answers, which need no
# account (tickets.views_applications, surveys.views_answer).
OPEN_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/static/",
    "/invitasjon/",
    "/overgang/",
    "/soknad/",
    "/undersokelse/",
    "/logo",
    "/brand.css",
    "/aktiviteter/ical/",
)


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants host routing, plus a notice page for suspended PTAs."""

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        if not request.tenant.is_active:
            return render(request, "errors/suspended.html", {"tenant": request.tenant}, status=503)
        return None


class SessionTenantMiddleware:
    """A session belongs to the tenant it signed in on.

    Cookies are host-only already; this also refuses a session id carried to
    another PTA's host by hand. The request then runs anonymous, with a fresh
    session, and the original session is left untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        bound = request.session.get(SESSION_TENANT_KEY)
        if tenant is not None and bound is not None and bound != tenant.schema_name:
            request.session = self.session_store()
            request.user = AnonymousUser()
            request._cached_user = request.user
        return self.get_response(request)


class MembershipMiddleware:
    """Attach the user's membership in this tenant; 403 for signed-in users without one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            request.membership = Membership.objects.filter(user=request.user, tenant=request.tenant).first()
            if request.membership is None and not request.path.startswith(OPEN_PREFIXES):
                return render(request, "403.html", {"no_membership": True}, status=403)
        return self.get_response(request)


class RequireStaffMfaMiddleware:
    """allauth can offer two-factor login but not require it; staff roles must use TOTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = request.membership
        if (
            membership is not None
            and membership.is_staff_role
            and not request.path.startswith(OPEN_PREFIXES)
            and not _has_totp(request.user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class HistoryMiddleware(PghistoryMiddleware):
    """Record who changed what (pghistory) on PTA sites.

    Skipped on the national site: it tracks no tenant data, and pghistory's
    SQL wrapper would break the schema-cloning function run when a PTA is
    provisioned there.
    """

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_national:
            return self.get_response(request)
        return super().__call__(request)


class BokmalByDefaultMiddleware:
    """Bokmål unless the user picked English with the language switcher.

    A browser's Accept-Language is ignored: Norwegian public services default
    to Norwegian, and an English-configured browser should not hide that.
    Runs before django.middleware.locale.LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
