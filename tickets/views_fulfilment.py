"""The "Ticket delivery" page: how the PTA's ticket system hears of each month's
entitlements (tickets.fulfilment). Staff see it; only the PTA administrator
changes the backend and webhook address, makes a new signing key and publishes
a month. The signing key is shown masked, and in full only once, on the page
that answers making a new one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.dates import today
from core.forms import add_validation_error, confirmed
from tenants.http import AuthenticatedRequest
from tenants.models import Role
from tenants.permissions import pta_admin_required, staff_required
from tickets import fulfilment, rules, services_fulfilment
from tickets.forms_fulfilment import ExportForm, FulfilmentSettingsForm, PublishForm, backend_label
from tickets.models import DeliveryState, EntitlementDelivery, FulfilmentSettings

RECENT_DELIVERIES = 20
#: How much of the signing key the page shows (the end of it, so the receiver can tell which key it has).
KEY_SHOWN = 6
CONTENT_TYPES = {fulfilment.CSV: "text/csv; charset=utf-8", fulfilment.JSON: "application/json"}


#: The new key is shown in chunks with a line-break opportunity (<wbr>) between them, so it wraps on a
#: phone and is copied whole.
KEY_CHUNK = 16


def masked_key(key: str) -> str:
    """All but the last KEY_SHOWN characters hidden (eight dots, whatever the length: short on a phone)."""
    return "•" * 8 + key[-KEY_SHOWN:]


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _page(request: AuthenticatedRequest, *, form: FulfilmentSettingsForm | None = None, new_key: str = "", status=200):
    config = services_fulfilment.fulfilment_settings()
    may_change = request.membership.role == Role.PTA_ADMIN
    if form is None and may_change:
        form = FulfilmentSettingsForm(initial={"backend": config.backend, "webhook_url": config.webhook_url})
    this_month = rules.first_of_month(today())
    months = [this_month, rules.next_month(this_month)]
    deliveries = list(EntitlementDelivery.objects.order_by("-created_at", "-pk")[:RECENT_DELIVERIES])
    for delivery in deliveries:
        delivery.backend_label = backend_label(delivery.backend)
    response = render(
        request,
        "tickets/fulfilment/settings.html",
        {
            "config": config,
            "backend_label": backend_label(config.backend),
            "backend_known": config.backend in getattr(settings, "TICKET_FULFILMENT_BACKENDS", {}),
            "masked_key": masked_key(config.signing_key),
            "new_key": new_key,
            "new_key_chunks": [new_key[i : i + KEY_CHUNK] for i in range(0, len(new_key), KEY_CHUNK)],
            "may_change": may_change,
            "form": form,
            "publish_form": PublishForm(initial={"month": f"{this_month:%Y-%m}"}) if may_change else None,
            "months": months,
            "formats": fulfilment.FORMATS,
            "deliveries": deliveries,
            "states": DeliveryState,
        },
        status=status,
    )
    return _no_store(response)


@staff_required
@require_http_methods(["GET", "POST"])
def fulfilment_settings(request: AuthenticatedRequest):
    """GET: staff see the settings, the last deliveries and the downloads. POST: the PTA administrator
    saves the backend and the webhook address (tickets.services_fulfilment.fulfilment_settings_update);
    an adviser's POST is 403."""
    if request.method == "GET":
        return _page(request)
    if request.membership.role != Role.PTA_ADMIN:
        raise PermissionDenied
    form = FulfilmentSettingsForm(request.POST)
    if form.is_valid():
        try:
            services_fulfilment.fulfilment_settings_update(**form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("fulfilment:settings")
    return _page(request, form=form)


@pta_admin_required
@require_http_methods(["GET", "POST"])
def signing_key_new(request: AuthenticatedRequest):
    """Make a new signing key after the confirmation page (templates/_confirm.html); the answer shows the
    whole new key, this once, so the administrator can give it to the receiver."""
    if not confirmed(request):
        return render(
            request,
            "tickets/fulfilment/new_key_confirm.html",
            {
                "consequences": [
                    _(
                        "The current key stops working at once: the receiver rejects what is signed with the new "
                        "key until it is given it."
                    ),
                    _("The new key is shown once, on the next page. Copy it then."),
                ],
                "confirm_label": _("Make a new key"),
                "cancel_url": reverse("fulfilment:settings"),
            },
        )
    config = services_fulfilment.signing_key_renew()
    messages.success(request, _("A new signing key is made. Give it to the receiver now: it is not shown again."))
    return _page(request, new_key=config.signing_key)


@pta_admin_required
@require_POST
def publish(request: AuthenticatedRequest):
    """Publish a month's entitlements now through the PTA's backend (tickets.services_fulfilment.
    entitlements_publish): queued, already sent (the same set), or nothing to send (files only)."""
    form = PublishForm(request.POST or {"month": f"{today():%Y-%m}"})
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["month"]))
        return redirect("fulfilment:settings")
    month = form.cleaned_data["month"]
    names = {"month": f"{month:%m.%Y}"}
    try:
        delivery = services_fulfilment.entitlements_publish(month=month)
    except ImproperlyConfigured:
        config: FulfilmentSettings = services_fulfilment.fulfilment_settings()
        messages.error(
            request,
            _("The delivery “%(name)s” is not offered by this site any more: choose another.")
            % {"name": config.backend},
        )
        return redirect("fulfilment:settings")
    if delivery is None:
        messages.info(
            request, _("Nothing to send for %(month)s: the delivery is files only. Download them below.") % names
        )
    elif delivery.state == DeliveryState.SENT:
        messages.info(request, _("The entitlements of %(month)s are already sent (the same set).") % names)
    else:
        messages.success(request, _("The entitlements of %(month)s are queued for sending.") % names)
    return redirect("fulfilment:settings")


@staff_required
@require_GET
def export(request: AuthenticatedRequest):
    """A month's entitlements as a file (?month=YYYY-MM&format=csv|json, default this month as CSV), made as
    manage.py export_entitlements makes it: reads only, whatever the backend. A bad month or format goes back
    to the page with an error naming it."""
    form = ExportForm(
        {
            "month": request.GET.get("month") or f"{today():%Y-%m}",
            "format": request.GET.get("format") or fulfilment.CSV,
        }
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("fulfilment:settings")
    month, fmt = form.cleaned_data["month"], form.cleaned_data["format"]
    entitlements, _key, body = services_fulfilment.month_document(month=month)
    content = fulfilment.entitlements_csv(entitlements) if fmt == fulfilment.CSV else body
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="billettrettigheter-{month:%Y-%m}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)
