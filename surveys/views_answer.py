"""The employee's answering pages, behind the invitation's link (no account).

Under /undersokelse/ on the PTA's host (config.middleware leaves it open),
mobile first, working without JavaScript. The token in the link finds the
invitation by its SHA-256 (Invitation.hash_token); an unknown or altered
token is 404, and another PTA's host does not know it (another schema).

- answer: the questions, on one page in sections; "Save and continue later"
  keeps the answers so far on the invitation (reopening the link shows them);
  sending checks every answer. A round not open yet is 403, a closed one 410,
  an invitation already answered says so (409 to a POST). Nothing is stored
  then.
- done: the thanks, only once answered (else back to the questions).
- opt_out: stop survey e-mails to the address, also after the round closed.

The pages follow the invitation's language, unless the reader has chosen one
with the header's language switch (its cookie). Nothing here reads, stores
or logs the client's address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.dates import today as oslo_today
from core.forms import add_validation_error
from surveys import services_answers as services
from surveys.answers import round_status
from surveys.forms_answer import AnswerForm
from surveys.models import Invitation, MailSuppression, Question

SAVE = "save"
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _invitation_for(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("round__company", "round__questionnaire")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


def _language(request, invitation: Invitation | None) -> str:
    """The reader's choice in the header's language switch, else the invitation's language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in LANGUAGES:
        return chosen
    if invitation is not None and invitation.language[:2] in LANGUAGES:
        return invitation.language[:2]
    return translation.get_language()


def _page(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    return render(request, f"surveys/answer/{template}", context, status=status)


def _invalid(request) -> HttpResponse:
    with translation.override(_language(request, None)):
        return _page(request, "invalid.html", {}, status=404)


def _context(invitation: Invitation, token: str) -> dict:
    return {
        "invitation": invitation,
        "survey": invitation.round,
        "company": invitation.round.company,
        "token": token,
    }


def _refused(request, invitation: Invitation, token: str, reason: str) -> HttpResponse:
    context = _context(invitation, token)
    if reason == "responded":
        return _page(request, "already.html", context, status=409 if request.method == "POST" else 200)
    if reason == "closed":
        return _page(request, "closed.html", context, status=410)
    return _page(request, "not_open.html", context, status=403)


def _refusal(invitation: Invitation) -> str | None:
    if invitation.responded_on is not None:
        return "responded"
    status = round_status(opens_on=invitation.round.opens_on, closes_on=invitation.round.closes_on, today=oslo_today())
    return None if status == "open" else status


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    """The questions; a POST either saves them to carry on later or sends them."""
    invitation = _invitation_for(token)
    if invitation is None:
        return _invalid(request)
    language = _language(request, invitation)
    with translation.override(language):
        if reason := _refusal(invitation):
            return _refused(request, invitation, token, reason)
        questions = list(Question.objects.filter(questionnaire_id=invitation.round.questionnaire_id))
        saving = request.method == "POST" and request.POST.get("action") == SAVE
        form = AnswerForm(
            request.POST or None,
            questions=questions,
            language=language,
            draft=invitation.draft,
            partial=saving,
        )
        if request.method == "POST":
            valid = form.is_valid()
            try:
                if saving:
                    services.draft_save(invitation_id=invitation.pk, answers=form.answers, today=oslo_today())
                    if valid:
                        return redirect(reverse("survey_answer:answer", args=[token]) + "?lagret=1#saved")
                elif valid:
                    services.response_submit(invitation_id=invitation.pk, answers=form.answers, today=oslo_today())
                    return redirect("survey_answer:done", token=token)
            except services.AnswerRefused as refused:
                invitation.refresh_from_db(fields=["responded_on"])
                return _refused(request, invitation, token, refused.reason)
            except ValidationError as exc:
                add_validation_error(form, exc)
        context = {
            **_context(invitation, token),
            "form": form,
            "saving": saving,
            "saved": request.method == "GET" and request.GET.get("lagret") == "1",
            "has_draft": bool(invitation.draft),
        }
        return _page(request, "form.html", context, status=400 if form.errors else 200)


@never_cache
@require_GET
def done(request, token: str):
    """The thanks, once the invitation has answered."""
    invitation = _invitation_for(token)
    if invitation is None:
        return _invalid(request)
    if invitation.responded_on is None:
        return redirect("survey_answer:answer", token=token)
    with translation.override(_language(request, invitation)):
        return _page(request, "done.html", _context(invitation, token))


@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request, token: str):
    """Ask, then stop survey e-mails to the invitation's address (in every round of this PTA)."""
    invitation = _invitation_for(token)
    if invitation is None:
        return _invalid(request)
    with translation.override(_language(request, invitation)):
        stopped = False
        if request.method == "POST":
            services.opt_out(invitation_id=invitation.pk)
            stopped = True
        already = not stopped and MailSuppression.objects.filter(email=invitation.email).exists()
        context = {**_context(invitation, token), "stopped": stopped, "already": already}
        return _page(request, "opt_out.html", context)
