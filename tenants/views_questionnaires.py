"""The national site's question-set pages (public schema, the national coordinator):
the versions, each version's questions, a new draft (copied from the newest),
editing the draft, and publishing it after a confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_validation_error, confirmed
from tenants import services_questionnaires as services
from tenants.forms_questionnaires import NationalQuestionnaireForm, questions_json
from tenants.http import AuthenticatedRequest
from tenants.models import NationalQuestionnaire
from tenants.permissions import coordinator_required


def _kind_labels() -> dict[str, str]:
    return {
        "single": _("Single choice"),
        "multiple": _("Multiple choice"),
        "number": pgettext("question kind", "Number"),
        "scale": _("Scale"),
        "text": _("Free text"),
    }


def _shown(questions: list) -> list[dict]:
    """The questions as the page shows them: each with the label of its kind."""
    labels = _kind_labels()
    return [
        {**question, "kind_label": labels.get(question.get("kind"), question.get("kind"))}
        for question in questions
        if isinstance(question, dict)
    ]


def _draft() -> NationalQuestionnaire | None:
    return NationalQuestionnaire.objects.filter(published_at__isnull=True).order_by("-version").first()


@coordinator_required
@require_GET
def national_questionnaires(request: AuthenticatedRequest):
    """Every version, newest first, with its state and number of questions."""
    versions = NationalQuestionnaire.objects.select_related("created_by").order_by("-version")
    return render(
        request,
        "national/questionnaires.html",
        {"versions": versions, "draft": _draft()},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def national_questionnaire_detail(request: AuthenticatedRequest, pk: int):
    """A version's questions. A draft also has its form (POST saves it), and a link to publish it."""
    questionnaire = get_object_or_404(NationalQuestionnaire.objects.select_related("created_by"), pk=pk)
    form = None
    if questionnaire.published_at is None:
        initial = {"questions": questions_json(questionnaire.questions), "notes": questionnaire.notes}
        form = NationalQuestionnaireForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.national_questionnaire_update(
                    questionnaire=questionnaire,
                    questions=form.cleaned_data["questions"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                messages.success(
                    request, _("The draft of version %(version)s is saved.") % {"version": questionnaire.version}
                )
                return redirect("national_questionnaire_detail", pk=questionnaire.pk)
    elif request.method == "POST":
        messages.error(request, _("A published version is never changed: make a new version."))
        return redirect("national_questionnaire_detail", pk=questionnaire.pk)
    return render(
        request,
        "national/questionnaire_detail.html",
        {"questionnaire": questionnaire, "questions": _shown(questionnaire.questions), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def national_questionnaire_create(request: AuthenticatedRequest):
    """A new version, a draft copied from the newest; while a draft exists, that draft is shown instead."""
    draft = _draft()
    if draft is not None:
        messages.info(
            request, _("Version %(version)s is a draft: change it here, or publish it.") % {"version": draft.version}
        )
        return redirect("national_questionnaire_detail", pk=draft.pk)
    newest = NationalQuestionnaire.objects.order_by("-version").first()
    initial = {"questions": questions_json(newest.questions) if newest else "[]"}
    form = NationalQuestionnaireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.national_questionnaire_draft_create(
                questions=form.cleaned_data["questions"], notes=form.cleaned_data["notes"], by=request.user
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s is saved as a draft. Publish it when it is ready.")
                % {"version": created.version},
            )
            return redirect("national_questionnaire_detail", pk=created.pk)
    return render(
        request,
        "national/questionnaire_form.html",
        {"form": form, "newest": newest},
        status=400 if form.errors else 200,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def national_questionnaire_publish(request: AuthenticatedRequest, pk: int):
    """Publish a draft after the confirmation page (core.forms.confirmed); a published one goes back to its page."""
    questionnaire = get_object_or_404(NationalQuestionnaire, pk=pk)
    if questionnaire.published_at is not None:
        messages.info(request, _("Version %(version)s is published already.") % {"version": questionnaire.version})
        return redirect("national_questionnaire_detail", pk=questionnaire.pk)
    if not confirmed(request):
        return render(request, "national/questionnaire_publish.html", {"questionnaire": questionnaire})
    try:
        services.national_questionnaire_publish(questionnaire=questionnaire)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Version %(version)s is published. Each region's next survey round uses it.")
            % {"version": questionnaire.version},
        )
    return redirect("national_questionnaire_detail", pk=questionnaire.pk)
