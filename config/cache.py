"""Cache keys: per tenant, except allauth's, which are per user or client address.

django-tenants' `make_key` puts the schema name in every key, so tenants
never read each other's entries. allauth 65 keeps its login limits
(allauth.core.internal.ratelimit, keys "allauth:rl:…") and the markers of
used TOTP codes (allauth.mfa.totp.internal.auth, "allauth.mfa.totp.used?…")
in Django's default cache, with no setting to choose another alias. Those
belong to an account or a client address, and accounts are shared by every
host: with the schema in those keys, each PTA host (and the national site)
would give an account a fresh guessing budget and accept a used code once
more. So allauth's keys get one global marker in place of the schema name.
"""

from __future__ import annotations

from django_tenants.cache import make_key as tenant_make_key
from django_tenants.cache import reverse_key as tenant_reverse_key

ALLAUTH_PREFIX = "allauth"
# Where the schema name stands in a tenant key; "*" is never a schema name.
GLOBAL = "*"


def make_key(key: str, key_prefix: str, version: int) -> str:
    if key.startswith(ALLAUTH_PREFIX):
        return f"{GLOBAL}:{key_prefix}:{version}:{key}"
    return tenant_make_key(key, key_prefix, version)


def reverse_key(key: str) -> str:
    # Both kinds have four parts: schema (or GLOBAL), prefix, version, key.
    return tenant_reverse_key(key)
