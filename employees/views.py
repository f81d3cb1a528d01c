"""Employee list pages, shared by PTA staff and contact persons who may edit
the list. Every view starts with get_company_for_user: another company is
404, a contact person without the right is 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.models import Company
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user, is_staff
from core.forms import add_validation_error, confirmed
from core.imports import with_live_progress
from core.paging import list_page
from core.samples import sample_response
from core.tabular import TableError
from employees import exporting, selectors, services
from employees.forms import ColumnMappingForm, EmployeeForm, EmployeeStatusForm, ImportUploadForm
from employees.importing import FIELD_LABELS, HEADER_SYNONYMS, SAMPLE_HEADERS, SAMPLE_ROWS, employee_field_label
from employees.models import (
    Employee,
    EmployeeExport,
    EmployeeImport,
    EmployeeStatus,
    ExportFormat,
    ExportStatus,
    ImportStatus,
)
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required

RIGHT = "can_edit_employees"
PAGE_SIZE = 100
SORT_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("email", gettext_lazy("Work e-mail")),
    ("employee_number", gettext_lazy("Employee number")),
    ("location", gettext_lazy("Location")),
    ("department", gettext_lazy("Department")),
    ("status", gettext_lazy("Status")),
    ("start_date", gettext_lazy("Start date")),
]


def _get_company(request: CompanyRequest, company_pk: int) -> Company:
    return get_company_for_user(request, company_pk, right=RIGHT)


def _get_employee_for_user(request: CompanyRequest, company_pk: int, pk: int) -> tuple[Company, Employee]:
    company = _get_company(request, company_pk)
    return company, get_object_or_404(Employee, pk=pk, company=company)


def _get_import_for_user(request: CompanyRequest, company_pk: int, pk: int) -> tuple[Company, EmployeeImport]:
    company = _get_company(request, company_pk)
    return company, get_object_or_404(EmployeeImport.objects.select_related("company"), pk=pk, company=company)


def _get_export_for_user(request: CompanyRequest, company_pk: int, pk: int) -> tuple[Company, EmployeeExport]:
    company = _get_company(request, company_pk)
    return company, get_object_or_404(EmployeeExport, pk=pk, company=company)


def _context(request: CompanyRequest, company: Company, **extra) -> dict:
    return {"company": company, "tab": "employees", "contact_person": getattr(request, "contact_person", None), **extra}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# The list and single employees ---------------------------------------------------------


@company_member_required
@require_GET
def employee_list(request: CompanyRequest, company_pk: int):
    company = _get_company(request, company_pk)
    filters = {
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "location": _int(request.GET.get("location")),
        "department": _int(request.GET.get("department")),
    }
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort.lstrip("-") not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT
    employees = selectors.employee_list(
        company=company,
        search=filters["q"],
        status=filters["status"],
        location_id=filters["location"],
        department_id=filters["department"],
        sort=sort,
    )
    page = Paginator(employees, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    columns = [
        {
            "key": key,
            "label": label,
            "next": f"-{key}" if sort == key else key,
            "aria_sort": "ascending" if sort == key else "descending" if sort == f"-{key}" else "",
        }
        for key, label in SORT_COLUMNS
    ]
    context = _context(
        request,
        company,
        page=page,
        filters=filters,
        sort=sort,
        columns=columns,
        query=query,
        statuses=EmployeeStatus.choices,
        locations=list(company.locations.all()),
        departments=list(company.departments.all()),
    )
    template = "employees/employee_list.html#results" if request.htmx else "employees/employee_list.html"
    return render(request, template, context)


@company_member_required
@require_http_methods(["GET", "POST"])
def employee_create(request: CompanyRequest, company_pk: int):
    company = _get_company(request, company_pk)
    form = EmployeeForm(request.POST or None, instance=Employee(company=company))
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employee_create(company=company, data=form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": employee})
            return redirect("employees:list", company.pk)
    return render(request, "employees/employee_form.html", _context(request, company, form=form, employee=None))


@company_member_required
@require_http_methods(["GET", "POST"])
def employee_edit(request: CompanyRequest, company_pk: int, pk: int):
    company, employee = _get_employee_for_user(request, company_pk, pk)
    form = EmployeeForm(request.POST or None, instance=employee)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(employee=employee, data=form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": employee})
            return redirect("employees:list", company.pk)
    status_form = EmployeeStatusForm(
        initial={
            "status": employee.status,
            "end_date": employee.end_date,
            "leave_from": employee.leave_from,
            "leave_until": employee.leave_until,
        },
        prefix="status",
    )
    return render(
        request,
        "employees/employee_form.html",
        _context(request, company, form=form, employee=employee, status_form=status_form),
    )


@company_member_required
@require_POST
def employee_status(request: CompanyRequest, company_pk: int, pk: int):
    company, employee = _get_employee_for_user(request, company_pk, pk)
    form = EmployeeStatusForm(request.POST, prefix="status")
    if form.is_valid():
        try:
            services.employee_set_status(employee=employee, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now recorded as “%(status)s”.")
                % {"name": employee, "status": employee.get_status_display()},
            )
            return redirect("employees:edit", company.pk, employee.pk)
    employee.refresh_from_db()
    return render(
        request,
        "employees/employee_form.html",
        _context(request, company, form=EmployeeForm(instance=employee), employee=employee, status_form=form),
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def employee_delete(request: CompanyRequest, company_pk: int, pk: int):
    company, employee = _get_employee_for_user(request, company_pk, pk)
    if confirmed(request):  # a POST without the confirmation page's field shows the page again
        services.employee_delete(employee=employee)
        messages.success(request, _("%(name)s was removed from the list.") % {"name": employee})
        return redirect("employees:list", company.pk)
    return render(request, "employees/employee_confirm_delete.html", _context(request, company, employee=employee))


@company_member_required
@require_POST
def employee_export(request: CompanyRequest, company_pk: int, fmt: str):
    """A small list is the download itself; a large one is written by the
    Celery worker while the export's page shows its progress."""
    company = _get_company(request, company_pk)
    if fmt not in ExportFormat.values:
        raise Http404
    if company.employees.count() > exporting.DIRECT_EXPORT_MAX:
        export = services.employee_export_start(company=company, fmt=fmt, user_id=request.user.pk)
        return redirect("employees:export_progress", company.pk, export.pk)
    response = HttpResponse(
        exporting.employee_export_content(company=company, fmt=fmt), content_type=exporting.CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{exporting.export_filename(company, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@company_member_required
@require_GET
def export_progress(request: CompanyRequest, company_pk: int, pk: int):
    company, export = _get_export_for_user(request, company_pk, pk)
    template = "employees/export_progress.html#progress" if request.htmx else "employees/export_progress.html"
    return render(request, template, _context(request, company, export=export))


@company_member_required
@require_GET
def export_download(request: CompanyRequest, company_pk: int, pk: int):
    company, export = _get_export_for_user(request, company_pk, pk)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=exporting.export_filename(company, export.format, timezone.localdate(export.created_at)),
        content_type=exporting.CONTENT_TYPES[export.format],
    )
    # Always a download, never rendered by the browser, never kept in a shared cache.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# Import: upload -> (columns) -> preview -> confirm -> progress and result ---------------------


@company_member_required
@require_GET
def import_sample(request: CompanyRequest, company_pk: int, fmt: str):
    """A small file with the recognised headers and two example employees (csv or xlsx), for
    whoever may import this company's list."""
    _get_company(request, company_pk)
    return sample_response(fmt=fmt, headers=SAMPLE_HEADERS, rows=SAMPLE_ROWS, name="ansatte-eksempel")


@company_member_required
@require_http_methods(["GET", "POST"])
def import_upload(request: CompanyRequest, company_pk: int):
    company = _get_company(request, company_pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            employee_import = services.employee_import_create(
                company=company,
                content=upload.read(),
                filename=upload.name,
                user_id=request.user.pk,
                full_list=form.cleaned_data["full_list"],
                create_missing=form.cleaned_data["create_missing"],
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            if employee_import.status == ImportStatus.UPLOADED:
                return redirect("employees:import_mapping", company.pk, employee_import.pk)
            return redirect("employees:import_preview", company.pk, employee_import.pk)
    return render(
        request,
        "employees/import_upload.html",
        _context(
            request,
            company,
            form=form,
            imports=selectors.employee_import_list(company=company)[:10],
            synonyms=[(FIELD_LABELS[name], names) for name, names in HEADER_SYNONYMS.items()],
        ),
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: CompanyRequest, company_pk: int, pk: int):
    company, employee_import = _get_import_for_user(request, company_pk, pk)
    if employee_import.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        return redirect("employees:import_progress", company.pk, employee_import.pk)
    try:
        columns = selectors.employee_import_columns(employee_import=employee_import)
    except TableError as exc:
        # The stored file is read again here; the import limits may have changed since it was uploaded.
        messages.error(request, str(exc))
        return redirect("employees:import_upload", company.pk)
    form = ColumnMappingForm(
        request.POST or None,
        columns=columns,
        initial={"full_list": employee_import.full_list, "create_missing": employee_import.create_missing},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_import_set_mapping(
                employee_import=employee_import,
                mapping=form.mapping(),
                full_list=form.cleaned_data["full_list"],
                create_missing=form.cleaned_data["create_missing"],
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            return redirect("employees:import_preview", company.pk, employee_import.pk)
    return render(
        request,
        "employees/import_mapping.html",
        _context(
            request,
            company,
            form=form,
            employee_import=employee_import,
            rows=[(c, None if c["national_id"] else form[f"column_{c['index']}"]) for c in columns],
        ),
    )


@company_member_required
@require_GET
def import_preview(request: CompanyRequest, company_pk: int, pk: int):
    company, employee_import = _get_import_for_user(request, company_pk, pk)
    if employee_import.status == ImportStatus.UPLOADED:
        return redirect("employees:import_mapping", company.pk, employee_import.pk)
    if employee_import.status != ImportStatus.PREVIEWED:
        return redirect("employees:import_progress", company.pk, employee_import.pk)
    return render(
        request,
        "employees/import_preview.html",
        _context(
            request,
            company,
            employee_import=employee_import,
            preview=_preview_for_display(request, employee_import.preview),
            errors=_errors(request, employee_import),
        ),
    )


def _preview_for_display(request: CompanyRequest, preview: dict) -> dict:
    """The samples a page at a time (`added_page`, `updated_page`,
    `left_page`), field labels in the reader's language (the preview stores
    field keys)."""

    def with_labels(item: dict) -> dict:
        return {**item, "changes": [[employee_field_label(key), old, new] for key, old, new in item["changes"]]}

    return {
        **preview,
        "added": list_page(request, preview.get("added", []), param="added_page"),
        "updated": list_page(request, preview.get("updated", []), param="updated_page", shown=with_labels),
        "left": list_page(request, preview.get("left", []), param="left_page"),
    }


@company_member_required
@require_POST
def import_confirm(request: CompanyRequest, company_pk: int, pk: int):
    company, employee_import = _get_import_for_user(request, company_pk, pk)
    try:
        services.employee_import_confirm(employee_import=employee_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("employees:import_preview", company.pk, employee_import.pk)
    return redirect("employees:import_progress", company.pk, employee_import.pk)


@company_member_required
@require_GET
def import_progress(request: CompanyRequest, company_pk: int, pk: int):
    company, employee_import = _get_import_for_user(request, company_pk, pk)
    if employee_import.status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        return redirect("employees:import_preview", company.pk, employee_import.pk)
    employee_import = with_live_progress(employee_import)  # the run reports through the cache
    template = "employees/import_progress.html#progress" if request.htmx else "employees/import_progress.html"
    return render(
        request,
        template,
        _context(request, company, employee_import=employee_import, errors=_errors(request, employee_import)),
    )


def _errors(request: CompanyRequest, employee_import: EmployeeImport):
    """The kept errors a page at a time (`errors_page`), with the field's label."""
    return list_page(
        request,
        employee_import.errors,
        param="errors_page",
        shown=lambda error: {**error, "label": employee_field_label(error["field"])},
    )


# Cards on other apps' pages (config.composition) ----------------------------------------


@company_member_required
@require_GET
def counts_card(request: CompanyRequest, company_pk: int):
    """The company's employees by status, for the company overview and Min side."""
    company = get_company_for_user(request, company_pk)
    may_edit = is_staff(request) or request.contact_person.can_edit_employees
    return render(
        request,
        "employees/cards/counts.html",
        {"company": company, "counts": selectors.employee_counts(company=company), "may_edit": may_edit},
    )


@staff_required
@require_GET
def today_card(request: AuthenticatedRequest):
    return render(request, "employees/cards/today.html", {"count": selectors.employees_on_lists_count()})
