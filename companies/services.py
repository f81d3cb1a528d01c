from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import importing, tasks
from companies.import_execution import company_import_execute, record_result
from companies.models import (
    Agreement,
    Company,
    CompanyImport,
    CompanyStatus,
    CompanyStatusChange,
    ContactPerson,
    Department,
    Document,
    Location,
    Message,
    MessageThread,
    Notice,
    ThreadRead,
)
from companies.permissions import RIGHTS
from core import imports, outbox
from core.files import clean_filename, validate_upload
from core.importing import ImportSummary
from tenants.models import Invitation, Membership, Pta, Role, User
from tenants.services import invitation_create


def contact_person_link_from_invitation(user: User, invitation: Invitation) -> None:
    """Limit a new contact person to the companies named in their invitation.

    Runs inside tenants.services.invitation_accept's transaction, on the
    tenant's own host.
    """
    if invitation.role != Role.CONTACT:
        return
    rights = {k: bool(v) for k, v in invitation.contact_rights.items() if k in RIGHTS}
    for company in Company.objects.filter(pk__in=invitation.company_ids):
        ContactPerson.objects.get_or_create(user=user, company=company, defaults=rights)


def user_invite(
    *, tenant: Pta, email: str, role: str, invited_by: User, company_ids: list[int] | None = None
) -> Invitation:
    """Invite someone to this PTA (tenants.services.invitation_create); a contact
    person's e-mail names the companies they are invited to."""
    company_ids = list(company_ids or [])
    names = list(Company.objects.filter(pk__in=company_ids).order_by("name").values_list("name", flat=True))
    invitation, _token = invitation_create(
        tenant=tenant, email=email, role=role, invited_by=invited_by, company_ids=company_ids, company_names=names
    )
    return invitation


def membership_revoke(*, membership: Membership) -> None:
    """Remove a user's access to this PTA at once, with their company links."""
    with transaction.atomic():
        ContactPerson.objects.filter(user_id=membership.user_id).delete()
        membership.delete()


# --- Company register -------------------------------------------------------


ADVISER_ROLES = (Role.ADVISER, Role.PTA_ADMIN)


def company_create(*, data: dict, user: User | None = None) -> Company:
    """Create a company; its first status is recorded as a status change.

    With no responsible adviser given, the adviser (or PTA admin) of this PTA
    who creates it becomes responsible for it."""
    data = dict(data)
    if not data.get("adviser_id") and user is not None and _is_adviser_here(user):
        data["adviser_id"] = user.pk
    company = Company(**data)
    company.status_changed_on = company.status_changed_on or timezone.localdate()
    company.full_clean()
    with transaction.atomic():
        company.save()
        CompanyStatusChange.objects.create(
            company=company,
            status=company.status,
            changed_on=company.status_changed_on,
            changed_by_id=user.pk if user else None,
        )
    return company


def _is_adviser_here(user: User) -> bool:
    return Membership.objects.filter(user=user, tenant=connection.tenant, role__in=ADVISER_ROLES).exists()


def company_update(*, company: Company, data: dict) -> Company:
    """Edit the register fields. The status has its own service (it keeps a history of dates)."""
    data.pop("status", None)
    for name, value in data.items():
        setattr(company, name, value)
    company.full_clean()
    company.save()
    return company


def company_set_status(*, company: Company, status: str, changed_on: date | None, user: User | None) -> Company:
    """Move a company along prospect → member → paused → ended, recording the date of each change."""
    if status not in CompanyStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    changed_on = changed_on or timezone.localdate()
    with transaction.atomic():
        company.status = status
        company.status_changed_on = changed_on
        company.save(update_fields=["status", "status_changed_on"])
        CompanyStatusChange.objects.create(
            company=company, status=status, changed_on=changed_on, changed_by_id=user.pk if user else None
        )
    return company


def agreement_save(*, company: Company, data: dict) -> Agreement:
    agreement = Agreement.objects.filter(company=company).first() or Agreement(company=company)
    for name, value in data.items():
        setattr(agreement, name, value)
    if agreement.start_date and agreement.end_date and agreement.end_date < agreement.start_date:
        raise ValidationError({"end_date": _("The agreement cannot end before it starts.")})
    agreement.full_clean()
    agreement.save()
    return agreement


def location_add(*, company: Company, data: dict) -> Location:
    location = Location(company=company, **data)
    location.full_clean()
    location.save()
    return location


def department_add(*, company: Company, name: str) -> Department:
    department = Department(company=company, name=name.strip())
    department.full_clean()
    department.save()
    return department


def location_remove(*, location: Location) -> None:
    """Remove a location. Employees registered there stay, with no location."""
    with transaction.atomic():
        location.delete()


def department_remove(*, department: Department) -> None:
    """Remove a department. Employees registered there stay, with no department."""
    with transaction.atomic():
        department.delete()


# --- Contact persons --------------------------------------------------------


def contact_person_add(
    *, tenant: Pta, company: Company, email: str, rights: dict[str, bool], invited_by: User
) -> ContactPerson | Invitation:
    """Give someone access to a company as its contact person.

    A person who is already a contact person in this PTA is linked at once;
    anyone else gets an e-mailed invitation. Staff of the PTA cannot be
    contact persons (one role per PTA).
    """
    email = email.strip().lower()
    rights = {name: bool(rights.get(name)) for name in RIGHTS}
    membership = Membership.objects.filter(tenant=tenant, user__email__iexact=email).select_related("user").first()
    if membership is None:
        invitation, _token = invitation_create(
            tenant=tenant,
            email=email,
            role=Role.CONTACT,
            invited_by=invited_by,
            company_ids=[company.pk],
            contact_rights=rights,
            company_names=[company.name],
        )
        return invitation
    if membership.role != Role.CONTACT:
        raise ValidationError(
            {
                "email": _("%(email)s already works here as %(role)s.")
                % {"email": email, "role": membership.get_role_display()}
            }
        )
    contact, created = ContactPerson.objects.get_or_create(user=membership.user, company=company, defaults=rights)
    if not created:
        raise ValidationError(
            {"email": _("%(email)s is already a contact person for this company.") % {"email": email}}
        )
    return contact


def contact_person_set_rights(*, contact: ContactPerson, rights: dict[str, bool]) -> ContactPerson:
    for name in RIGHTS:
        setattr(contact, name, bool(rights.get(name)))
    contact.save(update_fields=list(RIGHTS))
    return contact


def contact_person_remove(*, contact: ContactPerson, tenant: Pta) -> None:
    """Revoke a contact person's access to one company at once. With no company
    left in this PTA, their membership goes too."""
    with transaction.atomic():
        user_id = contact.user_id
        contact.delete()
        if not ContactPerson.objects.filter(user_id=user_id).exists():
            Membership.objects.filter(user_id=user_id, tenant=tenant, role=Role.CONTACT).delete()


# --- Documents, notices and message threads ---------------------------------


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


def notice_create(*, title: str, body: str, companies: Iterable[Company], created_by: User) -> Notice:
    """Send a notice to the given companies (one, a selection, or all).

    Side effect: each targeted company's contact persons get an e-mail
    (companies.tasks.send_notice_notifications), through the outbox: the row
    commits with the notice and is handed to Celery on commit or, if the
    broker is down then, by the relay.
    """
    companies = list(companies)
    if not companies:
        raise ValidationError({"companies": _("Choose at least one company.")})
    notice = Notice(title=" ".join(title.split()), body=body.strip(), created_by=created_by)
    notice.full_clean()
    with transaction.atomic():
        notice.save()
        notice.companies.set(companies)
        outbox.enqueue(task=tasks.send_notice_notifications, args=[notice.pk], key=f"companies.notice:{notice.pk}")
    return notice


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

    Side effect: the other side is e-mailed
    (companies.tasks.send_message_notifications), through the outbox: the row
    commits with the message and is handed to Celery on commit or, if the
    broker is down then, by the relay.
    """
    message = Message(thread=thread, body=body.strip(), author=author, from_staff=from_staff)
    message.full_clean()
    with transaction.atomic():
        message.save()
        MessageThread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
        ThreadRead.objects.update_or_create(thread=thread, user=author, defaults={"last_read_at": message.created_at})
        outbox.enqueue(task=tasks.send_message_notifications, args=[message.pk], key=f"companies.message:{message.pk}")
    thread.last_message_at = message.created_at
    return message


# --- Bulk onboarding: company imports ---------------------------------------

# Imports with more rows than this run in the Celery worker, with a progress page.
IMPORT_CELERY_THRESHOLD = 1000


def company_import_create(*, content: bytes, filename: str, user_id: int | None) -> CompanyImport:
    """Store an uploaded file of companies (imports/<schema>/) and preview it
    at once: every row is checked and compared with the register, and the
    counts, errors and samples are kept on the import row. Nothing else is
    written. Raises ValidationError, storing nothing, if the file is larger
    than 20 MB or cannot be read as a table."""
    if len(content) > imports.MAX_IMPORT_SIZE:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    result = importing.company_import_preview(data=content, filename=filename)
    unreadable = [error.message for error in result.errors if error.row == 0]
    if unreadable:
        raise ValidationError({"file": unreadable})
    return _company_import_store(content=content, filename=filename, user_id=user_id, result=result)


def _company_import_store(
    *, content: bytes, filename: str, user_id: int | None, result: importing.CompanyImportResult
) -> CompanyImport:
    company_import = CompanyImport(
        created_by_id=user_id, original_name=clean_filename(filename), status=imports.ImportStatus.PREVIEWED
    )
    record_result(company_import, result)
    imports.store_file(company_import, content=content, filename=filename)
    return company_import


def company_import_file(
    *, content: bytes, filename: str, user_id: int | None = None, dry_run: bool = False
) -> ImportSummary:
    """Check, preview and import a file in one go, as `manage.py
    import_companies` does: checked and compared for the preview, then
    compared again as it is written (company_import_execute). With any error
    nothing is written, not even the import row or its file; `dry_run` only
    checks and counts."""
    result = importing.company_import_preview(data=content, filename=filename)
    if result.errors or dry_run:
        return result.summary()
    company_import = _company_import_store(content=content, filename=filename, user_id=user_id, result=result)
    company_import = company_import_confirm(company_import=company_import, run_now=True)
    if company_import.status == imports.ImportStatus.FAILED:
        # The register changed between the check and the write (the file is already gone).
        CompanyImport.objects.filter(pk=company_import.pk).delete()
    return company_import.summary()


def company_import_confirm(*, company_import: CompanyImport, run_now: bool = False) -> CompanyImport:
    """Start a previewed import without errors: in this process if it has at
    most IMPORT_CELERY_THRESHOLD rows (or `run_now`, as the command line
    does), else in the Celery worker (companies.tasks.run_company_import,
    queued through the outbox in this transaction). Confirming twice does nothing the
    second time. Raises ValidationError if the preview found errors."""
    return imports.import_confirm(
        company_import,
        threshold=IMPORT_CELERY_THRESHOLD,
        task=tasks.run_company_import,
        execute=company_import_execute,
        run_now=run_now,
    )
