"""Time a survey round of 20,000 employees: starting it, and mailing the invitations through the
real SMTP path, against a plain smtplib loop sending the same messages over one connection:

    .venv/bin/python bench/survey_invitations.py [EMPLOYEES] [ROUNDS]

One throwaway PTA (pta_create, dropped at the end) on the embedded development database, with
one company of EMPLOYEES employees (each with an e-mail address; a tenth in English). Each round
deletes the previous round and times surveys.services_rounds.round_start (the invitations, bulk
inserted), then surveys.notifications.invitations_send (what the Celery task runs, in this
process: claim each invitation, record its mail, send it over Django's SMTP backend, one
connection per batch, commit) into an aiosmtpd server in a subprocess that accepts and discards.
The baseline, in the same round and to the same server, is smtplib sending the same 20,000
messages, already rendered to bytes, over one connection. Figures are medians of the rounds
(3 unless given).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    from config.dev.embedded import use_embedded_services  # noqa: E402

    use_embedded_services()

import django  # noqa: E402

django.setup()

import smtplib  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from companies.models import Company  # noqa: E402
from employees.models import Employee  # noqa: E402
from surveys import notifications, services_rounds  # noqa: E402
from surveys.models import Invitation, InvitationState, MailKind, RoundKind, SurveyRound  # noqa: E402
from tenants.models import Pta  # noqa: E402
from tenants.services import pta_create  # noqa: E402

SLUG = "benchsurvey"

SINK = """
import asyncio, logging, sys
from aiosmtpd.controller import Controller
logging.disable(logging.CRITICAL)
class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
controller = Controller(Discard(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink() -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process, port


def seed(employees: int) -> Company:
    company = Company.objects.create(org_number="914778271", name="Benk Utsending AS", municipality="Stavanger")
    Employee.objects.bulk_create(
        (
            Employee(
                company=company,
                first_name=f"Ansatt{i}",
                last_name="Benk",
                email=f"ansatt{i}@benk-utsending.no",
                preferred_language="en" if i % 10 == 0 else "nb",
            )
            for i in range(employees)
        ),
        batch_size=5000,
    )
    return company


def _statements(queries) -> int:
    return sum(1 for q in queries if not q["sql"].startswith(("SET search_path", "SAVEPOINT", "RELEASE")))


def one_round(company: Company, port: int) -> dict:
    SurveyRound.objects.all().delete()
    result = {}
    today = timezone.localdate()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        survey_round = services_rounds.round_start(
            company=company, kind=RoundKind.BASELINE, opens_on=today, closes_on=today + timedelta(days=14)
        )
    result["start"] = time.perf_counter() - started
    result["start_queries"] = _statements(queries)
    result["recipients"] = survey_round.recipient_count

    # The baseline's messages: the same mails, rendered to bytes before the clock starts.
    mails = notifications._InvitationMails(survey_round, template="survey_invitation")
    messages = [
        (
            invitation.email,
            mails.message(invitation, kind=MailKind.INVITATION, number=0).message().as_bytes(linesep="\r\n"),
        )
        for invitation in Invitation.objects.filter(round=survey_round).order_by("pk")
    ]
    sender = "no-reply@bedriftsmobilitet.no"
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for address, content in messages:
            client.sendmail(sender, [address], content)
    result["baseline"] = time.perf_counter() - started

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    started = time.perf_counter()
    sent = notifications.invitations_send(round_id=survey_round.pk)
    result["send"] = time.perf_counter() - started
    assert sent == len(messages), (sent, len(messages))
    assert not Invitation.objects.filter(round=survey_round).exclude(state=InvitationState.SENT).exists()
    result["mails"] = sent
    return result


def main() -> None:
    employees = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    leftover = Pta.objects.filter(slug=SLUG).first()
    if leftover:
        leftover.delete(force_drop=True)
    pta = pta_create(
        name="Bench surveys",
        slug=SLUG,
        domain=f"{SLUG}.localhost",
        org_number="923609016",
        bank_account="86011117947",
    )
    sink, port = start_sink()
    try:
        with tenant_context(pta):
            company = seed(employees)
            results = [one_round(company, port) for _ in range(rounds)]
    finally:
        sink.stdin.close()
        sink.wait(timeout=20)
        connection.set_schema_to_public()
        pta.delete(force_drop=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    first = results[0]
    mails = first["mails"]
    print(f"employees={employees}; median of {rounds} rounds")
    print(
        f"round_start: {median('start'):.3f} s for {first['recipients']} invitations, "
        f"{first['start_queries']} statements"
    )
    print(f"invitations_send: {median('send'):.2f} s, {mails / median('send'):,.0f} mails/s")
    print(
        f"baseline (smtplib, one connection, rendered): {median('baseline'):.2f} s, "
        f"{mails / median('baseline'):,.0f} mails/s"
    )
    print(f"ratio (send mails/s / baseline mails/s): {median('baseline') / median('send'):.2f}")


if __name__ == "__main__":
    main()
