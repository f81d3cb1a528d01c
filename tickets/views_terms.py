"""Copy a national company's agreement terms from another region (tickets.services_terms)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from companies.models import Agreement
from companies.permissions import CompanyRequest, get_company_for_user
from tenants.models import Pta, RegionCompany
from tenants.permissions import staff_required
from tickets.services_terms import agreement_terms_copy


def terms_elsewhere(request: CompanyRequest, org_number: str):
    """The same organisation number's terms in the other active regions (public rows only)."""
    return (
        RegionCompany.objects.select_related("tenant")
        .filter(org_number=org_number, tenant__in=Pta.objects.regions().filter(is_active=True))
        .exclude(tenant=request.tenant)
        .exclude(terms=[])
        .order_by("tenant__name")
    )


@staff_required
@require_http_methods(["GET", "POST"])
def agreement_terms_copy_view(request: CompanyRequest, company_pk: int):
    company = get_company_for_user(request, company_pk, staff_only=True)
    sources = list(terms_elsewhere(request, company.org_number))
    if request.method == "POST":
        source = next((s for s in sources if str(s.tenant_id) == request.POST.get("region")), None)
        if source is None:
            raise Http404
        agreement, _created = Agreement.objects.get_or_create(company=company)
        try:
            result = agreement_terms_copy(agreement=agreement, source=source)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("tickets:agreement_terms_copy", company_pk=company.pk)
        messages.success(
            request,
            _("Copied from %(region)s: %(names)s.")
            % {"region": source.tenant.name, "names": ", ".join(result.copied) or "–"},
        )
        if result.skipped:
            messages.warning(
                request, _("Not offered here, so not copied: %(names)s.") % {"names": ", ".join(result.skipped)}
            )
        return redirect("tickets:agreement_products", company_pk=company.pk)
    return render(request, "tickets/terms_copy.html", {"company": company, "sources": sources, "tab": "overview"})
