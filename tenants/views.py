"""Views on both sites: host errors, invitations, PTA users, and the national site."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_validation_error, confirmed
from core.validators import HEX_COLOUR
from tenants import selectors, selectors_national, services
from tenants.brand import brand_stylesheet
from tenants.forms import (
    AcceptInvitationForm,
    ContactDetailsForm,
    InvitationForm,
    LookForm,
    NationalProductForm,
    PtaCreateForm,
    TargetShareForm,
)
from tenants.http import AuthenticatedRequest, TenantRequest
from tenants.models import NationalProduct, Pta, Role
from tenants.permissions import coordinator_required, pta_admin_required, role_required
from tenants.views_national import trend_charts


def unknown_host(request: TenantRequest):
    return render(request, "errors/unknown_host.html", {"host": request.get_host()}, status=404)


def email_change_refused(request: TenantRequest):
    """allauth's e-mail address page is switched off (both URLconfs route
    accounts/email/ here). The login address is the one the invitation was
    sent to, which accepting it verified; with e-mail verification off, a
    user could otherwise make an unverified address their login and capture a
    later invitation to that address, and the page's unverified address rows
    stop new staff from setting up two-factor login."""
    raise Http404


@require_GET
def home(request: TenantRequest):
    """Send each role to its own start page."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    role = request.membership.role
    if role == Role.CONTACT:
        return redirect("minside_home")
    if role == Role.COORDINATOR:
        return redirect("national_dashboard")
    return redirect("staff_start")


@require_GET
def logo(request: TenantRequest):
    tenant = request.tenant
    if not tenant.logo:
        raise Http404
    content_type = "image/jpeg" if tenant.logo.name.endswith(".jpg") else "image/png"
    response = FileResponse(tenant.logo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# A colour that is no #rrggbb is never written; without a tenant (an unknown
# host) no brand.css is linked and the theme's own accent applies.
DEFAULT_BRAND_COLOUR = "#1f4e79"


@require_GET
def brand_css(request: TenantRequest):
    """The PTA's colour as a stylesheet, so that no page needs an inline style
    (the Content-Security-Policy allows none): Designsystemet's accent colours
    mixed from it (tenants/brand.py), so buttons, links, focus rings and the
    header carry it. Pages link it with the colour in the query string, so a
    new colour is a new URL and this one may be cached for a day."""
    colour = request.tenant.brand_colour
    if not HEX_COLOUR.match(colour or ""):
        colour = DEFAULT_BRAND_COLOUR  # never write anything but a colour into the stylesheet
    response = HttpResponse(brand_stylesheet(colour), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@pta_admin_required
@require_http_methods(["GET", "POST"])
def pta_look(request: AuthenticatedRequest):
    """The PTA admin's page for the PTA's colour and logo."""
    pta = request.tenant
    form = LookForm(request.POST or None, request.FILES or None, initial={"brand_colour": pta.brand_colour})
    if request.method == "POST" and form.is_valid():
        try:
            services.pta_set_look(
                pta=pta,
                brand_colour=form.cleaned_data["brand_colour"],
                logo=form.cleaned_data.get("logo"),
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except ValidationError as exc:
            pta.refresh_from_db()
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("pta_look")
    return render(request, "tenants/pta_look.html", {"form": form})


@role_required(Role.PTA_ADMIN, Role.ADVISER, Role.CONTACT)
@require_http_methods(["GET", "POST"])
def contact_details(request: AuthenticatedRequest):
    """The signed-in user's own name and phone number; an adviser's are shown
    on Min side of the companies they are responsible for."""
    form = ContactDetailsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_contact_details(
                user=request.user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                phone=form.cleaned_data["phone"],
            )
        except ValidationError as exc:
            request.user.refresh_from_db()
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("account_contact_details")
    return render(request, "tenants/contact_details.html", {"form": form})


@require_http_methods(["GET", "POST"])
def invitation_accept(request: TenantRequest, token: str, on_accepted=None):
    try:
        invitation = services.invitation_get_valid(tenant=request.tenant, token=token)
    except services.InvitationError as exc:
        return render(request, "tenants/invitation_invalid.html", {"reason": str(exc)}, status=410)

    existing_user = selectors.user_by_email(email=invitation.email)
    form = None
    if existing_user is None:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form else {}
        try:
            user = services.invitation_accept(
                tenant=request.tenant,
                token=token,
                password=data.get("password1"),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                on_accepted=on_accepted,
            )
        except services.InvitationError as exc:
            return render(request, "tenants/invitation_invalid.html", {"reason": str(exc)}, status=410)
        if existing_user is None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your access is ready."))
            return redirect("home")
        messages.success(request, _("The invitation is accepted. Sign in to continue."))
        return redirect("account_login")
    return render(
        request,
        "tenants/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing_user": existing_user},
    )


# --- National site (public schema) -----------------------------------------


@coordinator_required
@require_http_methods(["GET", "POST"])
def region_create(request: AuthenticatedRequest):
    form = PtaCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pta = services.pta_create(**form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s is ready.") % {"name": pta.name})
            return redirect("region_detail", pk=pta.pk)
    return render(request, "national/region_form.html", {"form": form})


def _get_region(pk: int) -> Pta:
    return get_object_or_404(Pta.objects.regions(), pk=pk)


@coordinator_required
@require_http_methods(["GET", "POST"])
def region_detail(request: AuthenticatedRequest, pk: int):
    pta = _get_region(pk)
    if request.method == "POST" and "target_share" in request.POST:
        return _region_target_share(request, pta)
    form = InvitationForm(request.POST or None, roles=[Role.PTA_ADMIN])
    figures = selectors_national.region_figures(pta=pta)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                tenant=pta, email=form.cleaned_data["email"], role=Role.PTA_ADMIN, invited_by=request.user
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("region_detail", pk=pta.pk)
    return render(
        request,
        "national/region_detail.html",
        {
            "pta": pta,
            "form": form,
            "share_form": TargetShareForm(instance=pta),
            "admin_count": selectors.membership_list(tenant=pta).filter(role=Role.PTA_ADMIN).count(),
            **selectors.region_detail(pta=pta, request=request),
            **figures,
            **trend_charts(figures["trend"]),
        },
    )


def _region_target_share(request: AuthenticatedRequest, pta: Pta):
    form = TargetShareForm(request.POST, instance=pta)
    if form.is_valid():
        form.save()
        messages.success(request, _("The region's share of the targets is saved."))
    else:
        messages.error(request, " ".join(form.errors.get("target_share", [])))
    return redirect("region_detail", pk=pta.pk)


@coordinator_required
@require_GET
def national_products(request: AuthenticatedRequest):
    """The national base package, retired products last."""
    products = NationalProduct.objects.order_by("-is_active", "position", "name")
    return render(request, "national/products.html", {"products": products})


@coordinator_required
@require_http_methods(["GET", "POST"])
def national_product_create(request: AuthenticatedRequest):
    return _national_product_form(request, None)


@coordinator_required
@require_http_methods(["GET", "POST"])
def national_product_edit(request: AuthenticatedRequest, pk: int):
    return _national_product_form(request, get_object_or_404(NationalProduct, pk=pk))


def _national_product_form(request: AuthenticatedRequest, product: NationalProduct | None):
    form = NationalProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.national_product_save(data=form.cleaned_data, product=product)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("national_products")
    return render(request, "national/product_form.html", {"form": form, "product": product})


@coordinator_required
@require_http_methods(["GET", "POST"])
def region_set_active(request: AuthenticatedRequest, pk: int):
    """Reactivate a PTA at once (active=1); suspend it only from the confirmation page that a
    GET, or a POST without the confirmation, shows (core.forms.confirmed)."""
    pta = _get_region(pk)
    if request.method == "POST" and request.POST.get("active") == "1":
        services.pta_set_active(pta=pta, active=True)
        messages.success(request, _("%(name)s is active again.") % {"name": pta.name})
        return redirect("region_detail", pk=pta.pk)
    if not pta.is_active:
        return redirect("region_detail", pk=pta.pk)
    if not confirmed(request):
        return render(request, "tenants/region_suspend_confirm.html", {"pta": pta})
    services.pta_set_active(pta=pta, active=False)
    messages.success(request, _("%(name)s is suspended.") % {"name": pta.name})
    return redirect("region_detail", pk=pta.pk)
