"""The national question set on the national site: the versions, a version's
questions, a new draft (copied from the newest, validated), editing it, and
publishing it once; a published version is never changed."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import include, path

from config import urls_public
from tenants import services_questionnaires as services
from tenants import views_questionnaires as views
from tenants.models import NationalQuestionnaire
from tenants.question_sets import STANDARD_V1
from tests.base import NATIONAL_HOST, client_for
from tests.surveys.test_round_pages import signed_in_on

# The national site's URLs with these pages, until config/urls_public.py routes them.
QUESTIONNAIRE_URLS = [
    path("sporreskjema/", views.national_questionnaires, name="national_questionnaires"),
    path("sporreskjema/ny/", views.national_questionnaire_create, name="national_questionnaire_create"),
    path("sporreskjema/<int:pk>/", views.national_questionnaire_detail, name="national_questionnaire_detail"),
    path(
        "sporreskjema/<int:pk>/publiser/", views.national_questionnaire_publish, name="national_questionnaire_publish"
    ),
]
urlpatterns = [*QUESTIONNAIRE_URLS, path("", include(urls_public.urlpatterns))]


@pytest.fixture(autouse=True)
def _routes(settings):
    names = {getattr(p, "name", None) for p in urls_public.urlpatterns}
    if "national_questionnaires" not in names:
        settings.PUBLIC_SCHEMA_URLCONF = __name__


def _coordinator(world):
    return client_for(world.coordinator)


def _v1():
    return NationalQuestionnaire.objects.get(version=1)


def _changed_questions() -> list[dict]:
    questions = json.loads(json.dumps(STANDARD_V1))
    questions[0]["text_en"] = "How do you usually get to work?"
    return questions


def test_the_pages_are_for_the_coordinator(world):
    v1 = _v1()
    paths = ["/sporreskjema/", "/sporreskjema/ny/", f"/sporreskjema/{v1.pk}/", f"/sporreskjema/{v1.pk}/publiser/"]
    clients = {
        "anonymous": client_for(None, NATIONAL_HOST),
        "coordinator": _coordinator(world),
        "pta_admin": signed_in_on(world.admin_a, NATIONAL_HOST),
        "contact": signed_in_on(world.contact_a1, NATIONAL_HOST),
    }
    for url in paths:
        statuses = {role: client.get(url).status_code for role, client in clients.items()}
        # The publish page of a published version goes back to the version (302).
        coordinator = 302 if url.endswith("publiser/") else 200
        assert statuses == {"anonymous": 302, "coordinator": coordinator, "pta_admin": 403, "contact": 403}, url
    assert clients["anonymous"].get("/sporreskjema/")["Location"].startswith("/accounts/login/?next=")


def test_the_list_and_a_versions_questions(world):
    client = _coordinator(world)
    listing = client.get("/sporreskjema/")
    assert _v1() in list(listing.context["versions"])
    detail = client.get(f"/sporreskjema/{_v1().pk}/")
    assert detail.status_code == 200 and detail.context["form"] is None
    keys = [q["key"] for q in detail.context["questions"]]
    assert keys[0] == "main_mode" and "switch_likelihood" in keys
    text = detail.content.decode()
    assert "<code>car_driver</code>" in text and STANDARD_V1[0]["text_en"] in text


def test_a_new_version_is_a_draft_copied_from_the_newest_then_published(world):
    client = _coordinator(world)
    form = client.get("/sporreskjema/ny/")
    assert form.status_code == 200
    assert json.loads(form.context["form"]["questions"].value()) == _v1().questions

    created = client.post(
        "/sporreskjema/ny/", {"questions": json.dumps(_changed_questions()), "notes": "Ny engelsk tekst"}
    )
    assert created.status_code == 302
    draft = NationalQuestionnaire.objects.get(version=2)
    assert created["Location"] == f"/sporreskjema/{draft.pk}/"
    assert draft.published_at is None and draft.created_by == world.coordinator.user
    assert draft.questions[0]["text_en"] == "How do you usually get to work?"

    # While a draft exists, "new version" goes to it.
    assert client.get("/sporreskjema/ny/")["Location"] == f"/sporreskjema/{draft.pk}/"

    # The draft may be edited.
    questions = _changed_questions()
    questions[1]["text_en"] = "Other modes on the same trip?"
    edited = client.post(f"/sporreskjema/{draft.pk}/", {"questions": json.dumps(questions), "notes": "To tekster"})
    assert edited.status_code == 302
    draft.refresh_from_db()
    assert draft.questions[1]["text_en"] == "Other modes on the same trip?" and draft.notes == "To tekster"

    # Publishing asks first.
    confirm = client.get(f"/sporreskjema/{draft.pk}/publiser/")
    assert confirm.status_code == 200
    assert client.post(f"/sporreskjema/{draft.pk}/publiser/").status_code == 200
    draft.refresh_from_db()
    assert draft.published_at is None
    published = client.post(f"/sporreskjema/{draft.pk}/publiser/", {"confirm": "yes"})
    assert published.status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None

    # Published: not editable through the page, publishing again goes back.
    again = client.post(f"/sporreskjema/{draft.pk}/", {"questions": "[]", "notes": "x"})
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.notes == "To tekster"
    assert client.post(f"/sporreskjema/{draft.pk}/publiser/", {"confirm": "yes"}).status_code == 302


@pytest.mark.parametrize(
    ("questions", "named"),
    [
        ("not json", "JSON"),
        (json.dumps([q for q in STANDARD_V1 if q["key"] != "parking"]), "parking"),
        (json.dumps([{**STANDARD_V1[0], "kind": "number"}, *STANDARD_V1[1:]]), "main_mode"),
        (json.dumps([*STANDARD_V1, {**STANDARD_V1[-1]}]), "comment"),
        (json.dumps([*STANDARD_V1, {"key": "extra", "kind": "scale", "text_nb": "a", "text_en": "b"}]), "extra"),
        (json.dumps([]), "minst ett spørsmål"),
    ],
)
def test_an_invalid_question_set_is_refused_naming_the_question(world, questions, named):
    response = _coordinator(world).post("/sporreskjema/ny/", {"questions": questions, "notes": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors["questions"]
    with_override = " ".join(str(e) for e in errors)
    assert named in with_override or named == "JSON", with_override
    assert not NationalQuestionnaire.objects.filter(version__gt=1).exists()


def test_publishing_twice_is_refused(world):
    draft = services.national_questionnaire_draft_create(questions=_changed_questions(), notes="", by=None)
    services.national_questionnaire_publish(questionnaire=draft)
    with pytest.raises(ValidationError):
        services.national_questionnaire_publish(questionnaire=draft)


def test_only_one_draft_at_a_time(world):
    services.national_questionnaire_draft_create(questions=_changed_questions(), notes="", by=None)
    with pytest.raises(ValidationError):
        services.national_questionnaire_draft_create(questions=_changed_questions(), notes="", by=None)


def test_a_published_version_is_not_editable(world):
    with pytest.raises(ValidationError):
        services.national_questionnaire_update(questionnaire=_v1(), questions=_changed_questions(), notes="")
    # And the database refuses it whatever the code does.
    with pytest.raises(DatabaseError), transaction.atomic():
        NationalQuestionnaire.objects.filter(pk=_v1().pk).update(notes="endret")
    assert _v1().notes != "endret"


def test_a_published_version_is_taken_by_the_ptas_next_round(world):
    from django_tenants.utils import tenant_context

    from surveys.services import questionnaire_for_new_round

    draft = services.national_questionnaire_draft_create(questions=_changed_questions(), notes="", by=None)
    services.national_questionnaire_publish(questionnaire=draft)
    with tenant_context(world.pta_a):
        questionnaire = questionnaire_for_new_round()
        assert questionnaire.national_version == draft.version
        assert questionnaire.questions.get(key="main_mode").text_en == "How do you usually get to work?"
