"""Pages composed from every app's cards (config/composition.py)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required


@staff_required
@require_GET
def staff_start(request: AuthenticatedRequest):
    """The adviser's "I dag": what needs attention, gathered from every app's cards."""
    return render(request, "staff_start.html")
