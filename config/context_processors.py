from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from config.composition import NAVIGATION
from tenants.models import Role


def _nav(request, membership) -> list[dict]:
    if membership is None:
        return []
    items = []
    for name, label in NAVIGATION.get(membership.role, []):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": request.path == url})
    return items


def portal(request) -> dict:
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    return {
        # Company pages are shared by staff and contact persons, in their own layouts.
        "layout": "layouts/minside.html" if membership and membership.role == Role.CONTACT else "layouts/staff.html",
        "tenant": tenant,
        "contact_person": getattr(request, "contact_person", None),
        "membership": membership,
        "is_national": tenant is not None and tenant.is_national,
        "brand_colour": tenant.brand_colour if tenant is not None else "#1f4e79",
        "nav_items": _nav(request, membership),
    }
