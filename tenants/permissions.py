"""Role checks for function views. Anonymous users go to the login page; a
signed-in user with the wrong role gets 403."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from tenants.models import Role

STAFF = (Role.PTA_ADMIN, Role.ADVISER)


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None or membership.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(*STAFF)
pta_admin_required = role_required(Role.PTA_ADMIN)
contact_required = role_required(Role.CONTACT)
coordinator_required = role_required(Role.COORDINATOR)
