"""Hand-over of a signed-in contact person from one PTA's host to another's.

Cookies are host-only, so moving between regions goes through a one-time link:
a Handover row (public schema) with a random key, and a token that carries the
key signed (django.core.signing, its own salt) with the user and the target
PTA. It lives 60 seconds and is used once (a conditional UPDATE)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from tenants.models import Handover, Membership, Pta, Role, User

SALT = "tenants.handover"
LIFETIME_SECONDS = 60


class HandoverRefused(Exception):
    """The hand-over cannot be made or used; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _is_contact(*, user: User, tenant: Pta) -> bool:
    return Membership.objects.filter(user=user, tenant=tenant, role=Role.CONTACT).exists()


def handover_create(*, user: User, source: Pta, target: Pta) -> str:
    """A signed token handing `user` over to `target`. Refused unless the user
    is a contact person of the target, which is an active region."""
    if target.is_national or not target.is_active or target.pk == source.pk:
        raise HandoverRefused("target")
    if not _is_contact(user=user, tenant=target):
        raise HandoverRefused("membership")
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(seconds=LIFETIME_SECONDS)
    Handover.objects.create(key=key, user=user, source=source, target=target, expires_at=expires_at)
    return signing.dumps({"k": key, "u": user.pk, "t": target.pk}, salt=SALT)


def handover_redeem(*, token: str, tenant: Pta, current_user) -> User:
    """Use the token once on the target's host; returns the user to sign in."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LIFETIME_SECONDS)
    except signing.SignatureExpired as exc:
        raise HandoverRefused("expired") from exc
    except signing.BadSignature as exc:
        raise HandoverRefused("forged") from exc
    if not isinstance(data, dict) or not {"k", "u", "t"} <= data.keys():
        raise HandoverRefused("forged")
    if data["t"] != tenant.pk:
        raise HandoverRefused("host")
    if current_user is not None and current_user.is_authenticated and current_user.pk != data["u"]:
        raise HandoverRefused("other_user")
    now = timezone.now()
    with transaction.atomic():
        used = Handover.objects.filter(
            key=data["k"], used_at__isnull=True, expires_at__gt=now, user_id=data["u"], target_id=data["t"]
        ).update(used_at=now)
        if used != 1:
            raise HandoverRefused("used")
        user = User.objects.filter(pk=data["u"], is_active=True).first()
        if user is None or not _is_contact(user=user, tenant=tenant):
            raise HandoverRefused("membership")
    return user


def contact_regions(*, user, current: Pta) -> list[dict]:
    """The other active regions where the user is a contact person (name, pk)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Pta.objects.regions()
        .filter(is_active=True, memberships__user=user, memberships__role=Role.CONTACT)
        .exclude(pk=current.pk)
        .order_by("name")
        .values("pk", "name")
    )
