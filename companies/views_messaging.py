"""Documents, notices and message threads of a company."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from companies.models import Visibility
from companies.permissions import company_member_required, get_company_for_user, is_staff


@company_member_required
@require_GET
def company_documents(request, pk: int):
    company = get_company_for_user(request, pk)
    documents = company.documents.all()
    if not is_staff(request):
        documents = documents.filter(visibility=Visibility.CONTACTS)
    return render(
        request, "companies/messaging/documents.html", {"company": company, "documents": documents, "tab": "documents"}
    )
