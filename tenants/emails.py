"""E-mails about access. Links are built from the tenant's own domain, never
from a request, so mail sent by a worker points at the right PTA."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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


def send_templated_mail(*, template: str, to: list[str], context: dict) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    message.send()


def send_invitation(*, invitation: Invitation, token: str) -> None:
    path = reverse("invitation_accept", kwargs={"token": token}, urlconf=settings.ROOT_URLCONF)
    send_templated_mail(
        template="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "tenant": invitation.tenant,
            "url": tenant_url(invitation.tenant, path),
            "expires_at": invitation.expires_at,
        },
    )
