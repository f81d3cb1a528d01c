"""The life of an uploaded import file, shared by every import (employees,
companies, and those to come): the file is stored and a status row made
(uploaded → previewed → queued → running → done/failed); the user sees a
preview, confirms it once, and the import runs in the request or, when it is
large, in the Celery worker, while the page polls the row for progress. The
file is deleted when the import ends; uploads nobody confirmed are purged.

What is read from the file, how it is compared and what is written belongs
to each app; this module holds only the steps every import takes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.importing import ImportSummary, RowError
from core.models import user_fk

IMPORT_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")
MAX_IMPORT_SIZE = 20 * 1024 * 1024
# Errors kept on the row (and shown); the count says how many there were.
MAX_STORED_ERRORS = 1000


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", gettext_lazy("Uploaded")
    PREVIEWED = "previewed", gettext_lazy("Previewed")
    QUEUED = "queued", gettext_lazy("Queued")
    RUNNING = "running", gettext_lazy("Running")
    DONE = "done", gettext_lazy("Done")
    FAILED = "failed", gettext_lazy("Failed")


UNCONFIRMED = (ImportStatus.UPLOADED, ImportStatus.PREVIEWED)


def import_upload_to(instance: UploadedImport, filename: str) -> str:
    # The tenant's schema in the path keeps PTAs' files apart; the random
    # name keeps the original (possibly personal) file name out of the path.
    return f"imports/{connection.schema_name}/{uuid4().hex}{Path(filename).suffix.lower()[:6]}"


class UploadedImport(models.Model):
    """What every import row holds. Subclasses add their own counts and name
    them in COUNTS, in the order the summary prints them (errors last)."""

    COUNTS: tuple[str, ...] = ()

    created_by = user_fk(gettext_lazy("imported by"), null=True, blank=True)
    file = models.FileField(upload_to=import_upload_to, blank=True)
    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # What the import would do (samples for the page) and notes for the user.
    preview = models.JSONField(default=dict, blank=True)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    def summary(self) -> ImportSummary:
        return ImportSummary(
            counts={**{name: getattr(self, name) for name in self.COUNTS}, "errors": self.error_count},
            errors=[RowError.from_dict(error) for error in self.errors],
            warnings=list(self.preview.get("warnings", [])),
        )


Import = TypeVar("Import", bound=UploadedImport)


def validate_import_upload(upload: UploadedFile) -> UploadedFile:
    """The rule for an uploaded import file, for the upload forms: CSV or
    XLSX by its name, at most 20 MB (its content is judged when it is read)."""
    if Path(upload.name or "").suffix.lower() not in IMPORT_EXTENSIONS:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    if upload.size > MAX_IMPORT_SIZE:
        raise ValidationError(_("The file is larger than 20 MB."))
    return upload


def stored_errors(errors: Sequence[RowError]) -> list[dict]:
    """The errors as kept on the row: the first MAX_STORED_ERRORS of them."""
    return [error.as_dict() for error in errors[:MAX_STORED_ERRORS]]


def store_file(import_row: UploadedImport, *, content: bytes, filename: str) -> None:
    """Save the uploaded bytes under imports/<schema>/ and the row with them.
    If the row cannot be saved, the file is deleted again."""
    import_row.file.save(filename, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            import_row.full_clean()
            import_row.save()
    except BaseException:
        import_row.file.storage.delete(import_row.file.name)
        raise


def forget_file(import_row: UploadedImport) -> None:
    """Delete the stored file once the transaction commits (the caller saves
    the row); the counts and errors stay as a record of what happened."""
    if import_row.file:
        name, storage = import_row.file.name, import_row.file.storage
        transaction.on_commit(lambda: storage.delete(name))
        import_row.file = ""


def import_confirm(
    import_row: Import,
    *,
    threshold: int,
    task,
    execute: Callable[..., Import],
    run_now: bool = False,
) -> Import:
    """Start a previewed import without errors, once: under the row's lock it
    moves previewed → queued. With more than `threshold` rows (and not
    `run_now`) `task` (a Celery task taking the id) is queued when the
    transaction commits; otherwise `execute(import_id=...)` runs here.
    Confirming an import that is no longer previewed does nothing.
    Raises ValidationError if the preview found errors."""
    with transaction.atomic():
        locked = type(import_row).objects.select_for_update().get(pk=import_row.pk)
        if locked.status != ImportStatus.PREVIEWED:
            return locked
        if locked.error_count:
            raise ValidationError(_("The file has errors. Correct them and upload it again; nothing was imported."))
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        if locked.total > threshold and not run_now:
            task.delay_on_commit(locked.pk)
            return locked
    return execute(import_id=locked.pk)


def claim_for_run(model: type[Import], pk: int) -> tuple[Import, bool]:
    """Move a confirmed import to running under its row lock: (row, True).
    An import that is not queued or running (finished, or never confirmed)
    is left alone: (row, False), so a second run does nothing. A running
    one is claimed again: its worker died, and the import rolled back."""
    with transaction.atomic():
        import_row = model.objects.select_for_update().get(pk=pk)
        if import_row.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return import_row, False
        import_row.status = ImportStatus.RUNNING
        import_row.started_at = timezone.now()
        import_row.processed = 0
        import_row.save(update_fields=["status", "started_at", "processed"])
    return import_row, True


def record_failure(
    model: type[UploadedImport], pk: int, *, forget: Callable[[UploadedImport], None] = forget_file
) -> None:
    """After an exception rolled the import back: mark it failed and drop
    its file (`forget` drops whatever else the app keeps of the upload)."""
    with transaction.atomic():
        failed = model.objects.select_for_update().get(pk=pk)
        failed.status, failed.finished_at = ImportStatus.FAILED, timezone.now()
        forget(failed)
        failed.save(update_fields=["status", "finished_at", "file"])


def purge_unconfirmed(
    model: type[UploadedImport], *, before: datetime, forget: Callable[[UploadedImport], None] = forget_file
) -> int:
    """Delete the imports created before `before` that nobody confirmed,
    with their files; returns how many."""
    count = 0
    for import_row in model.objects.filter(created_at__lt=before, status__in=UNCONFIRMED):
        with transaction.atomic():
            forget(import_row)
            import_row.delete()
        count += 1
    return count
