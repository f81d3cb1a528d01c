"""The part of a company import that runs after it is confirmed: in the
request for small files, in the Celery worker (companies.tasks) for large
ones. Kept apart from companies.services, which queues the task, so that
the task and the services do not import each other."""

from __future__ import annotations

from datetime import datetime

import pghistory
from django.db import transaction
from django.utils import timezone

from companies import importing
from companies.models import Company, CompanyImport, CompanyStatusChange
from core import imports


def company_import_execute(*, import_id: int) -> CompanyImport:
    """Run a confirmed import, all or nothing, in one transaction.

    The stored file is read and checked again, then compared, holding locks
    on the companies it names, with the register as it is now (a company may
    have been registered or changed since the preview). New companies are
    created as prospects with their first status change; changed ones get
    their non-empty cells. History records every change with the user and
    the import id. If the comparison finds errors now, nothing is written and
    the import fails. Either way the file is deleted when the import ends.
    Safe to run twice: a finished import is left alone.
    """
    company_import, claimed = imports.claim_for_run(CompanyImport, import_id)
    if not claimed:
        return company_import
    try:
        with company_import.file.open("rb") as stored:
            content = stored.read()
        checked = importing.read_companies(data=content, filename=company_import.file.name)
        # Progress goes through the cache: what this transaction writes to the row is seen only at commit.
        imports.report_progress(company_import, percent=30, processed=len(checked.rows), total=company_import.total)
        with transaction.atomic():
            company_import = CompanyImport.objects.select_for_update().get(pk=import_id)
            if company_import.status != imports.ImportStatus.RUNNING:
                return company_import  # another run finished it meanwhile
            existing = Company.objects.select_for_update().in_bulk(list(checked.rows), field_name="org_number")
            result = importing.compare(checked, existing)
            record_result(company_import, result)
            if not result.errors:
                with pghistory.context(user=company_import.created_by_id, import_id=company_import.pk):
                    import_write(result, user_id=company_import.created_by_id)
                imports.report_progress(company_import, percent=90, processed=result.total, total=result.total)
            company_import.status = imports.ImportStatus.FAILED if result.errors else imports.ImportStatus.DONE
            company_import.processed = result.total
            company_import.finished_at = timezone.now()
            imports.forget_file(company_import)
            company_import.save()
    except Exception:
        # Nothing was written (the transaction rolled back); record the failure and drop the file.
        imports.record_failure(CompanyImport, import_id)
        raise
    return company_import


def import_write(result: importing.CompanyImportResult, *, user_id: int | None) -> None:
    today = timezone.localdate()
    created = Company.objects.bulk_create([Company(**values, status_changed_on=today) for values in result.added])
    CompanyStatusChange.objects.bulk_create(
        CompanyStatusChange(company=company, status=company.status, changed_on=today, changed_by_id=user_id)
        for company in created
    )
    for company, changes in result.updated:
        for name, value in changes.items():
            setattr(company, name, value)
    if result.updated:
        Company.objects.bulk_update(
            [company for company, _changes in result.updated], fields=list(importing.FIELDS[1:])
        )


def record_result(company_import: CompanyImport, result: importing.CompanyImportResult) -> None:
    counts = result.counts()
    company_import.added = counts["added"]
    company_import.updated = counts["updated"]
    company_import.unchanged = counts["unchanged"]
    company_import.error_count = counts["errors"]
    company_import.errors = imports.stored_errors(result.errors)
    company_import.preview = importing.preview_data(result)
    company_import.total = result.total


def company_imports_purge(*, before: datetime) -> int:
    """Delete imports that were never confirmed, with their files."""
    return imports.purge_unconfirmed(CompanyImport, before=before)
