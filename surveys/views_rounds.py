"""The staff's survey pages: the PTA's rounds, starting rounds (for one company
or several), a round's live progress, and the questionnaire with its local
questions. A company's rounds and a round's progress are also shown to the
company's own contact persons (read-only); everything else is staff only.

Authorisation: staff are the PTA's administrators and advisers
(tenants.permissions); a company is reached through
companies.permissions.get_company_for_user and a round through
_get_round_for_user (another company's, or another PTA's, is 404)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from companies.models import Company, CompanyStatus, ContactPerson
from companies.permissions import CompanyRequest, company_member_required, get_company_for_user, is_staff
from core.dates import today
from core.forms import add_validation_error, confirmed
from core.paging import list_page
from surveys import selectors, selectors_questionnaire, services, services_rounds
from surveys.forms import (
    CompanySearchForm,
    LocalQuestionForm,
    RoundFilterForm,
    RoundsStartManyForm,
    RoundStartForm,
    RoundState,
    field_of_message,
)
from surveys.models import InvitationMail, MailKind, SurveyRound
from tenants.http import AuthenticatedRequest
from tenants.models import Role
from tenants.permissions import staff_required

#: Rounds a page of the lists.
ROUNDS_PAGE_SIZE = 50
#: Companies the many-rounds page offers at most; a search finds the others.
COMPANIES_SHOWN_MAX = 300
#: Seconds between the progress fragment's reloads while a round is open.
POLL_SECONDS = 3


# --- State, from the dates (Europe/Oslo) ---------------------------------------------------


def round_state(survey_round: SurveyRound, day: date) -> str:
    if day < survey_round.opens_on:
        return RoundState.NOT_OPEN
    if day > survey_round.closes_on:
        return RoundState.CLOSED
    return RoundState.OPEN


def _state_filter(state: str, day: date) -> Q:
    if state == RoundState.NOT_OPEN:
        return Q(opens_on__gt=day)
    if state == RoundState.CLOSED:
        return Q(closes_on__lt=day)
    return Q(opens_on__lte=day, closes_on__gte=day)


def _state_labels() -> dict[str, str]:
    return dict(RoundState.choices())


def _shown_round(day: date, labels: dict[str, str]):
    """A round of rounds_with_progress as the lists show it: its state and progress (no query)."""

    def shown(survey_round: SurveyRound) -> SurveyRound:
        survey_round.state = round_state(survey_round, day)
        survey_round.state_label = labels[survey_round.state]
        survey_round.progress = selectors.progress_of(survey_round)
        return survey_round

    return shown


def _get_round_for_user(request: CompanyRequest, pk: int) -> SurveyRound:
    """The round, for staff of this PTA and for the contact persons of its company (they get
    `request.contact_person`); another company's round, or an unknown one, is 404."""
    rounds = SurveyRound.objects.select_related("company", "location", "department", "questionnaire")
    if is_staff(request):
        return get_object_or_404(rounds, pk=pk)
    if request.membership is None or request.membership.role != Role.CONTACT:
        raise PermissionDenied
    survey_round = rounds.filter(pk=pk, company__contact_persons__user=request.user).first()
    if survey_round is None:
        raise Http404
    request.contact_person = ContactPerson.objects.get(user=request.user, company=survey_round.company)
    return survey_round


# --- The PTA's rounds -------------------------------------------------------------------------


@staff_required
@require_GET
def index(request: AuthenticatedRequest):
    """Every round of the PTA, newest first, with its progress, a page at a time; filters by state and kind."""
    filters = RoundFilterForm(request.GET or None).filters()
    day = today()
    rounds = SurveyRound.objects.select_related("company")
    if filters["state"]:
        rounds = rounds.filter(_state_filter(filters["state"], day))
    if filters["kind"]:
        rounds = rounds.filter(kind=filters["kind"])
    rounds = selectors.rounds_with_progress(rounds.order_by("-opens_on", "-pk"))
    page = list_page(request, rounds, param="page", per_page=ROUNDS_PAGE_SIZE, shown=_shown_round(day, _state_labels()))
    return render(
        request,
        "surveys/rounds/index.html",
        {"page": page, "filter_form": RoundFilterForm(request.GET or None), "filters": filters},
    )


# --- Starting rounds --------------------------------------------------------------------------


def _offered_companies(search: dict[str, str]):
    """The companies the many-rounds page offers: members first, by name; only members unless all are asked for."""
    companies = Company.objects.annotate(
        member_first=Case(
            When(status=CompanyStatus.MEMBER, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("member_first", "name")
    if search["status"] != "all":
        companies = companies.filter(status=CompanyStatus.MEMBER)
    if search["q"]:
        companies = companies.filter(Q(name__icontains=search["q"]) | Q(org_number__startswith=search["q"]))
    return companies


def _recipient_counts(companies) -> list[dict]:
    """Each company with the number its round would invite (services_rounds.audience, one count each)."""
    rows = []
    for company in companies:
        count = services_rounds.audience(company=company).count()
        rows.append({"company": company, "recipients": count, "refused": count == 0})
    return rows


@staff_required
@require_http_methods(["GET", "POST"])
def rounds_start_many(request: AuthenticatedRequest):
    """Rounds for several companies: choose (GET), see each company's recipients and which
    would be refused (POST), confirm (POST confirm=yes: services_rounds.rounds_start_many),
    and see the rounds started and the refusals with their reasons."""
    data = request.POST if request.method == "POST" else request.GET
    search = CompanySearchForm(data or None).search()
    offered = _offered_companies(search)
    shown = list(offered[: COMPANIES_SHOWN_MAX + 1])
    truncated = len(shown) > COMPANIES_SHOWN_MAX
    shown = shown[:COMPANIES_SHOWN_MAX]
    form = RoundsStartManyForm(request.POST if request.method == "POST" else None, shown=shown)
    context = {"form": form, "search": search, "search_form": CompanySearchForm(initial=search), "truncated": truncated}
    if request.method == "POST" and form.is_valid():
        companies = list(form.cleaned_data["companies"].order_by("name"))
        if not confirmed(request):
            rows = _recipient_counts(companies)
            # The chosen values again, as hidden fields of the confirmation's form.
            hidden = [(name, value) for name in form.fields for value in request.POST.getlist(name)]
            return render(
                request,
                "surveys/rounds/start_many_confirm.html",
                {
                    **context,
                    "hidden": hidden,
                    "rows": rows,
                    "recipients": sum(row["recipients"] for row in rows),
                    "refused": sum(1 for row in rows if row["refused"]),
                    "starting": sum(1 for row in rows if not row["refused"]),
                },
            )
        started, refused = services_rounds.rounds_start_many(
            companies=companies, **form.round_options(), by=request.user
        )
        return render(
            request,
            "surveys/rounds/start_many_result.html",
            {"started": started, "refusals": refused, "recipients": sum(r.recipient_count for r in started)},
        )
    return render(request, "surveys/rounds/start_many.html", context, status=400 if request.method == "POST" else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def round_start(request: CompanyRequest, company_pk: int):
    """A round for one company (staff): the form shows how many employees would be invited;
    the "count" button recounts for the chosen location or department without starting.
    services_rounds.round_start's refusals are shown on the form."""
    company = get_company_for_user(request, company_pk, staff_only=True)
    form = RoundStartForm(request.POST or None, company=company)
    place = {"location": None, "department": None}
    if request.method == "POST" and form.is_valid():
        options = form.round_options()
        place = {"location": options["location"], "department": options["department"]}
        if "count" not in request.POST:
            try:
                survey_round = services_rounds.round_start(company=company, **options, by=request.user)
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                count = survey_round.recipient_count
                messages.success(
                    request,
                    ngettext(
                        "The round is started: %(count)s employee is invited.",
                        "The round is started: %(count)s employees are invited.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("surveys:round_detail", pk=survey_round.pk)
    recipients = services_rounds.audience(company=company, **place).count()
    return render(
        request,
        "surveys/rounds/round_start.html",
        {"company": company, "tab": "surveys", "form": form, "recipients": recipients, "place": place},
        status=400 if form.errors else 200,
    )


# --- A company's rounds, and one round's progress --------------------------------------------


@company_member_required
@require_GET
def company_rounds(request: CompanyRequest, company_pk: int):
    """The company's rounds with their progress (the company page's tab): staff, who may start
    one, and the company's own contact persons, read-only."""
    company = get_company_for_user(request, company_pk)
    day = today()
    rounds = selectors.rounds_with_progress(
        SurveyRound.objects.filter(company=company)
        .select_related("location", "department")
        .order_by("-opens_on", "-pk")
    )
    page = list_page(request, rounds, param="page", per_page=ROUNDS_PAGE_SIZE, shown=_shown_round(day, _state_labels()))
    return render(
        request,
        "surveys/rounds/company_rounds.html",
        {"company": company, "tab": "surveys", "page": page, "is_staff": is_staff(request)},
    )


def planned_reminders(survey_round: SurveyRound) -> list[date]:
    """The days reminders are due, counted from the opening day: every reminder_days, at most
    max_reminders, while the round is open (a late mailing moves them later)."""
    days = []
    for number in range(1, survey_round.max_reminders + 1):
        day = survey_round.opens_on + timedelta(days=number * survey_round.reminder_days)
        if day > survey_round.closes_on:
            break
        days.append(day)
    return days


def _round_context(request: CompanyRequest, survey_round: SurveyRound) -> dict:
    day = today()
    state = round_state(survey_round, day)
    progress = selectors.round_progress(round=survey_round)
    reminders = InvitationMail.objects.filter(invitation__round=survey_round, kind=MailKind.REMINDER).aggregate(
        count=Count("pk", filter=Q(refused="")), last=Max("sent_at")
    )
    return {
        "round": survey_round,
        "company": survey_round.company,
        "tab": "surveys",
        "state": state,
        "state_label": _state_labels()[state],
        "progress": progress,
        "polling": state == RoundState.OPEN,
        "poll_seconds": POLL_SECONDS,
        "planned_reminders": planned_reminders(survey_round),
        "reminders_sent": reminders["count"],
        "last_reminder_at": reminders["last"],
        "summary_due": survey_round.closes_on + timedelta(days=1),
        "is_staff": is_staff(request),
        "results_url": reverse("survey_results:company_results", kwargs={"company_pk": survey_round.company_id}),
    }


@company_member_required
@require_GET
def round_detail(request: CompanyRequest, pk: int):
    """A round's live counts and progress bars, its reminders and closing summary: staff, and the
    round's company's contact persons."""
    survey_round = _get_round_for_user(request, pk)
    return render(request, "surveys/rounds/round_detail.html", _round_context(request, survey_round))


@company_member_required
@require_GET
def round_progress(request: CompanyRequest, pk: int):
    """The progress fragment htmx reloads (the whole page without htmx); as round_detail."""
    survey_round = _get_round_for_user(request, pk)
    template = "surveys/rounds/round_detail.html#progress" if request.htmx else "surveys/rounds/round_detail.html"
    return render(request, template, _round_context(request, survey_round))


# --- The questionnaire ------------------------------------------------------------------------


def _questionnaire_page(request: AuthenticatedRequest, *, form: LocalQuestionForm | None = None, status: int = 200):
    raw = request.GET.get("version", "")
    version = int(raw) if raw.isdigit() else None
    shown = selectors_questionnaire.questionnaire_view(version=version)
    if shown is None:
        raise Http404
    return render(
        request,
        "surveys/questionnaire/questionnaire.html",
        {
            "shown": shown,
            "versions": selectors_questionnaire.versions(),
            "form": form or LocalQuestionForm(),
            "kinds": _kind_labels(),
            "newer_national": shown.newest_national is not None
            and shown.national_version is not None
            and shown.newest_national.version > shown.national_version,
        },
        status=status,
    )


def _kind_labels() -> dict[str, str]:
    return {
        "single": _("Single choice"),
        "multiple": _("Multiple choice"),
        "number": pgettext("question kind", "Number"),
        "scale": _("Scale"),
        "text": _("Free text"),
    }


@staff_required
@require_GET
def questionnaire(request: AuthenticatedRequest):
    """The newest version's questions (national and local), its versions, and the local question form
    (?version=N shows an earlier version)."""
    return _questionnaire_page(request)


def _add_service_error(form: LocalQuestionForm, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(field_of_message(message), message)


@staff_required
@require_http_methods(["GET", "POST"])
def local_question_add(request: AuthenticatedRequest):
    """Add a local question (surveys.services.local_question_add): in the newest version if no
    round has used it, else in a new version. A GET goes to the questionnaire page."""
    if request.method == "GET":
        return redirect(reverse("surveys:questionnaire") + "#add-question")
    form = LocalQuestionForm(request.POST)
    if form.is_valid():
        try:
            changed = services.local_question_add(definition=form.definition(), by=request.user)
        except ValidationError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The question is added to version %(version)s of the questionnaire.") % {"version": changed.version},
            )
            return redirect("surveys:questionnaire")
    return _questionnaire_page(request, form=form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def local_question_remove(request: AuthenticatedRequest, key: str):
    """Remove a local question of the newest version, after a confirmation page (core.forms.confirmed);
    a version a round has used is kept, and the change makes a new version."""
    question = selectors_questionnaire.local_question(key=key)
    if question is None:
        raise Http404
    if not confirmed(request):
        in_use = question.questionnaire.rounds.exists()
        return render(
            request,
            "surveys/questionnaire/question_remove.html",
            {"question": question, "in_use": in_use},
        )
    try:
        changed = services.local_question_remove(key=key, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The question is removed; version %(version)s of the questionnaire is without it.")
            % {"version": changed.version},
        )
    return redirect("surveys:questionnaire")
