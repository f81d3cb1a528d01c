"""The employee's answering pages behind the e-mailed link: the questions in the
invitation's language, saved progress, the checks of every answer, one response
per link, closed and not-yet-open rounds, and opting out of survey mail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_tenants.utils import tenant_context

from surveys import services_answers
from surveys.answers import AnswerError, clean_answer, clean_answers
from surveys.models import Answer, Invitation, MailSuppression, Question, Response, SuppressionReason
from tests.base import HOST_A, HOST_B, client_for
from tests.factories import DepartmentFactory, LocationFactory
from tests.surveys.helpers import make_round


def valid_answers(**overrides) -> dict:
    data = {
        "main_mode": "bus",
        "other_modes": ["walk"],
        "distance_km": "7,5",
        "commute_days": "3",
        "home_office_days": "2",
        "travel_minutes": "25",
        "parking": "paid",
        "transit_pass": "yes",
        "reasons": ["fastest", "cheapest"],
        "switch_likelihood": "4",
        "comment": "Flere bussavganger, takk.",
        "action": "send",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def survey(world, today):
    """An open round at company A1 with three invitations."""
    with tenant_context(world.pta_a):
        round_, invited = make_round(
            world.company_a1, employees=3, opens_on=today - timedelta(days=2), closes_on=today + timedelta(days=12)
        )
    return {"round": round_, "invited": invited}


@pytest.fixture
def client():
    return client_for(None, HOST_A)


def _url(token: str, page: str = "") -> str:
    return f"/undersokelse/{token}/{page}"


def _counts(pta) -> tuple[int, int]:
    with tenant_context(pta):
        return Response.objects.count(), Answer.objects.count()


# --- The happy path -----------------------------------------------------------------------------


def test_answer_and_thanks(world, survey, client, today):
    invitation, token = survey["invited"][0]
    with tenant_context(world.pta_a):
        location = LocationFactory(company=world.company_a1)
        department = DepartmentFactory(company=world.company_a1)
        invitation.employee.location = location
        invitation.employee.department = department
        invitation.employee.save()
    page = client.get(_url(token))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="survey-form"' in html
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    with tenant_context(world.pta_a):
        questions = list(Question.objects.filter(questionnaire=survey["round"].questionnaire))
    for question in questions:
        assert question.text_nb in html
    # Choices are fieldsets with the question as legend, and the inputs carry the DS class.
    assert html.count('<fieldset class="ds-fieldset"') == sum(
        q.kind in ("single", "multiple", "scale") for q in questions
    )
    assert 'name="distance_km"' in html and 'inputmode="decimal"' in html

    sent = client.post(_url(token), valid_answers())
    assert sent.status_code == 302
    assert sent["Location"] == _url(token, "takk/")
    thanks = client.get(sent["Location"])
    assert thanks.status_code == 200
    assert 'id="thanks"' in thanks.content.decode()

    with tenant_context(world.pta_a):
        response = Response.objects.get(round=survey["round"])
        assert response.submitted_on == today
        assert response.company_id == world.company_a1.pk
        assert (response.location_id, response.department_id) == (location.pk, department.pk)
        assert response.main_mode == "bus"
        assert response.distance_km == Decimal("7.5")
        assert (response.commute_days, response.home_office_days) == (Decimal(3), Decimal(2))
        assert response.travel_minutes == 25
        assert response.parking == "paid"
        assert response.has_transit_pass is True
        assert response.switch_likelihood == 4
        answers = {a.question.key: a for a in response.answers.select_related("question")}
        assert answers["main_mode"].choices == ["bus"]
        assert answers["reasons"].choices == ["fastest", "cheapest"]
        assert answers["distance_km"].number == Decimal("7.5")
        assert answers["comment"].text == "Flere bussavganger, takk."
        assert "switch_factors" not in answers and "try_offer" not in answers  # left empty: no row
        invitation.refresh_from_db()
        assert invitation.responded_on == today
        assert invitation.draft == {}


def test_thanks_before_answering_goes_back_to_the_questions(survey, client):
    _invitation, token = survey["invited"][0]
    page = client.get(_url(token, "takk/"))
    assert page.status_code == 302
    assert page["Location"] == _url(token)


def test_no_transit_pass_is_false(world, survey, client):
    _invitation, token = survey["invited"][0]
    assert client.post(_url(token), valid_answers(transit_pass="no")).status_code == 302
    with tenant_context(world.pta_a):
        assert Response.objects.get(round=survey["round"]).has_transit_pass is False


# --- Saved progress ---------------------------------------------------------------------------


def test_saved_progress_is_restored(world, survey, client):
    invitation, token = survey["invited"][0]
    partial = {"main_mode": "ebike", "distance_km": "12,5", "reasons": ["health"], "action": "save"}
    saved = client.post(_url(token), partial)
    assert saved.status_code == 302
    assert saved["Location"].startswith(_url(token) + "?lagret=1")
    with tenant_context(world.pta_a):
        invitation.refresh_from_db()
        assert invitation.draft == {"main_mode": "ebike", "distance_km": "12.5", "reasons": ["health"]}
        assert invitation.responded_on is None
    assert _counts(world.pta_a) == (0, 0)

    again = client.get(saved["Location"])
    html = again.content.decode()
    assert 'id="saved"' in html
    assert 'value="ebike" class="ds-input" id="id_main_mode_4" checked' in html or (
        'value="ebike"' in html and "checked" in html.split('value="ebike"')[1].split(">")[0]
    )
    assert 'value="12,5"' in html  # shown as the reader writes it (bokmål)
    assert "checked" in html.split('value="health"')[1].split(">")[0]

    # A fresh visit (no ?lagret) tells the reader the saved answers are filled in.
    assert 'id="draft-restored"' in client.get(_url(token)).content.decode()

    # Sending the rest completes it and wipes the draft.
    assert client.post(_url(token), valid_answers(main_mode="ebike")).status_code == 302
    with tenant_context(world.pta_a):
        invitation.refresh_from_db()
        assert invitation.draft == {}
        assert Response.objects.get(round=survey["round"]).main_mode == "ebike"


def test_saving_keeps_the_valid_answers_and_shows_the_wrong_ones(world, survey, client):
    invitation, token = survey["invited"][0]
    page = client.post(_url(token), {"main_mode": "bus", "distance_km": "9000", "action": "save"})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="error-summary"' in html and 'href="#id_distance_km"' in html
    with tenant_context(world.pta_a):
        invitation.refresh_from_db()
        assert invitation.draft == {"main_mode": "bus"}


# --- Bad input: a clear error and nothing stored --------------------------------------------------


def test_tampered_token_is_404(survey, client):
    _invitation, token = survey["invited"][0]
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    for url in (_url(tampered), _url(tampered, "takk/"), _url(tampered, "avmeld/"), _url("x")):
        page = client.get(url)
        assert page.status_code == 404, url
        assert 'id="link-invalid"' in page.content.decode()
    assert client.post(_url(tampered), valid_answers()).status_code == 404


def test_another_ptas_host_does_not_know_the_link(world, survey):
    _invitation, token = survey["invited"][0]
    other = client_for(None, HOST_B)
    assert other.get(_url(token)).status_code == 404
    assert other.post(_url(token), valid_answers()).status_code == 404
    assert _counts(world.pta_a) == (0, 0)


def test_closed_round_says_so_and_stores_nothing(world, client, today):
    with tenant_context(world.pta_a):
        round_, [(invitation, token)] = make_round(
            world.company_a1, employees=1, opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=1)
        )
    page = client.get(_url(token))
    assert page.status_code == 410
    assert 'id="survey-closed"' in page.content.decode()
    english = client_for(None, HOST_A)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        closed_on = date_format(round_.closes_on)
    assert f"This survey closed on {closed_on}" in english.get(_url(token)).content.decode()
    assert client.post(_url(token), valid_answers()).status_code == 410
    assert client.post(_url(token), valid_answers(action="save")).status_code == 410
    with tenant_context(world.pta_a):
        invitation.refresh_from_db()
        assert invitation.responded_on is None and invitation.draft == {}
        assert not Response.objects.filter(round=round_).exists()


def test_round_not_open_yet_says_when(world, client, today):
    with tenant_context(world.pta_a):
        round_, [(invitation, token)] = make_round(
            world.company_a1, employees=1, opens_on=today + timedelta(days=3), closes_on=today + timedelta(days=10)
        )
    page = client.get(_url(token))
    assert page.status_code == 403
    assert 'id="survey-not-open"' in page.content.decode()
    assert client.post(_url(token), valid_answers()).status_code == 403
    with tenant_context(world.pta_a):
        assert not Response.objects.filter(round=round_).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("distance_km", "501", "Write a number from 0 to 500."),
        ("distance_km", "-1", "Write a number from 0 to 500."),
        ("distance_km", "7,55", "Write at most 1 decimal."),
        ("distance_km", "sju", "Write a number, for example 7.5."),
        ("commute_days", "2.5", "Write a whole number, without decimals."),
        ("travel_minutes", "301", "Write a number from 0 to 300."),
        ("switch_likelihood", "6", "Choose a whole number from 1 to 5."),
        ("switch_likelihood", "2.5", "Choose a whole number from 1 to 5."),
        ("main_mode", "rocket", "Choose one of the options."),
        ("other_modes", ["walk", "teleport"], "Choose only among the options shown."),
        ("comment", "x" * 2001, "Write at most 2,000 characters (this is 2001)."),
        ("main_mode", None, "Choose an answer."),
        ("distance_km", None, "Answer this question."),
        ("distance_km", "  ", "Answer this question."),
        ("home_office_days", "5", "Days at the workplace and days working from home add up to more than 7 a week."),
    ],
)
def test_each_wrong_answer_gets_its_message_and_stores_nothing(world, survey, client, field, value, message):
    invitation, token = survey["invited"][0]
    data = valid_answers(**{field: value})
    if field == "home_office_days":
        data["commute_days"] = "5"
    page = client.post(_url(token), data, HTTP_COOKIE=f"{settings.LANGUAGE_COOKIE_NAME}=en")
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="error-summary"' in html
    # The message under the field, linked from the input or fieldset, and the summary names the question.
    assert f'id="id_{field}_error"' in html
    assert f"id_{field}_error" in html.split(f'id="id_{field}_error"')[0]  # aria-describedby before it
    assert message in html.replace("&#x27;", "'")
    with tenant_context(world.pta_a):
        question = Question.objects.get(questionnaire=survey["round"].questionnaire, key=field)
        assert question.text_en in html.split('id="error-summary"')[1].split("</ul>")[0]
        invitation.refresh_from_db()
        assert invitation.responded_on is None and invitation.draft == {}
    assert _counts(world.pta_a) == (0, 0)


def test_second_submission_is_refused(world, survey, client):
    invitation, token = survey["invited"][0]
    assert client.post(_url(token), valid_answers()).status_code == 302
    again = client.post(_url(token), valid_answers(main_mode="car_driver"))
    assert again.status_code == 409
    assert 'id="already-answered"' in again.content.decode()
    assert client.post(_url(token), valid_answers(action="save")).status_code == 409
    page = client.get(_url(token))
    assert page.status_code == 200 and 'id="already-answered"' in page.content.decode()
    with tenant_context(world.pta_a):
        assert list(Response.objects.filter(round=survey["round"]).values_list("main_mode", flat=True)) == ["bus"]
        invitation.refresh_from_db()
        assert invitation.draft == {}


def test_service_refuses_a_second_response_and_bad_answers(world, survey, today):
    invitation, _token = survey["invited"][1]
    with tenant_context(world.pta_a):
        cleaned = {"main_mode": "walk", "distance_km": "2", "commute_days": "5", "home_office_days": "0",
                   "travel_minutes": "20", "parking": "none", "transit_pass": "no", "switch_likelihood": 3}  # fmt: skip
        with pytest.raises(services_answers.ValidationError) as error:
            services_answers.response_submit(
                invitation_id=invitation.pk, answers={**cleaned, "distance_km": "600"}, today=today
            )
        assert "distance_km" in error.value.message_dict
        services_answers.response_submit(invitation_id=invitation.pk, answers=cleaned, today=today)
        with pytest.raises(services_answers.AnswerRefused) as refused:
            services_answers.response_submit(invitation_id=invitation.pk, answers=cleaned, today=today)
        assert refused.value.reason == "responded"
        with pytest.raises(services_answers.AnswerRefused):
            services_answers.draft_save(invitation_id=invitation.pk, answers=cleaned, today=today)
        assert Response.objects.filter(round=survey["round"]).count() == 1
        # A day after the round closed.
        other, _token = survey["invited"][2]
        with pytest.raises(services_answers.AnswerRefused) as refused:
            services_answers.response_submit(
                invitation_id=other.pk, answers=cleaned, today=survey["round"].closes_on + timedelta(days=1)
            )
        assert refused.value.reason == "closed"


# --- Language ----------------------------------------------------------------------------------


def test_english_invitation_answers_in_english(world, client, today):
    with tenant_context(world.pta_a):
        round_, [(invitation, token)] = make_round(world.company_a1, employees=1, language="en")
        question = Question.objects.get(questionnaire=round_.questionnaire, key="main_mode")
    page = client.get(_url(token))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="en">' in html
    assert question.text_en in html and question.text_nb not in html
    assert "Car, as driver" in html  # the option labels too
    with translation.override("en"):
        assert "Send my answers" in html
    bad = client.post(_url(token), valid_answers(distance_km="900"))
    assert "Write a number from 0 to 500." in bad.content.decode()
    assert client.post(_url(token), valid_answers()).status_code == 302
    with tenant_context(world.pta_a):
        assert Response.objects.filter(round=round_).count() == 1


def test_language_switch_overrides_the_invitation(survey, client):
    _invitation, token = survey["invited"][0]  # a bokmål invitation
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(_url(token)).content.decode()
    assert '<html lang="en">' in html
    assert "How do you usually travel to work?" in html


# --- Opting out --------------------------------------------------------------------------------


def test_opt_out(world, survey, client):
    invitation, token = survey["invited"][0]
    page = client.get(_url(token, "avmeld/"))
    assert page.status_code == 200
    assert 'id="confirm-opt-out"' in page.content.decode()
    with tenant_context(world.pta_a):
        assert not MailSuppression.objects.filter(email=invitation.email).exists()
    done = client.post(_url(token, "avmeld/"))
    assert done.status_code == 200
    assert 'id="opted-out"' in done.content.decode()
    assert client.post(_url(token, "avmeld/")).status_code == 200  # twice is fine
    with tenant_context(world.pta_a):
        suppression = MailSuppression.objects.get(email=invitation.email)
        assert suppression.reason == SuppressionReason.OPT_OUT
    assert 'id="opted-out"' in client.get(_url(token, "avmeld/")).content.decode()


def test_opt_out_works_after_the_round_closed(world, client, today):
    with tenant_context(world.pta_a):
        _round, [(invitation, token)] = make_round(
            world.company_a1, employees=1, opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=5)
        )
    assert client.post(_url(token, "avmeld/")).status_code == 200
    with tenant_context(world.pta_a):
        assert MailSuppression.objects.filter(email=invitation.email, reason="opt_out").exists()


def test_pages_need_csrf(survey):
    from django.test import Client

    _invitation, token = survey["invited"][0]
    strict = Client(HTTP_HOST=HOST_A, enforce_csrf_checks=True)
    assert strict.post(_url(token), valid_answers()).status_code == 403
    assert strict.post(_url(token, "avmeld/")).status_code == 403


# --- The rules alone ---------------------------------------------------------------------------


def _question(**fields) -> Question:
    return Question(key="q", kind="number", required=True, **fields)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7,5", "7.5"), ("7.5", "7.5"), (" 1 200 ", "1200.0"), ("0", "0.0"), ("3,50", "3.5")],
)
def test_numbers_accept_comma_and_spaces(raw, expected):
    question = _question(min_value=Decimal(0), max_value=Decimal(2000), decimals=1)
    assert clean_answer(question, raw) == expected


def test_numbers_refuse_exponents_and_huge_values():
    question = _question(min_value=Decimal(0), max_value=Decimal(500), decimals=1)
    for raw in ("1e3", "9" * 40, "7,5,5", "--1", "NaN", "Infinity"):
        with pytest.raises(AnswerError):
            clean_answer(question, raw)


def test_partial_cleaning_does_not_ask_for_required():
    questions = [_question(min_value=Decimal(0), max_value=Decimal(10), decimals=0)]
    assert clean_answers(questions, {}, partial=True) == ({}, {})
    assert list(clean_answers(questions, {})[1]) == ["q"]


def test_helper_tokens_find_their_invitations(world, survey):
    with tenant_context(world.pta_a):
        for invitation, token in survey["invited"]:
            assert Invitation.objects.get(token_hash=Invitation.hash_token(token)).pk == invitation.pk
            assert invitation.token() == token
