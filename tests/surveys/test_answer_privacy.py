"""The answer is anonymous: the Response has no link to its invitation or employee, a random
UUID and the date only; the draft leaves the invitation when the answer is sent; the client's
address is stored nowhere."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from surveys.models import Answer, Invitation, Response
from tests.base import HOST_A, client_for
from tests.surveys.helpers import make_round
from tests.surveys.test_answering import valid_answers

ADDRESS = "203.0.113.77"


@pytest.fixture
def survey(world):
    today = timezone.localdate()
    with tenant_context(world.pta_a):
        return make_round(world.company_a1, employees=2, opens_on=today - timedelta(days=1), closes_on=today)


def test_response_has_no_link_to_the_invitation_or_employee():
    related = {field.related_model for field in Response._meta.get_fields() if field.is_relation}
    assert Invitation not in related
    assert "employees.Employee" not in {model._meta.label for model in related if model}
    names = {field.name for field in Response._meta.get_fields()}
    assert not names & {"invitation", "employee", "email", "created_at", "updated_at", "ip", "ip_address", "token"}
    assert {f.get_internal_type() for f in Response._meta.concrete_fields if f.name == "submitted_on"} == {"DateField"}
    assert not [f for f in Response._meta.concrete_fields if f.get_internal_type() == "DateTimeField"]
    assert Response._meta.pk.get_internal_type() == "UUIDField"
    assert not [f for f in Answer._meta.concrete_fields if f.get_internal_type() == "DateTimeField"]
    assert {f.related_model for f in Answer._meta.concrete_fields if f.is_relation} == {
        Response,
        Answer._meta.get_field("question").related_model,
    }


def test_sent_answer_is_anonymous_and_the_draft_is_wiped(world, survey):
    round_, invited = survey
    client = client_for(None, HOST_A)
    ids = []
    for invitation, token in invited:
        assert client.post(f"/undersokelse/{token}/", {**valid_answers(), "action": "save"}).status_code == 302
        with tenant_context(world.pta_a):
            invitation.refresh_from_db()
            assert invitation.draft["main_mode"] == "bus"
        assert client.post(f"/undersokelse/{token}/", valid_answers()).status_code == 302
        with tenant_context(world.pta_a):
            invitation.refresh_from_db()
            assert invitation.draft == {}
            assert invitation.responded_on == timezone.localdate()
            ids.append(Response.objects.filter(round=round_).exclude(pk__in=ids).get().pk)
    assert all(isinstance(pk, uuid.UUID) and pk.version == 4 for pk in ids)
    assert ids[0] != ids[1]
    with tenant_context(world.pta_a):
        # Nothing in the response names its employee: no e-mail, token or token hash in any column.
        for response in Response.objects.filter(round=round_).values():
            values = {str(value) for value in response.values()}
            for invitation, token in invited:
                assert not values & {invitation.email, token, invitation.token_hash}


def _columns_containing(needle: str) -> list[str]:
    """Every text-like column of the surveys tables (in the current schema) that holds the needle."""
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name LIKE 'surveys_%%' "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'inet', 'cidr')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s', [f"%{needle}%"])  # noqa: S608
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


def test_no_client_address_is_stored(world, survey):
    _round, invited = survey
    client = client_for(None, HOST_A)
    (first, first_token), (second, second_token) = invited
    headers = {"REMOTE_ADDR": ADDRESS, "HTTP_X_FORWARDED_FOR": ADDRESS, "HTTP_X_REAL_IP": ADDRESS}
    assert client.get(f"/undersokelse/{first_token}/", **headers).status_code == 200
    assert (
        client.post(f"/undersokelse/{first_token}/", {**valid_answers(), "action": "save"}, **headers).status_code
        == 302
    )
    assert client.post(f"/undersokelse/{first_token}/", valid_answers(), **headers).status_code == 302
    assert (
        client.post(f"/undersokelse/{second_token}/", {**valid_answers(), "action": "save"}, **headers).status_code
        == 302
    )
    assert client.post(f"/undersokelse/{second_token}/avmeld/", **headers).status_code == 200
    with tenant_context(world.pta_a):
        assert Response.objects.count() == 1
        assert _columns_containing(ADDRESS) == []
        assert _columns_containing("203.0.113") == []
