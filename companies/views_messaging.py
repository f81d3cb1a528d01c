"""Documents, notices and message threads of a company.

Each view parses input, authorises through companies.permissions (staff of
this PTA reach every company, a contact person only their own; anything else
is 404), calls a service in companies.services, then redirects or renders.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies import selectors, services
from companies.models import Company, Document, DocumentKind, MessageThread, Visibility
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user, is_staff
from core.forms import add_validation_error, confirmed
from tenants.http import AuthenticatedRequest
from tenants.permissions import staff_required

ACCEPT = ".pdf,.png,.jpg,.jpeg,.xlsx,.docx,.csv,.txt"


# --- Forms: parsing only; the rules live in companies.services ----------------


class DocumentUploadForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to use the file name."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DocumentKind.choices, initial=DocumentKind.OTHER)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visible to"),
        choices=Visibility.choices,
        initial=Visibility.ADVISERS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, PNG, JPEG, XLSX, DOCX, CSV or TXT, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        allow_empty_file=True,  # core.files.validate_upload refuses it, with the file's name in the message
    )


class NoticeForm(forms.Form):
    ALL, SELECTED = "all", "selected"

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    audience = forms.ChoiceField(
        label=gettext_lazy("Send to"),
        choices=[
            (SELECTED, gettext_lazy("The companies I choose below")),
            (ALL, gettext_lazy("Every company of the PTA")),
        ],
        initial=SELECTED,
        widget=forms.RadioSelect,
    )
    companies = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Companies"),
        queryset=Company.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if data.get("audience") == self.SELECTED and not data.get("companies"):
            self.add_error("companies", _("Choose at least one company, or send to every company."))
        return data


class ThreadForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 6}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Reply"), widget=forms.Textarea(attrs={"rows": 4}))


# --- Permission helpers -------------------------------------------------------


def _get_document_for_user(request: CompanyRequest, pk: int, document_pk: int) -> Document:
    company = get_company_for_user(request, pk)
    document = get_object_or_404(selectors.document_list(company=company, staff=is_staff(request)), pk=document_pk)
    document.company = company  # already read
    return document


def _get_thread_for_user(request: CompanyRequest, pk: int, thread_pk: int) -> MessageThread:
    company = get_company_for_user(request, pk)
    return get_object_or_404(MessageThread.objects.select_related("company"), pk=thread_pk, company=company)


# --- Documents ----------------------------------------------------------------


def _documents_page(request: CompanyRequest, company: Company, upload_form: DocumentUploadForm | None = None):
    staff = is_staff(request)
    if staff and upload_form is None:
        upload_form = DocumentUploadForm()
    return render(
        request,
        "companies/messaging/documents.html",
        {
            "company": company,
            "tab": "documents",
            "is_staff": staff,
            "documents": selectors.document_list(company=company, staff=staff),
            "notices": selectors.notice_list_for_company(company=company),
            "threads": selectors.thread_list(company=company, user=request.user, staff=staff),
            "upload_form": upload_form,
        },
    )


@company_member_required
@require_GET
def company_documents(request: CompanyRequest, pk: int):
    return _documents_page(request, get_company_for_user(request, pk))


@staff_required
@require_POST
def document_upload(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk, staff_only=True)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.document_upload(
                company=company,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                visibility=form.cleaned_data["visibility"],
                uploaded_by=request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("“%(title)s” was uploaded.") % {"title": document.title})
            return redirect("companies:documents", pk=company.pk)
    return _documents_page(request, company, upload_form=form)


@company_member_required
@require_GET
def document_download(request: CompanyRequest, pk: int, document_pk: int):
    document = _get_document_for_user(request, pk, document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Always a download with the stored type, never rendered inline by the browser.
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def document_delete(request: CompanyRequest, pk: int, document_pk: int):
    """Confirm (GET, or a POST without the confirmation), then delete a document and its file."""
    document = _get_document_for_user(request, pk, document_pk)
    if not confirmed(request):
        return render(
            request,
            "companies/company_confirm.html",
            {
                "company": document.company,
                "tab": "documents",
                "question": _("Delete the document “%(title)s”?") % {"title": document.title},
                "consequences": [_("The file is deleted for good, for advisers and contact persons alike.")],
                "confirm_label": _("Delete the document"),
                "cancel_url": reverse("companies:documents", args=[pk]),
            },
        )
    services.document_delete(document=document)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": document.title})
    return redirect("companies:documents", pk=pk)


# --- Notices ------------------------------------------------------------------


@staff_required
@require_GET
def notice_list(request: AuthenticatedRequest):
    return render(request, "companies/messaging/notice_list.html", {"notices": selectors.notice_list()})


@staff_required
@require_http_methods(["GET", "POST"])
def notice_create(request: AuthenticatedRequest):
    form = NoticeForm(request.POST or None, initial={"companies": request.GET.getlist("company")})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["audience"] == NoticeForm.ALL:
            companies = Company.objects.all()
        else:
            companies = form.cleaned_data["companies"]
        try:
            notice = services.notice_create(
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                companies=companies,
                created_by=request.user,
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            count = notice.companies.count()
            messages.success(
                request,
                ngettext(
                    "The notice was sent to %(count)d company.", "The notice was sent to %(count)d companies.", count
                )
                % {"count": count},
            )
            return redirect("companies:notices")
    return render(request, "companies/messaging/notice_form.html", {"form": form})


# --- Message threads ----------------------------------------------------------


@company_member_required
@require_http_methods(["GET", "POST"])
def thread_create(request: CompanyRequest, pk: int):
    company = get_company_for_user(request, pk)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_start(
                company=company,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                author=request.user,
                from_staff=is_staff(request),
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Your message was sent."))
            return redirect("companies:thread", pk=company.pk, thread_pk=thread.pk)
    return render(
        request, "companies/messaging/thread_form.html", {"company": company, "tab": "documents", "form": form}
    )


@company_member_required
@require_http_methods(["GET", "POST"])
def thread_detail(request: CompanyRequest, pk: int, thread_pk: int):
    """The conversation; opening it marks it read. Replies post here (with htmx, only the conversation is swapped)."""
    thread = _get_thread_for_user(request, pk, thread_pk)
    form = ReplyForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        try:
            services.message_post(
                thread=thread, body=form.cleaned_data["body"], author=request.user, from_staff=is_staff(request)
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Your reply was sent."))
                return redirect("companies:thread", pk=pk, thread_pk=thread.pk)
            form, sent = ReplyForm(), True
    services.thread_mark_read(thread=thread, user=request.user)
    template = "companies/messaging/thread.html"
    return render(
        request,
        f"{template}#conversation" if request.htmx else template,
        {
            "company": thread.company,
            "tab": "documents",
            "thread": thread,
            "thread_messages": selectors.thread_messages(thread=thread),
            "form": form,
            "sent": sent,
        },
    )
