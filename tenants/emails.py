"""E-mails about access. Links are built from the tenant's own domain, never
from a request, so mail sent by a worker points at the right PTA."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tenants.models import Invitation, Pta


def tenant_url(tenant: Pta, path: str) -> str:
    domain = tenant.get_primary_domain()
    if domain is None:
        raise ValueError(f"{tenant} has no primary domain")
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{domain.domain}{port}{path}"


def stable_message_id(*parts: object) -> str:
    """A Message-ID that is the same every time the same mail is sent, so that
    a mail sent again after a crash is recognisable as the same one:
    <part.part.schema@the domain of DEFAULT_FROM_EMAIL>. Object ids repeat
    between tenants, so the schema is part of it."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or str(DNS_NAME)
    return "<" + ".".join(str(part) for part in (*parts, connection.schema_name)) + f"@{domain}>"


def refusal_reply(refusal: smtplib.SMTPRecipientsRefused) -> tuple[str, bool]:
    """What the mail server answered a refused recipient (for the record, at most 500
    characters), and whether it is for good (every answer 5xx) or may be tried again (4xx)."""
    replies = list(refusal.recipients.values())
    reply = "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in replies)[:500]
    return reply, all(code >= 500 for code, _text in replies)


def send_templated_mail(*, template: str, to: list[str], context: dict, message_id: str | None = None) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    message.send()


def send_invitation(*, invitation: Invitation, token: str, company_names: Sequence[str] = ()) -> None:
    """The invitation names who sent it (by name), the PTA, and for a contact
    person the companies they will have access to (`company_names`: tenant
    data this app cannot read, given by whoever created the invitation)."""
    path = reverse("invitation_accept", kwargs={"token": token}, urlconf=settings.ROOT_URLCONF)
    send_templated_mail(
        template="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "tenant": invitation.tenant,
            "inviter": str(invitation.invited_by) if invitation.invited_by else "",
            "company_names": list(company_names),
            "url": tenant_url(invitation.tenant, path),
            "expires_at": invitation.expires_at,
        },
    )
