"""Reads of the PTA's questionnaire for the staff's pages: a version with its
questions, whether a round has used it, and the list of versions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from surveys.models import Question, Questionnaire, SurveyRound
from tenants.models import NationalQuestionnaire


@dataclass(frozen=True)
class QuestionnaireView:
    """What the questionnaire page shows of one version (or of the national set, before the first version)."""

    questionnaire: Questionnaire | None  # None: the PTA has no version yet
    questions: list  # Question rows, or the national set's dicts before the first version
    in_use: bool  # a round has used this version: a change makes a new version
    is_newest: bool
    national_version: int | None  # the national set the version is built on
    newest_national: NationalQuestionnaire | None  # the newest published national set


def versions() -> QuerySet[Questionnaire]:
    """Every version, newest first, with its number of questions (local ones too) and of rounds. One query."""
    return (
        Questionnaire.objects.select_related("created_by")
        .annotate(
            question_count=Count("questions", distinct=True),
            local_count=Count("questions", filter=Q(questions__is_local=True), distinct=True),
            round_count=Count("rounds", distinct=True),
        )
        .order_by("-version")
    )


def newest_national() -> NationalQuestionnaire | None:
    return NationalQuestionnaire.objects.filter(published_at__isnull=False).order_by("-version").first()


def questionnaire_view(*, version: int | None = None) -> QuestionnaireView | None:
    """Version `version` (the newest when None) with its questions in order, or None for a
    version that does not exist. Before the PTA's first version, the newest national set's
    questions (the first round makes the version from it). Three queries."""
    national = newest_national()
    newest = Questionnaire.objects.order_by("-version").first()
    if newest is None:
        if version is not None:
            return None
        return QuestionnaireView(
            questionnaire=None,
            questions=list(national.questions) if national else [],
            in_use=False,
            is_newest=True,
            national_version=national.version if national else None,
            newest_national=national,
        )
    if version is None or version == newest.version:
        chosen = newest
    else:
        chosen = Questionnaire.objects.filter(version=version).first()
        if chosen is None:
            return None
    chosen = (
        Questionnaire.objects.annotate(used=Exists(SurveyRound.objects.filter(questionnaire=OuterRef("pk"))))
        .select_related("created_by")
        .get(pk=chosen.pk)
    )
    questions = list(Question.objects.filter(questionnaire=chosen).order_by("position"))
    return QuestionnaireView(
        questionnaire=chosen,
        questions=questions,
        in_use=chosen.used,
        is_newest=chosen.pk == newest.pk,
        national_version=chosen.national_version,
        newest_national=national,
    )


def local_question(*, key: str) -> Question | None:
    """The newest version's local question `key`, or None."""
    newest = Questionnaire.objects.order_by("-version").first()
    if newest is None:
        return None
    return Question.objects.filter(questionnaire=newest, key=key, is_local=True).first()
