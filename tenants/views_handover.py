"""The region switcher's hand-over between PTA hosts (tenants.handover)."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tenants.handover import HandoverRefused, handover_create, handover_redeem
from tenants.models import Domain, Pta
from tenants.permissions import contact_required
from tenants.selectors import site_url
from tenants.signals import SESSION_TENANT_KEY


@contact_required
@require_POST
def region_switch(request, pta_pk: int):
    """Make a hand-over to another region and send the browser to its host."""
    target = Pta.objects.regions().filter(pk=pta_pk).first()
    domain = Domain.objects.filter(tenant=target, is_primary=True).first() if target else None
    if target is None or domain is None:
        raise Http404
    try:
        token = handover_create(user=request.user, source=request.tenant, target=target)
    except HandoverRefused:
        # Not (or no longer) a contact person there, or the region is suspended: back to Min side.
        return redirect("/min-side/")
    return redirect(f"{site_url(domain=domain.domain, request=request)}overgang/{token}/")


@never_cache
@require_http_methods(["GET", "POST"])
def handover_accept(request, token: str):
    """GET shows a button (link scanners must not use the link); POST uses it."""
    if request.method == "GET":
        return render(request, "tenants/handover_confirm.html", {"token": token})
    try:
        user = handover_redeem(token=token, tenant=request.tenant, current_user=request.user)
    except HandoverRefused as refused:
        return render(request, "tenants/handover_invalid.html", {"reason": refused.reason}, status=403)
    if not (request.user.is_authenticated and request.user.pk == user.pk):
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_TENANT_KEY] = request.tenant.schema_name
    return redirect("/min-side/")
