"""The e-mails the companies app sends, run by companies.tasks. Each is sent
at most once per recipient (NotificationSent), so a retried task sends only
what is missing."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse

from companies.models import Company, ContactPerson, Message, Notice, NotificationKind, NotificationSent
from tenants.emails import refusal_reply, send_templated_mail, stable_message_id, tenant_url
from tenants.models import Membership, User
from tenants.permissions import STAFF

logger = logging.getLogger(__name__)


def _send_once(*, kind: str, object_id: int, users: Iterable[User], send: Callable[[User, str], None]) -> int:
    """Send to each user at most once; returns how many were sent.

    The NotificationSent row is claimed in the same transaction as the mail
    is sent, so a failed send leaves no row (a retry sends it) and a sent one
    leaves a row (a retry skips it). Each mail's Message-ID is
    <kind.object_id.user_id.schema@domain>, the same on every attempt.
    One refused recipient never stops the others: a permanent refusal (5xx)
    is logged and recorded (NotificationSent.refused, so no retry tries
    again); a temporary one (4xx) leaves no row, and once the others are
    sent the refusal is raised so that the task retries (an OSError).
    """
    sent = 0
    deferred: dict[str, tuple[int, bytes]] = {}
    for user in users:
        try:
            with transaction.atomic():
                _row, created = NotificationSent.objects.get_or_create(kind=kind, object_id=object_id, user_id=user.pk)
                if not created:
                    continue
                send(user, stable_message_id(kind, object_id, user.pk))
        except smtplib.SMTPRecipientsRefused as refusal:
            reply, for_good = refusal_reply(refusal)
            if for_good:
                logger.warning("%s %s: the mail server refused user %s for good (%s)", kind, object_id, user.pk, reply)
                NotificationSent.objects.get_or_create(
                    kind=kind, object_id=object_id, user_id=user.pk, defaults={"refused": reply}
                )
            else:
                logger.warning("%s %s: the mail server put off user %s (%s)", kind, object_id, user.pk, reply)
                deferred.update(refusal.recipients)
            continue
        sent += 1
    if deferred:
        raise smtplib.SMTPRecipientsRefused(deferred)
    return sent


def message_recipients(*, message: Message) -> QuerySet[User]:
    """Staff wrote: the company's contact persons. A contact person wrote: the
    responsible adviser, or every PTA admin and adviser if the company has none
    (or that adviser has left the PTA). Never the author."""
    company = message.thread.company
    staff = Membership.objects.filter(tenant=connection.tenant, role__in=STAFF)
    if message.from_staff:
        user_ids = list(ContactPerson.objects.filter(company=company).values_list("user_id", flat=True))
    elif company.adviser_id and staff.filter(user_id=company.adviser_id).exists():
        user_ids = [company.adviser_id]
    else:
        user_ids = list(staff.values_list("user_id", flat=True))
    return User.objects.filter(pk__in=user_ids, is_active=True).exclude(pk=message.author_id).order_by("pk")


def message_notify(*, message_id: int) -> int:
    """E-mail the other side about a new message, once per recipient. Returns the number sent."""
    message = Message.objects.select_related("thread__company", "author").filter(pk=message_id).first()
    if message is None:
        return 0
    thread = message.thread
    path = reverse(
        "companies:thread", kwargs={"pk": thread.company_id, "thread_pk": thread.pk}, urlconf=settings.ROOT_URLCONF
    )
    context = {
        "tenant": connection.tenant,
        "company": thread.company,
        "thread": thread,
        "message": message,
        "url": tenant_url(connection.tenant, path),
    }
    return _send_once(
        kind=NotificationKind.MESSAGE,
        object_id=message.pk,
        users=message_recipients(message=message),
        send=lambda user, message_id: send_templated_mail(
            template="new_message", to=[user.email], context=context, message_id=message_id
        ),
    )


def notice_notify(*, notice_id: int) -> int:
    """E-mail a notice to the contact persons of the companies it was sent to, once per person."""
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return 0
    # A person who is contact for several of the companies gets one e-mail, linking to the first.
    company_of: dict[int, Company] = {}
    for contact in (
        ContactPerson.objects.filter(company__notices=notice).select_related("company").order_by("company__name", "pk")
    ):
        company_of.setdefault(contact.user_id, contact.company)
    users = User.objects.filter(pk__in=list(company_of), is_active=True).order_by("pk")

    def send(user: User, message_id: str) -> None:
        company = company_of[user.pk]
        path = reverse("companies:documents", kwargs={"pk": company.pk}, urlconf=settings.ROOT_URLCONF)
        send_templated_mail(
            template="notice",
            to=[user.email],
            context={
                "tenant": connection.tenant,
                "company": company,
                "notice": notice,
                "url": tenant_url(connection.tenant, path),
            },
            message_id=message_id,
        )

    return _send_once(kind=NotificationKind.NOTICE, object_id=notice.pk, users=users, send=send)
