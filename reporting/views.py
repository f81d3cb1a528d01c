from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from companies import selectors as company_selectors
from reporting import selectors
from tenants.permissions import staff_required


@staff_required
@require_GET
def staff_start(request):
    """The adviser's "Today": what needs attention, gathered from every app."""
    return render(
        request,
        "reporting/staff_start.html",
        {
            **company_selectors.staff_start_figures(user=request.user),
            "unread_threads": company_selectors.unread_thread_count(user=request.user),
            "failed_imports": selectors.failed_imports(),
        },
    )
