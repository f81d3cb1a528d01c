"""Bulk onboarding of companies from a file, for PTA staff: upload → preview
→ confirm → progress and result, the same steps as the employee import
(core.imports). Every view checks the role first (staff_required), then finds
the import with _get_import_for_user: a PTA's schema holds only its own
imports, so another PTA's id is 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import services
from companies.forms import FileForm
from companies.importing import REQUIRED, SAMPLE_HEADERS, SAMPLE_ROWS, SYNONYMS, company_field_label
from companies.models import CompanyImport
from core.forms import add_validation_error
from core.imports import UNCONFIRMED, with_live_progress
from core.paging import list_page
from core.samples import sample_response
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required

RECENT_IMPORTS = 10


def _get_import_for_user(request: AuthenticatedRequest, pk: int) -> CompanyImport:
    return get_object_or_404(CompanyImport, pk=pk)


@staff_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedRequest):
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            company_import = services.company_import_create(
                content=upload.read(), filename=upload.name, user_id=request.user.pk
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            return redirect("companies:import_preview", pk=company_import.pk)
    return render(
        request,
        "companies/company_import.html",
        {
            "form": form,
            "imports": CompanyImport.objects.all()[:RECENT_IMPORTS],
            "synonyms": [(company_field_label(name), names) for name, names in SYNONYMS.items()],
            "required": [str(company_field_label(name)) for name in REQUIRED],
        },
    )


@staff_required
@require_GET
def import_sample(request: AuthenticatedRequest, fmt: str):
    """A small file with the recognised headers and two example rows (csv or xlsx)."""
    return sample_response(fmt=fmt, headers=SAMPLE_HEADERS, rows=SAMPLE_ROWS, name="bedrifter-eksempel")


@staff_required
@require_GET
def import_preview(request: AuthenticatedRequest, pk: int):
    company_import = _get_import_for_user(request, pk)
    if company_import.status not in UNCONFIRMED:
        return redirect("companies:import_progress", pk=company_import.pk)
    return render(
        request,
        "companies/company_import_preview.html",
        {
            "company_import": company_import,
            "preview": _preview_for_display(request, company_import.preview),
            "errors": _errors(request, company_import),
        },
    )


@staff_required
@require_POST
def import_confirm(request: AuthenticatedRequest, pk: int):
    company_import = _get_import_for_user(request, pk)
    try:
        services.company_import_confirm(company_import=company_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("companies:import_preview", pk=company_import.pk)
    return redirect("companies:import_progress", pk=company_import.pk)


@staff_required
@require_GET
def import_progress(request: AuthenticatedRequest, pk: int):
    company_import = with_live_progress(_get_import_for_user(request, pk))
    if company_import.status in UNCONFIRMED:
        return redirect("companies:import_preview", pk=company_import.pk)
    template = (
        "companies/company_import_progress.html#progress" if request.htmx else "companies/company_import_progress.html"
    )
    return render(
        request,
        template,
        {"company_import": company_import, "errors": _errors(request, company_import)},
    )


def _preview_for_display(request: AuthenticatedRequest, preview: dict) -> dict:
    """The samples a page at a time (`added_page`, `updated_page`), field
    labels in the reader's language (the preview stores field keys)."""

    def with_labels(item: dict) -> dict:
        return {**item, "changes": [[company_field_label(key), old, new] for key, old, new in item["changes"]]}

    return {
        **preview,
        "added": list_page(request, preview.get("added", []), param="added_page"),
        "updated": list_page(request, preview.get("updated", []), param="updated_page", shown=with_labels),
    }


def _errors(request: AuthenticatedRequest, company_import: CompanyImport):
    """The kept errors a page at a time (`errors_page`), with the field's label."""
    return list_page(
        request,
        company_import.errors,
        param="errors_page",
        shown=lambda error: {**error, "label": company_field_label(error["field"])},
    )
