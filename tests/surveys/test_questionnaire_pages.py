"""The PTA's questionnaire page: the newest version's questions (national and
local), its versions, adding and removing local questions (a version a round
has used is kept, and the change makes a new version), for staff only."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from surveys import services
from surveys.models import Questionnaire
from tests.base import HOST_A, client_for
from tests.surveys.helpers import make_round
from tests.surveys.test_round_pages import signed_in_on

LOCAL = {
    "kind": "single",
    "key": "bike_parking",
    "text_nb": "Har du sykkelparkering?",
    "text_en": "Do you have bike parking?",
    "help_nb": "",
    "help_en": "",
    "decimals": "0",
    "options": "yes;Ja;Yes\nno;Nei;No",
}


def _newest(world) -> Questionnaire:
    with tenant_context(world.pta_a):
        return Questionnaire.objects.order_by("-version").first()


def test_the_questionnaire_pages_are_for_staff(world):
    with tenant_context(world.pta_a):
        services.local_question_add(definition={**_definition(), "key": "seen"}, by=None)
    paths = [
        "/undersokelser/sporreskjema/",
        "/undersokelser/sporreskjema/local_seen/fjern/",
    ]
    clients = {
        "anonymous": client_for(None, HOST_A),
        "contact_own": client_for(world.contact_a1),
        "adviser": client_for(world.adviser_a),
        "admin": client_for(world.admin_a),
        "coordinator": signed_in_on(world.coordinator, HOST_A),
    }
    for path in paths:
        statuses = {role: client.get(path).status_code for role, client in clients.items()}
        assert statuses == {"anonymous": 302, "contact_own": 403, "adviser": 200, "admin": 200, "coordinator": 403}
    assert client_for(world.contact_a1).post("/undersokelser/sporreskjema/ny-sporsmal/", LOCAL).status_code == 403
    assert client_for(world.adviser_a).get("/undersokelser/sporreskjema/ny-sporsmal/").status_code == 302
    assert client_for(world.adviser_a).post("/undersokelser/sporreskjema/ny-sporsmal/", {}).status_code == 400
    assert client_for(world.adviser_b).post("/undersokelser/sporreskjema/ny-sporsmal/", {}).status_code == 400
    assert client_for(world.adviser_b).get("/undersokelser/sporreskjema/local_seen/fjern/").status_code == 404


def _definition() -> dict:
    return {
        "key": "bike_parking",
        "kind": "single",
        "text_nb": "Har du sykkelparkering?",
        "text_en": "Do you have bike parking?",
        "required": False,
        "options": [{"code": "yes", "nb": "Ja", "en": "Yes"}, {"code": "no", "nb": "Nei", "en": "No"}],
    }


def test_the_page_shows_the_national_questions_before_the_first_version(world):
    with tenant_context(world.pta_a):
        if Questionnaire.objects.exists():
            pytest.skip("PTA A has a questionnaire already")
    response = client_for(world.adviser_a).get("/undersokelser/sporreskjema/")
    assert response.status_code == 200
    shown = response.context["shown"]
    assert shown.questionnaire is None and shown.questions[0]["key"] == "main_mode"
    assert 'id="no-version"' in response.content.decode()


@pytest.mark.parametrize("persona", ["adviser_a", "admin_a"])
def test_staff_add_a_local_question(world, persona):
    client = client_for(getattr(world, persona))
    response = client.post("/undersokelser/sporreskjema/ny-sporsmal/", LOCAL)
    assert response.status_code == 302 and response["Location"] == "/undersokelser/sporreskjema/"
    newest = _newest(world)
    with tenant_context(world.pta_a):
        question = newest.questions.get(key="local_bike_parking")
        assert question.is_local and question.options[0] == {"code": "yes", "nb": "Ja", "en": "Yes"}
    page = client.get("/undersokelser/sporreskjema/")
    keys = [q.key for q in page.context["shown"].questions]
    assert keys[0] == "main_mode" and keys[-1] == "local_bike_parking"
    assert 'href="/undersokelser/sporreskjema/local_bike_parking/fjern/"' in page.content.decode()


def test_a_change_to_a_version_in_use_makes_a_new_version(world):
    client = client_for(world.adviser_a)
    assert client.post("/undersokelser/sporreskjema/ny-sporsmal/", LOCAL).status_code == 302
    used = _newest(world)
    with tenant_context(world.pta_a):
        make_round(world.company_a1, employees=1)  # the round uses the newest version
    page = client.get("/undersokelser/sporreskjema/")
    assert page.context["shown"].in_use and page.context["shown"].questionnaire.pk == used.pk

    added = client.post("/undersokelser/sporreskjema/ny-sporsmal/", {**LOCAL, "key": "showers"})
    assert added.status_code == 302
    newer = _newest(world)
    assert newer.version == used.version + 1
    with tenant_context(world.pta_a):
        assert set(newer.questions.filter(is_local=True).values_list("key", flat=True)) == {
            "local_bike_parking",
            "local_showers",
        }
        assert not used.questions.filter(key="local_showers").exists()

    # Unused, the new version is changed in place; the removal asks first.
    path = "/undersokelser/sporreskjema/local_bike_parking/fjern/"
    confirm = client.get(path)
    assert confirm.status_code == 200 and not confirm.context["in_use"]
    assert client.post(path).status_code == 200  # no confirmation: the page again, nothing removed
    with tenant_context(world.pta_a):
        assert newer.questions.filter(key="local_bike_parking").exists()
    removed = client.post(path, {"confirm": "yes"})
    assert removed.status_code == 302
    assert _newest(world).pk == newer.pk
    with tenant_context(world.pta_a):
        assert not newer.questions.filter(key="local_bike_parking").exists()
        assert used.questions.filter(key="local_bike_parking").exists()

    earlier = client.get("/undersokelser/sporreskjema/", {"version": used.version})
    assert earlier.status_code == 200 and not earlier.context["shown"].is_newest
    assert client.get("/undersokelser/sporreskjema/", {"version": 9999}).status_code == 404


def test_removing_from_a_version_in_use_makes_a_new_version(world):
    client = client_for(world.admin_a)
    assert client.post("/undersokelser/sporreskjema/ny-sporsmal/", LOCAL).status_code == 302
    used = _newest(world)
    with tenant_context(world.pta_a):
        make_round(world.company_a1, employees=1)
    path = "/undersokelser/sporreskjema/local_bike_parking/fjern/"
    assert client.get(path).context["in_use"]
    assert client.post(path, {"confirm": "yes"}).status_code == 302
    newer = _newest(world)
    assert newer.version == used.version + 1
    with tenant_context(world.pta_a):
        assert not newer.questions.filter(key="local_bike_parking").exists()
        assert used.questions.filter(key="local_bike_parking").exists()


def test_removing_an_unknown_or_national_question_is_404(world):
    client = client_for(world.adviser_a)
    assert client.post("/undersokelser/sporreskjema/ny-sporsmal/", LOCAL).status_code == 302
    assert client.get("/undersokelser/sporreskjema/main_mode/fjern/").status_code == 404
    assert client.get("/undersokelser/sporreskjema/local_nothing/fjern/").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"options": "yes;Ja"}, "options"),
        ({"options": "yes;Ja;Yes"}, "options"),
        ({"text_en": ""}, "text_en"),
        ({"kind": "number", "options": "", "min": "5", "max": "1"}, "max"),
        ({"kind": "number", "options": "", "min": "", "max": "10"}, "min"),
        ({"kind": "scale", "options": "", "min": "1", "max": "20"}, "max"),
        ({"key": "9lives"}, "key"),
        ({"options": "Yes!;Ja;Yes\nno;Nei;No"}, "options"),  # the service's rule: codes are slugs
    ],
)
def test_a_wrong_local_question_is_refused_naming_the_field(world, change, field):
    before = _newest(world)
    response = client_for(world.adviser_a).post("/undersokelser/sporreskjema/ny-sporsmal/", {**LOCAL, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    after = _newest(world)
    assert (before and before.pk) == (after and after.pk)


def test_a_key_in_use_is_refused_on_the_key(world):
    client = client_for(world.adviser_a)
    assert client.post("/undersokelser/sporreskjema/ny-sporsmal/", LOCAL).status_code == 302
    again = client.post("/undersokelser/sporreskjema/ny-sporsmal/", LOCAL)
    assert again.status_code == 400 and "key" in again.context["form"].errors


def test_a_number_question_keeps_its_bounds(world):
    data = {**LOCAL, "kind": "number", "key": "kids", "options": "", "min": "0", "max": "10", "decimals": "0"}
    assert client_for(world.adviser_a).post("/undersokelser/sporreskjema/ny-sporsmal/", data).status_code == 302
    with tenant_context(world.pta_a):
        question = _newest(world).questions.get(key="local_kids")
        assert (question.kind, question.min_value, question.max_value, question.decimals) == ("number", 0, 10, 0)
