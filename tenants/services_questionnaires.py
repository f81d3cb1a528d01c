"""Writes of the national standard question set (RVU), the national coordinator's.

A version is a draft until it is published; a draft may be edited, a published
version never (a database trigger on tenants.NationalQuestionnaire refuses
it). There is at most one draft at a time, and it is the newest version, so
version numbers follow the order of publishing. Every PTA's next round takes
the newest published version (surveys.services.questionnaire_for_new_round).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.models import NationalQuestionnaire, User
from tenants.question_sets import QuestionSetError, validate_question_set


def _validated(questions: object) -> list[dict]:
    try:
        return validate_question_set(questions)
    except QuestionSetError as error:
        raise ValidationError({"questions": str(error)}) from None


@transaction.atomic
def national_questionnaire_draft_create(*, questions: object, notes: str, by: User | None) -> NationalQuestionnaire:
    """A new draft version (the newest + 1) with these questions, checked by
    tenants.question_sets.validate_question_set (ValidationError on "questions"
    naming the question). Refused while another draft exists. Stores nothing
    on a refusal. The newest row is locked, so two coordinators creating at
    once get consecutive versions or a refusal, not an error."""
    questions = _validated(questions)
    newest = NationalQuestionnaire.objects.select_for_update().order_by("-version").first()
    if newest is not None and newest.published_at is None:
        raise ValidationError(
            _("Version %(version)s is a draft still: change or publish it before making another.")
            % {"version": newest.version}
        )
    return NationalQuestionnaire.objects.create(
        version=(newest.version + 1) if newest else 1, questions=questions, notes=notes, created_by=by
    )


@transaction.atomic
def national_questionnaire_update(
    *, questionnaire: NationalQuestionnaire, questions: object, notes: str
) -> NationalQuestionnaire:
    """Change a draft's questions and notes (validated as on creation). A published
    version is refused (ValidationError): a change to it is a new version."""
    questions = _validated(questions)
    locked = NationalQuestionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.published_at is not None:
        raise ValidationError(
            _("Version %(version)s is published and is never changed: make a new version.")
            % {"version": locked.version}
        )
    locked.questions, locked.notes = questions, notes
    locked.save(update_fields=["questions", "notes"])
    return locked


@transaction.atomic
def national_questionnaire_publish(*, questionnaire: NationalQuestionnaire) -> NationalQuestionnaire:
    """Publish a draft: from now on it is final (the database trigger refuses
    changes) and each PTA's next round takes it, keeping its local questions.
    Its questions are checked once more. Publishing twice is refused
    (ValidationError), by a conditional UPDATE, so two clicks publish once."""
    locked = NationalQuestionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.published_at is not None:
        raise ValidationError(_("Version %(version)s is published already.") % {"version": locked.version})
    _validated(locked.questions)
    published = NationalQuestionnaire.objects.filter(pk=locked.pk, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    if not published:  # pragma: no cover - the row lock makes this unreachable
        raise ValidationError(_("Version %(version)s is published already.") % {"version": locked.version})
    locked.refresh_from_db()
    return locked
