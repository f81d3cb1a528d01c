"""Fictitious travel-habit surveys for the demo PTAs (after reporting.demo's companies):
for each company, a closed baseline round about eight months back and an open
follow-up round, with answers drawn so that the follow-up shows fewer car
drivers than the baseline. The follow-up's invitations not yet answered are
left to the worker, which mails them (in `make run`, as .eml files under
.data/mail/), so a new user can open one and answer it."""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from companies.models import Company
from core import outbox
from core.dates import today
from employees.models import EmployeeStatus
from surveys import services
from surveys.answers import answer_fields, standard_columns
from surveys.models import (
    Answer,
    Invitation,
    InvitationMail,
    InvitationState,
    MailKind,
    Question,
    Response,
    RoundKind,
    SurveyRound,
    invitation_token,
)
from tenants.models import Pta

COMMENTS = [
    "Bussen er ofte full om morgenen.",
    "Jeg ville syklet mer om det var garderobe på jobben.",
    "Trenger bilen for å hente i barnehagen.",
    "Bedriftsbilletten har gjort det enkelt å la bilen stå.",
    "Det mangler en god sykkelvei det siste stykket.",
    "Flere avganger på kveldstid hadde hjulpet.",
    "Parkeringen er gratis, så det er lett å velge bilen.",
    "Elsykkelen har endret hverdagen min.",
]
# Main modes by distance, weights for the baseline; the follow-up moves some car drivers over.
MODES_NEAR = {"walk": 40, "bicycle": 25, "ebike": 8, "escooter": 5, "car_driver": 15, "bus": 7}
MODES_MID = {"bicycle": 12, "ebike": 12, "car_driver": 40, "car_passenger": 5, "carpool": 3, "bus": 20, "tram": 5,
             "metro": 3}  # fmt: skip
MODES_FAR = {"car_driver": 50, "car_passenger": 5, "carpool": 5, "bus": 15, "train": 18, "ferry": 3,
             "motorbike": 2, "other": 2}  # fmt: skip
SHIFT_FROM_CAR = 0.22  # the share of baseline car drivers who travel otherwise at follow-up
SHIFT_TO = ["bus", "ebike", "train", "bicycle", "carpool"]


def seed_survey_demo() -> int:
    """Rounds for every demo region that has none yet. Returns how many responses were made."""
    made = 0
    for pta in Pta.objects.regions().filter(is_active=True).order_by("slug"):
        with tenant_context(pta), transaction.atomic():
            if SurveyRound.objects.exists():
                continue
            made += _seed_pta(rng=random.Random(f"surveys-{pta.slug}"))
    return made


def _seed_pta(*, rng: random.Random) -> int:
    questionnaire = services.questionnaire_for_new_round()
    questions = {question.key: question for question in questionnaire.questions.all()}
    now = today()
    made = 0
    for number, company in enumerate(Company.objects.order_by("pk")):
        baseline_rate = rng.choice([0.82, 0.78, 0.64]) if number else 0.8
        made += _seed_round(
            rng=rng,
            company=company,
            questions=questions,
            kind=RoundKind.BASELINE,
            opens_on=now - timedelta(days=250),
            closes_on=now - timedelta(days=229),
            answered_share=baseline_rate,
        )
        made += _seed_round(
            rng=rng,
            company=company,
            questions=questions,
            kind=RoundKind.FOLLOWUP,
            opens_on=now - timedelta(days=10),
            closes_on=now + timedelta(days=11),
            answered_share=rng.choice([0.55, 0.62, 0.68]),
        )
    return made


def _seed_round(
    *,
    rng: random.Random,
    company: Company,
    questions: dict[str, Question],
    kind: str,
    opens_on: date,
    closes_on: date,
    answered_share: float,
) -> int:
    employees = list(company.employees.filter(status=EmployeeStatus.ACTIVE).exclude(email="").order_by("pk"))
    if not employees:
        return 0
    questionnaire = next(iter(questions.values())).questionnaire
    survey_round = SurveyRound.objects.create(
        company=company, questionnaire=questionnaire, kind=kind, opens_on=opens_on, closes_on=closes_on
    )
    if closes_on < today():
        survey_round.summary_sent_at = timezone.now()
        survey_round.save(update_fields=["summary_sent_at"])
    sent_at = timezone.make_aware(timezone.datetime.combine(opens_on, timezone.datetime.min.time()))
    answering = set(rng.sample(range(len(employees)), round(len(employees) * answered_share)))
    invitations, responses, answers = [], [], []
    for index, employee in enumerate(employees):
        nonce = secrets.token_hex(16)
        answered = index in answering
        # The open round's unanswered invitations are left for the worker to mail.
        mailed = answered or closes_on < today()
        invitations.append(
            Invitation(
                round=survey_round,
                employee=employee,
                email=employee.email.lower(),
                language=employee.preferred_language or "nb",
                nonce=nonce,
                token_hash=Invitation.hash_token(invitation_token(round_id=survey_round.pk, nonce=nonce)),
                state=InvitationState.SENT if mailed else InvitationState.WAITING,
                sent_at=sent_at if mailed else None,
                last_mailed_at=sent_at if mailed else None,
                responded_on=opens_on + timedelta(days=rng.randint(0, 6)) if answered else None,
            )
        )
        if answered:
            response, response_answers = _response(
                rng=rng, survey_round=survey_round, employee=employee, questions=questions, followup=kind == "followup"
            )
            responses.append(response)
            answers += response_answers
    Invitation.objects.bulk_create(invitations)
    InvitationMail.objects.bulk_create(
        InvitationMail(invitation=invitation, kind=MailKind.INVITATION)
        for invitation in invitations
        if invitation.state == InvitationState.SENT
    )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers, batch_size=2000)
    if closes_on >= today():
        outbox.enqueue(task="surveys.send_invitations", args=[survey_round.pk], key=f"survey-round-{survey_round.pk}")
    return len(responses)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _response(*, rng, survey_round, employee, questions, followup: bool) -> tuple[Response, list[Answer]]:
    distance = round(min(rng.lognormvariate(2.0, 0.9), 120), 1)
    modes = MODES_NEAR if distance < 3 else MODES_MID if distance < 15 else MODES_FAR
    mode = _weighted(rng, modes)
    if followup and mode == "car_driver" and rng.random() < SHIFT_FROM_CAR:
        mode = rng.choice(SHIFT_TO)
    home_office = rng.choices([0, 1, 2, 3], weights=[45, 30, 20, 5])[0]
    commute_days = rng.choice([5, 5, 5, 4, 3]) - home_office if home_office else rng.choice([5, 5, 4])
    commute_days = max(commute_days, 0)
    minutes = min(int(distance * rng.uniform(1.5, 3.5) + rng.randint(5, 15)), 300)
    is_car = mode in ("car_driver", "car_passenger", "carpool", "motorbike")
    likelihood = rng.choices([1, 2, 3, 4, 5], weights=[25, 25, 25, 15, 10] if is_car else [5, 10, 25, 30, 30])[0]
    values: dict[str, object] = {
        "main_mode": mode,
        "other_modes": rng.sample(["walk", "bicycle", "bus", "train"], rng.randint(0, 2)),
        "distance_km": Decimal(str(distance)),
        "commute_days": Decimal(commute_days),
        "home_office_days": Decimal(home_office),
        "travel_minutes": Decimal(minutes),
        "parking": rng.choices(["free", "paid", "none"], weights=[60, 30, 10])[0],
        "transit_pass": "yes"
        if mode in ("bus", "tram", "metro", "train", "ferry")
        else rng.choice(["no"] * 5 + ["yes"]),
        "reasons": rng.sample(["fastest", "cheapest", "flexible", "comfort", "health", "no_alternative"], 2),
        "switch_factors": rng.sample(["more_departures", "cheaper_tickets", "employer_ticket", "bike_parking"], 2),
        "switch_likelihood": Decimal(likelihood),
        "try_offer": rng.sample(["ebike_trial", "ticket_trial"], rng.randint(0, 1)) if is_car else [],
    }
    if rng.random() < 0.15:
        values["comment"] = rng.choice(COMMENTS)
    response = Response(
        round=survey_round,
        company=survey_round.company,
        location_id=employee.location_id,
        department_id=employee.department_id,
        submitted_on=survey_round.opens_on + timedelta(days=rng.randint(0, 6)),
        **standard_columns(values),
    )
    answers = [
        Answer(response=response, question=questions[key], **answer_fields(questions[key], value))
        for key, value in values.items()
        if key in questions and value not in ([], "")
    ]
    return response, answers
