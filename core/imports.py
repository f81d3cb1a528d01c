"""The life of an uploaded import file, shared by every import (employees,
companies, and those to come): the file is stored and a status row made
(uploaded → previewed → queued → running → done/failed); the user sees a
preview, confirms it once, and the import runs in the request or, when it is
large, in the Celery worker (handed over through core.outbox), while the
page polls the row and the progress the run reports through the cache. The
file is deleted when the import ends; uploads nobody confirmed are purged,
and imports stuck queued or running are handed to the worker again.

What is read from the file, how it is compared and what is written belongs
to each app; this module holds only the steps every import takes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar, TypeVar
from uuid import uuid4

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import outbox
from core.importing import ImportSummary, RowError
from core.models import OutboxMessage, user_fk

logger = logging.getLogger(__name__)

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
#: An import nobody confirmed for this long is waiting for someone (the daily purge removes it later).
UNCONFIRMED_AFTER = timedelta(hours=1)
#: A failed import is shown this long, unless a newer import replaced it.
FAILED_IMPORT_DAYS = 30


def needing_attention() -> Q:
    """Imports someone should look at: failed within FAILED_IMPORT_DAYS, or
    waiting (for columns or a confirmation) longer than UNCONFIRMED_AFTER."""
    now = timezone.now()
    return Q(status=ImportStatus.FAILED, created_at__gte=now - timedelta(days=FAILED_IMPORT_DAYS)) | Q(
        status__in=UNCONFIRMED, created_at__lt=now - UNCONFIRMED_AFTER
    )


def import_upload_to(instance: UploadedImport, filename: str) -> str:
    # The tenant's schema in the path keeps PTAs' files apart; the random
    # name keeps the original (possibly personal) file name out of the path.
    return f"imports/{connection.schema_name}/{uuid4().hex}{Path(filename).suffix.lower()[:6]}"


class UploadedImport(models.Model):
    """What every import row holds. Subclasses add their own counts and name
    them in COUNTS, in the order the summary prints them (errors last)."""

    COUNTS: tuple[str, ...] = ()
    #: The Celery task (by name) that runs a confirmed import in the worker,
    #: taking its id; requeue_stale hands stuck imports to it again.
    run_task: ClassVar[str] = ""
    #: The running import's progress as last reported (with_live_progress).
    live_percent: int | None = None

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
        if self.live_percent is not None:
            return self.live_percent
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


@contextmanager
def discarded_on_failure(import_row: UploadedImport) -> Iterator[None]:
    """Wrap the steps that follow store_file in the same request (the
    preview): if one raises, the row (with what cascades from it) and its
    file are deleted before the error goes on, so that a failed upload leaves
    no file behind. A row that cannot be deleted then is purged with the
    unconfirmed imports."""
    try:
        yield
    except BaseException:
        storage, name = import_row.file.storage, import_row.file.name
        try:
            with transaction.atomic():
                type(import_row).objects.filter(pk=import_row.pk).delete()
        except DatabaseError:
            logger.exception("Could not delete import %s after its preview failed", import_row.pk)
        if name:
            storage.delete(name)
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
    `run_now`) `task` (a Celery task taking the id) is queued through the
    outbox, in the same transaction (core.outbox.enqueue: handed to Celery on
    commit, or by the relay if the broker is down); otherwise
    `execute(import_id=...)` runs here.
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
            outbox.enqueue(task=task, args=[locked.pk], key=run_key(type(locked), locked.pk))
            return locked
    return execute(import_id=locked.pk)


def claim_for_run(model: type[Import], pk: int) -> tuple[Import, bool]:
    """Move a confirmed import to running under its row lock: (row, True).
    An import that is not queued or running (finished, or never confirmed)
    is left alone: (row, False), so a second run does nothing. A running
    one is claimed again: its worker died, and the import rolled back (a live
    run holds the row's lock while it writes, so this waits for it and then
    finds it finished). Reports progress 0 for the new run."""
    with transaction.atomic():
        import_row = model.objects.select_for_update().get(pk=pk)
        if import_row.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return import_row, False
        import_row.status = ImportStatus.RUNNING
        import_row.started_at = timezone.now()
        import_row.processed = 0
        import_row.save(update_fields=["status", "started_at", "processed"])
    report_progress(import_row, percent=0, total=import_row.total)
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
    with their files; returns how many. Then delete the files stored before
    `before` that no import row names (purge_orphan_files)."""
    count = 0
    for import_row in model.objects.filter(created_at__lt=before, status__in=UNCONFIRMED):
        with transaction.atomic():
            forget(import_row)
            import_row.delete()
        count += 1
    purge_orphan_files(before=before)
    return count


def purge_orphan_files(*, before: datetime) -> int:
    """Delete the files under this schema's imports/ folder that were stored
    before `before` and that no import row (of any kind) names: a file whose
    row was rolled back or deleted another way. Returns how many."""
    storage = UploadedImport._meta.get_field("file").storage
    folder = f"imports/{connection.schema_name}"
    try:
        _folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    named = set()
    for model in apps.get_models():
        if issubclass(model, UploadedImport):
            named.update(model.objects.exclude(file="").values_list("file", flat=True))
    count = 0
    for path in (f"{folder}/{name}" for name in names):
        if path not in named and storage.get_modified_time(path) < before:
            storage.delete(path)
            count += 1
    return count


# Progress and recovery -----------------------------------------------------------------

# A progress report outlives any run (the page ignores one of an earlier run).
PROGRESS_TIMEOUT = 6 * 60 * 60


def run_key(model: type[UploadedImport], pk: int) -> str:
    """What an import's outbox rows are about: "employees.employeeimport:17"."""
    return f"{model._meta.label_lower}:{pk}"


def _progress_key(model: type[UploadedImport], pk: int) -> str:
    return f"import-progress:{run_key(model, pk)}"  # the cache adds the schema (django_tenants.cache.make_key)


def report_progress(import_row: UploadedImport, *, percent: int, processed: int = 0, total: int = 0) -> None:
    """Tell the progress page how far a running import has come (0-99 %;
    the finished row says 100), and requeue_stale that its run is alive.

    Through the cache, not the row: a run writes its row inside one
    transaction, which other connections see only when it commits. Never
    raises: an import does not fail because the cache is down.
    """
    started = import_row.started_at.timestamp() if import_row.started_at else None
    value = {
        "run": started,
        "percent": max(0, min(int(percent), 99)),
        "processed": processed,
        "total": total,
        "at": time.time(),
    }
    try:
        cache.set(_progress_key(type(import_row), import_row.pk), value, PROGRESS_TIMEOUT)
    except Exception:
        logger.warning("Progress of %s not reported (the cache is unavailable)", import_row, exc_info=True)


def _reported(import_row: UploadedImport) -> dict | None:
    """The last report of the import's current run, if the cache has one."""
    try:
        value = cache.get(_progress_key(type(import_row), import_row.pk))
    except Exception:
        logger.warning("Progress of %s not read (the cache is unavailable)", import_row, exc_info=True)
        return None
    started = import_row.started_at.timestamp() if import_row.started_at else None
    return value if value and value.get("run") == started else None


def with_live_progress(import_row: Import) -> Import:
    """The import as its progress page shows it: a running one with the
    progress its run last reported (processed, total, percent; not saved)."""
    if import_row.status == ImportStatus.RUNNING and (value := _reported(import_row)):
        import_row.live_percent = value["percent"]
        import_row.processed = value["processed"]
        import_row.total = value["total"] or import_row.total
    return import_row


def import_models() -> list[type[UploadedImport]]:
    """Every kind of import that runs in the worker (declares `run_task`)."""
    return [model for model in apps.get_models() if issubclass(model, UploadedImport) and model.run_task]


def requeue_stale(*, stale_after: timedelta) -> int:
    """Hand the imports of this schema that are stuck back to the worker
    (their `run_task`, through the outbox); returns how many.

    Rules:
    - queued, and its last hand-off to Celery (outbox row) was sent more than
      `stale_after` ago, or there is none: the message was lost;
    - running, and its run is gone: the row is not locked (a live run holds
      its lock while it compares and writes), and neither its start nor its
      last progress report is more recent than `stale_after` (a live run
      reads its rows unlocked, reporting as it goes). It goes back to queued,
      and claim_for_run claims it again.
    An import with an unsent or recent hand-off is left to it. A duplicate
    hand-off is harmless: a run of a finished import does nothing.
    """
    cutoff = timezone.now() - stale_after
    count = 0
    for model in import_models():
        handed_over = set(
            OutboxMessage.objects.filter(key__startswith=f"{model._meta.label_lower}:")
            .filter(Q(sent_at__isnull=True) | Q(sent_at__gte=cutoff))
            .values_list("key", flat=True)
        )
        with transaction.atomic():
            stuck = model.objects.select_for_update(skip_locked=True).filter(
                status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
            )
            for import_row in stuck.order_by("pk"):
                key = run_key(model, import_row.pk)
                if key in handed_over or (import_row.status == ImportStatus.RUNNING and _alive(import_row, cutoff)):
                    continue
                logger.warning(
                    "Import %s was %s with no sign of life; handing it to the worker again", key, import_row.status
                )
                import_row.status, import_row.processed = ImportStatus.QUEUED, 0
                import_row.save(update_fields=["status", "processed"])
                outbox.enqueue(task=model.run_task, args=[import_row.pk], key=key)
                count += 1
    return count


def _alive(import_row: UploadedImport, cutoff: datetime) -> bool:
    if import_row.started_at and import_row.started_at >= cutoff:
        return True
    value = _reported(import_row)
    return bool(value and value["at"] >= cutoff.timestamp())
