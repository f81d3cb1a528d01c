"""Documents, notices and message threads of a company: services (writes)
and selectors (reads). Views, tasks and commands all go through here."""

from __future__ import annotations

import os
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import tasks
from companies.models import (
    Company,
    ContactPerson,
    Document,
    Message,
    MessageThread,
    Notice,
    NotificationKind,
    NotificationSent,
    ThreadRead,
    Visibility,
)
from tenants.emails import send_templated_mail, tenant_url
from tenants.models import Membership, User
from tenants.permissions import STAFF

MAX_DOCUMENT_SIZE = 10 * 1024 * 1024
ALLOWED_TYPES_LABEL = "PDF, PNG, JPEG, XLSX, DOCX, CSV, TXT"


# --- File types, read from the content ------------------------------------


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", ("pdf",))
PNG = FileType("PNG", "image/png", ("png",))
JPEG = FileType("JPEG", "image/jpeg", ("jpg", "jpeg"))
DOCX = FileType("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
TEXT = FileType("CSV/TXT", "text/plain", ("csv", "txt"))

# Main parts of Office Open XML packages; macro-enabled variants (.docm, .xlsm) have other types.
_OOXML = [
    (DOCX, "word/document.xml", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    (XLSX, "xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
]
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _sniff_ooxml(file) -> FileType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:  # a zip bomb, not a content-types list
                return None
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return None  # Office only writes these two; zipfile cannot read some others
            content_types = archive.read(info)
    except (KeyError, zipfile.BadZipFile, zlib.error, RuntimeError, ValueError, EOFError):
        return None
    for file_type, main_part, main_type in _OOXML:
        if main_part in names and main_type in content_types:
            return file_type
    return None


def _sniff_text(data: bytes) -> str | None:
    """The charset if `data` is plain text (not markup), else None."""
    for charset, codec in (("utf-8", "utf-8-sig"), ("windows-1252", "cp1252")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _CONTROL_CHARS.search(text) or text.lstrip().startswith("<"):
            return None
        return charset
    return None


def detect_file_type(file) -> tuple[FileType, str] | None:
    """(type, content type) judged from the bytes alone, or None if not allowed."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF, PDF.content_type
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG, PNG.content_type
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG, JPEG.content_type
    if head.startswith(b"PK\x03\x04"):
        file_type = _sniff_ooxml(file)
        file.seek(0)
        return (file_type, file_type.content_type) if file_type else None
    data = file.read()
    file.seek(0)
    charset = _sniff_text(data) if data else None
    return (TEXT, f"text/plain; charset={charset}") if charset else None


def _clean_filename(name: str) -> str:
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext)] + ext
    return name or "document"


def validate_upload(upload: UploadedFile) -> tuple[str, str, str]:
    """Return (clean original name, extension, content type) or raise ValidationError naming the file."""
    name = _clean_filename(upload.name or "")
    if upload.size > MAX_DOCUMENT_SIZE:
        raise ValidationError({"file": _("“%(name)s” is larger than 10 MB.") % {"name": name}}, code="too_large")
    if not upload.size:
        raise ValidationError({"file": _("“%(name)s” is empty.") % {"name": name}}, code="empty")
    detected = detect_file_type(upload)
    if detected is None:
        raise ValidationError(
            {
                "file": _("“%(name)s” is not a file type we accept. Allowed types: %(types)s.")
                % {"name": name, "types": ALLOWED_TYPES_LABEL}
            },
            code="bad_type",
        )
    file_type, content_type = detected
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in file_type.extensions:
        # The extension decides how the file opens on the reader's machine, so it must match the content.
        raise ValidationError(
            {
                "file": _("The content of “%(name)s” is %(type)s, which does not match its file name.")
                % {"name": name, "type": file_type.label}
            },
            code="bad_extension",
        )
    if file_type is TEXT and ext == "csv":
        content_type = content_type.replace("text/plain", "text/csv")
    return name, ext, content_type


# --- Documents --------------------------------------------------------------


def document_list(*, company: Company, staff: bool) -> QuerySet[Document]:
    """The company's documents; contact persons see only those shared with them."""
    documents = company.documents.select_related("uploaded_by")
    if not staff:
        documents = documents.filter(visibility=Visibility.CONTACTS)
    return documents


def document_upload(
    *, company: Company, upload: UploadedFile, title: str, kind: str, visibility: str, uploaded_by: User
) -> Document:
    """Store a document for a company.

    Rules: at most 10 MB; the type is read from the content (PDF, PNG, JPEG,
    XLSX, DOCX, CSV/TXT) and must agree with the file's extension. The file
    is stored as documents/<schema>/<company>/<uuid>.<ext>, never under the
    user's file name. Raises ValidationError (naming the file) and stores
    nothing on bad input.
    """
    name, ext, content_type = validate_upload(upload)
    document = Document(
        company=company,
        title=title.strip() or os.path.splitext(name)[0][:200],
        kind=kind,
        visibility=visibility,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=uploaded_by,
    )
    document.full_clean(exclude=["file"])
    storage = document.file.storage
    upload.seek(0)
    document.file.name = storage.save(
        f"documents/{connection.schema_name}/{company.pk}/{uuid.uuid4().hex}.{ext}", upload
    )
    try:
        with transaction.atomic():
            document.save()
    except BaseException:
        storage.delete(document.file.name)
        raise
    return document


def document_delete(*, document: Document) -> None:
    """Delete a document; its file leaves storage once the deletion has committed."""
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        document.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- Notices ----------------------------------------------------------------


def notice_list_for_company(*, company: Company) -> QuerySet[Notice]:
    return company.notices.select_related("created_by")


def notice_list(*, limit: int = 50) -> QuerySet[Notice]:
    return Notice.objects.select_related("created_by").annotate(company_count=Count("companies"))[:limit]


def notice_create(*, title: str, body: str, companies: Iterable[Company], created_by: User) -> Notice:
    """Send a notice to the given companies (one, a selection, or all).

    Side effect: after commit, each targeted company's contact persons get an
    e-mail (companies.tasks.send_notice_notifications).
    """
    companies = list(companies)
    if not companies:
        raise ValidationError({"companies": _("Choose at least one company.")})
    notice = Notice(title=" ".join(title.split()), body=body.strip(), created_by=created_by)
    notice.full_clean()
    with transaction.atomic():
        notice.save()
        notice.companies.set(companies)
        tasks.send_notice_notifications.delay_on_commit(notice.pk)
    return notice


# --- Message threads ----------------------------------------------------------


def _with_unread(threads: QuerySet[MessageThread], *, user: User, staff: bool) -> QuerySet[MessageThread]:
    """Annotate `unread`: messages from the other side (staff for a contact person,
    contact persons for staff) newer than the user's read marker, counted in SQL."""
    return threads.annotate(
        my_read=FilteredRelation("reads", condition=Q(reads__user_id=user.pk)),
        message_count=Count("messages"),
        unread=Count(
            "messages",
            filter=Q(messages__from_staff=not staff)
            & ~Q(messages__author_id=user.pk)
            & (Q(my_read__last_read_at__isnull=True) | Q(messages__created_at__gt=F("my_read__last_read_at"))),
        ),
    )


def thread_list(*, company: Company, user: User, staff: bool) -> QuerySet[MessageThread]:
    return _with_unread(company.threads.all(), user=user, staff=staff).order_by("-last_message_at", "-pk")


def _is_staff(user: User) -> bool:
    return Membership.objects.filter(user=user, tenant=connection.tenant, role__in=STAFF).exists()


def unread_thread_count(*, user: User, company_ids: Iterable[int] | None = None) -> int:
    """Threads with messages from the other side that this user has not read, for start pages.

    Staff of this PTA count every company's threads, anyone else only the
    companies they are a contact person for; `company_ids` narrows it further.
    """
    staff = _is_staff(user)
    threads = (
        MessageThread.objects.all() if staff else MessageThread.objects.filter(company__contact_persons__user=user)
    )
    if company_ids is not None:
        threads = threads.filter(company_id__in=list(company_ids))
    return _with_unread(threads, user=user, staff=staff).filter(unread__gt=0).count()


def thread_messages(*, thread: MessageThread) -> QuerySet[Message]:
    return thread.messages.select_related("author")


def thread_mark_read(*, thread: MessageThread, user: User) -> None:
    ThreadRead.objects.update_or_create(thread=thread, user=user, defaults={"last_read_at": timezone.now()})


def thread_start(*, company: Company, subject: str, body: str, author: User, from_staff: bool) -> MessageThread:
    """Start a thread on a company with its first message (see message_post for the side effects)."""
    thread = MessageThread(company=company, subject=" ".join(subject.split()))
    thread.full_clean()
    with transaction.atomic():
        thread.save()
        message_post(thread=thread, body=body, author=author, from_staff=from_staff)
    return thread


def message_post(*, thread: MessageThread, body: str, author: User, from_staff: bool) -> Message:
    """Add a message to a thread and mark the thread read for its author.

    Side effect: after commit, the other side is e-mailed
    (companies.tasks.send_message_notifications).
    """
    message = Message(thread=thread, body=body.strip(), author=author, from_staff=from_staff)
    message.full_clean()
    with transaction.atomic():
        message.save()
        MessageThread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
        ThreadRead.objects.update_or_create(thread=thread, user=author, defaults={"last_read_at": message.created_at})
        tasks.send_message_notifications.delay_on_commit(message.pk)
    thread.last_message_at = message.created_at
    return message


# --- E-mail notifications (run by companies.tasks) ----------------------------


def _send_once(*, kind: str, object_id: int, users: Iterable[User], send: Callable[[User], None]) -> int:
    """Send to each user at most once: the NotificationSent row is claimed in
    the same transaction as the mail is sent, so a failed send leaves no row
    (a retry sends it) and a sent one leaves a row (a retry skips it)."""
    sent = 0
    for user in users:
        with transaction.atomic():
            _row, created = NotificationSent.objects.get_or_create(kind=kind, object_id=object_id, user_id=user.pk)
            if not created:
                continue
            send(user)
        sent += 1
    return sent


def message_recipients(*, message: Message) -> QuerySet[User]:
    """Staff wrote: the company's contact persons. A contact person wrote: the
    responsible adviser, or every PTA admin and adviser if the company has none
    (or that adviser has left the PTA). Never the author."""
    company = message.thread.company
    staff = Membership.objects.filter(tenant=connection.tenant, role__in=STAFF)
    if message.from_staff:
        user_ids = list(ContactPerson.objects.filter(company=company).values_list("user_id", flat=True))
    elif company.adviser_id and staff.filter(user_id=company.adviser_id).exists():
        user_ids = [company.adviser_id]
    else:
        user_ids = list(staff.values_list("user_id", flat=True))
    return User.objects.filter(pk__in=user_ids, is_active=True).exclude(pk=message.author_id).order_by("pk")


def message_notify(*, message_id: int) -> int:
    """E-mail the other side about a new message, once per recipient. Returns the number sent."""
    message = Message.objects.select_related("thread__company", "author").filter(pk=message_id).first()
    if message is None:
        return 0
    thread = message.thread
    path = reverse("companies:thread", kwargs={"pk": thread.company_id, "thread_pk": thread.pk}, urlconf="config.urls")
    context = {
        "tenant": connection.tenant,
        "company": thread.company,
        "thread": thread,
        "message": message,
        "url": tenant_url(connection.tenant, path),
    }
    return _send_once(
        kind=NotificationKind.MESSAGE,
        object_id=message.pk,
        users=message_recipients(message=message),
        send=lambda user: send_templated_mail(template="new_message", to=[user.email], context=context),
    )


def notice_notify(*, notice_id: int) -> int:
    """E-mail a notice to the contact persons of the companies it was sent to, once per person."""
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return 0
    # A person who is contact for several of the companies gets one e-mail, linking to the first.
    company_of: dict[int, Company] = {}
    for contact in (
        ContactPerson.objects.filter(company__notices=notice).select_related("company").order_by("company__name", "pk")
    ):
        company_of.setdefault(contact.user_id, contact.company)
    users = User.objects.filter(pk__in=list(company_of), is_active=True).order_by("pk")

    def send(user: User) -> None:
        company = company_of[user.pk]
        path = reverse("companies:documents", kwargs={"pk": company.pk}, urlconf="config.urls")
        send_templated_mail(
            template="notice",
            to=[user.email],
            context={
                "tenant": connection.tenant,
                "company": company,
                "notice": notice,
                "url": tenant_url(connection.tenant, path),
            },
        )

    return _send_once(kind=NotificationKind.NOTICE, object_id=notice.pk, users=users, send=send)
