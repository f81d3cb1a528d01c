"""Login limits that protect accounts without locking out a PTA.

Behind the TLS proxy every request comes from the proxy's address; the
client's address is the last entry of X-Forwarded-For (one trusted proxy).
Accounts are shared by every host, and so are their limits and used TOTP codes
(config/cache.py, tenants.adapters.AccountAdapter). The limits are off in the
test suite unless a test turns them on, as these do.
"""

from __future__ import annotations

import time
import uuid

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client, RequestFactory
from django_tenants.utils import tenant_context

from config.cache import make_key
from tenants.models import Membership, Role, User
from tests.base import HOST_A, HOST_B, NATIONAL_HOST, PASSWORD

PROXY = "10.0.0.2"


@pytest.fixture
def limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def _address() -> str:
    """A client address of its own for each use, so no test shares another's budget."""
    n = uuid.uuid4().int
    return f"198.{n % 200 + 18}.{n // 200 % 256}.{n // 51200 % 254 + 1}"


def _user(*tenants, mfa: bool = False) -> tuple[User, str]:
    """A new user (its own e-mail, so its own budget) with a membership in each tenant."""
    user = User.objects.create_user(email=f"grense-{uuid.uuid4().hex[:10]}@test.no", password=PASSWORD)
    for tenant in tenants:
        Membership.objects.create(user=user, tenant=tenant, role=Role.ADVISER if mfa else Role.CONTACT)
    secret = ""
    if mfa:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
    return user, secret


def _client(host: str, address: str, *, forwarded_for: str = "") -> Client:
    # What the TLS proxy sends: the client's own X-Forwarded-For (if any) with the address it saw appended.
    chain = f"{forwarded_for}, {address}" if forwarded_for else address
    return Client(HTTP_HOST=host, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


def _login(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def _refused_as_too_many(response) -> bool:
    form = response.context["form"] if response.status_code == 200 and response.context else None
    return form is not None and "too_many_login_attempts" in [e.code for e in form.non_field_errors().as_data()]


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_from_one_client_do_not_lock_out_another(world, limits):
    user, _ = _user(world.pta_a)
    attacker = _address()
    # Five wrong passwords from one address, each for another account: the address's budget is spent ...
    for n in range(5):
        response = _login(_client(HOST_A, attacker), f"gjetting{n}-{uuid.uuid4().hex[:6]}@test.no", "feil-passord")
        assert response.status_code == 200 and not _refused_as_too_many(response)
    response = _login(_client(HOST_A, attacker), user.email, PASSWORD)
    assert _refused_as_too_many(response)
    # ... and a made-up X-Forwarded-For entry before the proxy's does not give it a fresh one.
    response = _login(_client(HOST_A, attacker, forwarded_for=_address()), user.email, PASSWORD)
    assert _refused_as_too_many(response)

    # Another client of the same PTA site, through the same proxy, signs in.
    colleague = _client(HOST_A, _address())
    response = _login(colleague, user.email, PASSWORD)
    assert response.status_code == 302
    assert _signed_in(colleague)


def test_without_the_trusted_proxy_one_client_would_lock_out_the_whole_site(world, limits, settings):
    """Why ALLAUTH_TRUSTED_PROXY_COUNT matters: with it off, everybody has the proxy's address."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    user, _ = _user(world.pta_a)
    for n in range(5):
        _login(_client(HOST_A, _address()), f"gjetting{n}-{uuid.uuid4().hex[:6]}@test.no", "feil-passord")
    assert _refused_as_too_many(_login(_client(HOST_A, _address()), user.email, PASSWORD))
    _clear_address_budget(PROXY)


def test_one_accounts_wrong_passwords_count_on_every_host_together(world, limits):
    user, _ = _user(world.pta_a, world.pta_b)
    # Five wrong passwords, spread over PTA A's, PTA B's and the national host, each from another address.
    for host in (HOST_A, HOST_B, NATIONAL_HOST, HOST_A, HOST_B):
        response = _login(_client(host, _address()), user.email, "feil-passord")
        assert response.status_code == 200 and not _refused_as_too_many(response), host
    # The account's budget is spent on every host, even with the right password from a new address.
    for host in (HOST_A, HOST_B, NATIONAL_HOST):
        client = _client(host, _address())
        assert _refused_as_too_many(_login(client, user.email, PASSWORD)), host
        assert not _signed_in(client)
    # Another account is not affected.
    other, _ = _user(world.pta_b)
    assert _login(_client(HOST_B, _address()), other.email, PASSWORD).status_code == 302


def test_a_used_totp_code_cannot_be_replayed_on_another_host(world, limits):
    user, secret = _user(world.pta_a, world.pta_b, mfa=True)
    code = _totp_code(secret)

    on_a = _client(HOST_A, _address())
    assert _login(on_a, user.email, PASSWORD)["Location"] == "/accounts/2fa/authenticate/"
    assert on_a.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert _signed_in(on_a)

    # The same code, seen on the wire or over a shoulder, on PTA B's host within its 30 seconds.
    on_b = _client(HOST_B, _address())
    assert _login(on_b, user.email, PASSWORD)["Location"] == "/accounts/2fa/authenticate/"
    response = on_b.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not _signed_in(on_b)


def test_allauth_keys_are_the_same_in_every_schema_and_other_keys_are_not(world):
    keys = {}
    for tenant in (world.pta_a, world.pta_b, world.national):
        with tenant_context(tenant):
            keys[tenant.schema_name] = (
                make_key("allauth:rl:allauth.account:login_failed:5/300/key:abc", "p", 1),
                make_key("allauth.mfa.totp.used?user=1&code=123456", "p", 1),
                make_key("greeting", "p", 1),
            )
    rate_limit, used_code, other = zip(*keys.values(), strict=True)
    assert len(set(rate_limit)) == 1 and len(set(used_code)) == 1
    assert len(set(other)) == 3


def _totp_code(secret: str) -> str:
    """The current code, with time left to use it twice (allauth accepts only the current window)."""
    if time.time() % 30 > 20:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _clear_address_budget(address: str) -> None:
    """Give the proxy's address its budget back, so that a rerun within 5 minutes starts afresh."""
    from allauth.core.internal.ratelimit import clear

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address)
    clear(request, app="allauth.account", action="login_failed", key="-")
