"""Writes of the PTA's questionnaire: taking a national version, and local
questions. A version that a round has used is never changed: a change to it
makes a new version, a copy with the change, and new rounds use the newest."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from surveys.models import Question, Questionnaire
from tenants.models import NationalQuestionnaire, User
from tenants.question_sets import QuestionSetError, validate_question

LOCAL_PREFIX = "local_"


def _latest_national() -> NationalQuestionnaire:
    national = NationalQuestionnaire.objects.filter(published_at__isnull=False).order_by("-version").first()
    if national is None:
        raise ValidationError(_("No national question set is published."))
    return national


def _question_fields(definition: dict, *, position: int, is_local: bool) -> dict:
    def bound(name):
        value = definition.get(name)
        return None if value is None else Decimal(str(value))

    return {
        "key": definition["key"],
        "position": position,
        "kind": definition["kind"],
        "text_nb": definition["text_nb"],
        "text_en": definition["text_en"],
        "help_nb": definition.get("help_nb", ""),
        "help_en": definition.get("help_en", ""),
        "required": bool(definition.get("required", False)),
        "min_value": bound("min"),
        "max_value": bound("max"),
        "decimals": int(definition.get("decimals", 0)),
        "options": definition.get("options", []),
        "is_local": is_local,
    }


def _definition(question: Question) -> dict:
    return {
        "key": question.key,
        "kind": question.kind,
        "text_nb": question.text_nb,
        "text_en": question.text_en,
        "help_nb": question.help_nb,
        "help_en": question.help_en,
        "required": question.required,
        "min": None if question.min_value is None else str(question.min_value),
        "max": None if question.max_value is None else str(question.max_value),
        "decimals": question.decimals,
        "options": question.options,
    }


def _new_version(*, national: NationalQuestionnaire, local: list[dict], by: User | None) -> Questionnaire:
    latest = Questionnaire.objects.select_for_update().order_by("-version").first()
    questionnaire = Questionnaire.objects.create(
        version=(latest.version + 1) if latest else 1, national_version=national.version, created_by=by
    )
    definitions = [(question, False) for question in national.questions] + [(question, True) for question in local]
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, **_question_fields(definition, position=position, is_local=is_local))
        for position, (definition, is_local) in enumerate(definitions, start=1)
    )
    return questionnaire


def _local_definitions(questionnaire: Questionnaire | None) -> list[dict]:
    if questionnaire is None:
        return []
    return [_definition(question) for question in questionnaire.questions.filter(is_local=True)]


def _editable_or_new(*, by: User | None) -> Questionnaire:
    """The newest version if no round has used it and it is on the newest national set,
    else a new version copied from it (the caller then changes that)."""
    national = _latest_national()
    latest = Questionnaire.objects.select_for_update().order_by("-version").first()
    if latest is not None and latest.national_version == national.version and not latest.rounds.exists():
        return latest
    return _new_version(national=national, local=_local_definitions(latest), by=by)


@transaction.atomic
def questionnaire_for_new_round() -> Questionnaire:
    """The version a new round uses: the newest, brought onto the newest national
    set first (a new version, keeping the local questions) if the national
    coordinator has published one since."""
    national = _latest_national()
    latest = Questionnaire.objects.select_for_update().order_by("-version").first()
    if latest is not None and latest.national_version == national.version:
        return latest
    return _new_version(national=national, local=_local_definitions(latest), by=None)


@transaction.atomic
def local_question_add(*, definition: dict, by: User | None) -> Questionnaire:
    """Add a local question at the end (key prefixed local_), in the newest
    version if no round has used it, else in a new version. Returns the version."""
    key = definition.get("key", "")
    if not key.startswith(LOCAL_PREFIX):
        definition = {**definition, "key": LOCAL_PREFIX + key}
    try:
        validate_question(definition, number=0)
    except QuestionSetError as error:
        raise ValidationError(str(error)) from None
    questionnaire = _editable_or_new(by=by)
    if questionnaire.questions.filter(key=definition["key"]).exists():
        raise ValidationError(_("The key «%(key)s» is already in use.") % {"key": definition["key"]})
    last = questionnaire.questions.order_by("-position").first()
    Question.objects.create(
        questionnaire=questionnaire,
        **_question_fields(definition, position=(last.position + 1) if last else 1, is_local=True),
    )
    return questionnaire


@transaction.atomic
def local_question_remove(*, key: str, by: User | None) -> Questionnaire:
    """Remove a local question, in the newest version if unused, else in a new version."""
    questionnaire = _editable_or_new(by=by)
    deleted, _rows = questionnaire.questions.filter(key=key, is_local=True).delete()
    if not deleted:
        raise ValidationError(
            _("No local question «%(key)s» in version %(version)s.") % {"key": key, "version": questionnaire.version}
        )
    return questionnaire
