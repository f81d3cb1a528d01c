"""The survey results dashboard of a large PTA: 50,000 responses over 200
companies (a baseline and a follow-up round each, three locations, a tenth of
the respondents ticking "would try an e-bike or a ticket", some free text),
then the PTA dashboard and one company's page through django.test.Client
(middleware, view, template): median server-side time of REQUESTS requests and
the number of queries each runs (CaptureQueriesContext).

    .venv/bin/python bench/survey_dashboard.py [RESPONSES] [COMPANIES]

Runs in a throwaway PTA on the embedded development database, dropped at the end.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

import django  # noqa: E402

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from companies.models import Company, CompanyStatus, Location  # noqa: E402
from core.dates import today  # noqa: E402
from surveys.models import (  # noqa: E402
    Answer,
    Invitation,
    InvitationState,
    Mode,
    Question,
    Response,
    RoundKind,
    SurveyRound,
)
from surveys.services import questionnaire_for_new_round  # noqa: E402
from tenants.models import Membership, Pta, Role, User  # noqa: E402
from tenants.services import pta_create  # noqa: E402
from tenants.signals import SESSION_TENANT_KEY  # noqa: E402
from tests.factories import org_number  # noqa: E402

REQUESTS = 7
SLUG = "benchsurvey"
# A realistic mix of main modes (weights), car drivers the largest group.
MODES = [
    (Mode.CAR_DRIVER, 45),
    (Mode.CAR_PASSENGER, 5),
    (Mode.CARPOOL, 2),
    (Mode.BUS, 18),
    (Mode.TRAIN, 5),
    (Mode.BICYCLE, 10),
    (Mode.EBIKE, 5),
    (Mode.WALK, 8),
    (Mode.OTHER, 2),
]


def seed(*, responses: int, companies: int, adviser: User) -> tuple[int, int]:
    """Companies with a baseline (60 % of the responses) and a follow-up round each; returns a company
    pk and its baseline round's pk."""
    rng = random.Random(12)  # noqa: S311 (test data, not secrets)
    day = today()
    questionnaire = questionnaire_for_new_round()
    try_offer = Question.objects.get(questionnaire=questionnaire, key="try_offer")
    comment = Question.objects.get(questionnaire=questionnaire, key="comment")
    Company.objects.bulk_create(
        Company(org_number=org_number(i), name=f"Bedrift {i:04d} AS", status=CompanyStatus.MEMBER, adviser=adviser)
        for i in range(companies)
    )
    company_ids = list(Company.objects.order_by("pk").values_list("pk", flat=True))
    Location.objects.bulk_create(Location(company_id=pk, name=name) for pk in company_ids for name in ("A", "B", "C"))
    locations: dict[int, list[int]] = {}
    for pk, company_id in Location.objects.values_list("pk", "company_id"):
        locations.setdefault(company_id, []).append(pk)
    rounds = SurveyRound.objects.bulk_create(
        SurveyRound(
            company_id=pk,
            questionnaire=questionnaire,
            kind=kind,
            opens_on=day - timedelta(days=ago),
            closes_on=day - timedelta(days=ago) + timedelta(days=14),
        )
        for pk in company_ids
        for kind, ago in ((RoundKind.BASELINE, 200), (RoundKind.FOLLOWUP, 10))
    )
    per_company = responses // companies
    answers: list[Answer] = []
    rows: list[Response] = []
    invitations: list[Invitation] = []
    modes, weights = zip(*MODES, strict=True)
    for round_ in rounds:
        count = int(per_company * (0.6 if round_.kind == RoundKind.BASELINE else 0.4))
        invited = int(count / rng.uniform(0.55, 0.95))
        invitations.extend(
            Invitation(
                round=round_,
                email=f"x{round_.pk}.{i}@bench.invalid",
                nonce="",
                token_hash=secrets.token_hex(32),
                state=InvitationState.SENT,
            )
            for i in range(invited)
        )
        for _ in range(count):
            mode = rng.choices(modes, weights)[0]
            days = Decimal(rng.choice([5, 5, 5, 4, 3]))
            rows.append(
                Response(
                    round=round_,
                    company_id=round_.company_id,
                    location_id=rng.choice(locations[round_.company_id] + [None]),
                    submitted_on=round_.opens_on,
                    main_mode=mode,
                    distance_km=Decimal(str(round(rng.lognormvariate(2, 0.9), 1))),
                    commute_days=days,
                    home_office_days=Decimal(5) - days,
                    travel_minutes=rng.randint(5, 90),
                    switch_likelihood=rng.randint(1, 5),
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=5000)
    Response.objects.bulk_create(rows, batch_size=5000)
    for response in rows:
        if rng.random() < 0.1:
            answers.append(Answer(response=response, question=try_offer, choices=["ebike_trial"]))
        if rng.random() < 0.05:
            answers.append(Answer(response=response, question=comment, text=f"Kommentar {rng.randint(1, 10**6)}"))
    Answer.objects.bulk_create(answers, batch_size=5000)
    with connection.cursor() as cursor:
        for table in ("surveys_response", "surveys_invitation", "surveys_answer", "surveys_surveyround"):
            cursor.execute(f"ANALYZE {table}")
    baseline = next(r for r in rounds if r.kind == RoundKind.BASELINE)
    return baseline.company_id, baseline.pk


def client_for(user: User, pta: Pta) -> Client:
    client = Client(HTTP_HOST=pta.get_primary_domain().domain)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_TENANT_KEY] = pta.schema_name
    session.save()
    return client


def measure(client: Client, path: str) -> tuple[float, int]:
    """Median server time in ms of REQUESTS requests (after two to warm up), and the queries of one."""
    for _ in range(2):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return statistics.median(times) * 1000, len(queries)


def main() -> None:
    responses = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    companies = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    settings.DEBUG = False
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    email = "bench.adviser@benchsurvey.invalid"
    User.objects.filter(email=email).delete()
    pta = pta_create(name="Bench surveys", slug=SLUG, domain=f"{SLUG}.localhost")
    adviser = User.objects.create_user(email=email, password=None)
    try:
        Membership.objects.create(user=adviser, tenant=pta, role=Role.ADVISER)
        TOTP.activate(adviser, generate_totp_secret())
        started = time.perf_counter()
        with tenant_context(pta):
            company_pk, round_pk = seed(responses=responses, companies=companies, adviser=adviser)
            stored = Response.objects.count()
        print(f"seeded {stored} responses in {companies} companies in {time.perf_counter() - started:.1f} s")
        connection.set_schema_to_public()
        client = client_for(adviser, pta)
        pages = [
            ("PTA dashboard (baseline)", "/undersokelser/resultater/"),
            ("PTA dashboard (follow-up)", "/undersokelser/resultater/?kind=followup"),
            ("PTA export (xlsx)", "/undersokelser/resultater/eksport.xlsx"),
            ("company page", f"/bedrifter/{company_pk}/undersokelser/resultater/?round={round_pk}"),
        ]
        results = [(label, *measure(client, path)) for label, path in pages]
    finally:
        connection.set_schema_to_public()
        pta.delete(force_drop=True)
        adviser.delete()
    print(f"median of {REQUESTS} requests, server side (django.test.Client), queries of one request")
    for label, ms, queries in results:
        print(f"{label:28} {ms:8.1f} ms   {queries:3d} queries")


if __name__ == "__main__":
    main()
