"""Pages composed from every app's cards (config/composition.py), and the two
cards that gather every app's items: what needs attention on "I dag", and
the next steps on Min side."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from companies.permissions import CompanyRequest, get_company_for_user
from config.composition import needs_attention, next_steps
from tenants.http import AuthenticatedRequest
from tenants.permissions import contact_required, staff_required

#: Items shown on "I dag" at most; each app's selector is capped at the same.
ATTENTION_LIMIT = 15  # a start page, not a work queue: the rest appear as these are done


@staff_required
@require_GET
def staff_start(request: AuthenticatedRequest):
    """The adviser's "I dag": what needs attention, gathered from every app's cards."""
    return render(request, "staff_start.html")


@staff_required
@require_GET
def today_attention_card(request: AuthenticatedRequest):
    """Everything that needs someone of the PTA, from every app (NEEDS_ATTENTION);
    ?mine=1 keeps only the companies the user is responsible adviser for."""
    mine = request.GET.get("mine") == "1"
    items, more = needs_attention(user=request.user, mine=mine, limit=ATTENTION_LIMIT)
    return render(
        request,
        "cards/attention.html",
        {"items": items, "more": more, "mine": mine, "limit": ATTENTION_LIMIT, "missing_phone": not request.user.phone},
    )


@contact_required
@require_GET
def minside_next_steps_card(request: CompanyRequest, pk: int):
    """What the contact person should do next for their company, from every app (NEXT_STEPS)."""
    company = get_company_for_user(request, pk)
    steps = next_steps(company=company, contact=request.contact_person, user=request.user)
    return render(request, "cards/next_steps.html", {"company": company, "steps": steps})
