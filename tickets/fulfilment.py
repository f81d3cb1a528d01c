"""Fulfilment of corporate tickets: what the PTA's ticket system is told.

The ticket itself lives in the PTA's app and ticket system. This module says
which entitlements a month has, and writes them as files and as the body a
backend delivers; tickets.services_fulfilment records and queues the sending.

The entitlements of month M (its 1st) are the payroll report's tickets
(tickets.payroll): running in M (``Ticket.objects.running_in``: active,
paused or ended, started by M and not ended before it) and not paused in M,
which is read from the employee's leave (a leave covering the whole month,
tickets.rules.is_leave_month), not from the ticket's present state. Each is
valid from M's 1st to its last day, on the ticket's mobile number (from the
application), else the employee list's (E.164 both).

Idempotency: the key is the SHA-256 of a canonical JSON of the schema, the
month and the entitlements sorted, so the same set sent again carries the
same key (``Idempotency-Key`` header and ``idempotency_key`` in the body), and
the body itself is byte-for-byte the same: a receiver that has seen the key
can drop the request; a changed set is a new key.

Backends (settings.TICKET_FULFILMENT_BACKENDS: a name, which a PTA chooses in
tickets.FulfilmentSettings.backend, to a dotted class path):

- ``export`` (ExportOnlyBackend): files only (``manage.py export_entitlements``);
  publishing with it records nothing.
- ``webhook`` (WebhookBackend): POSTs the JSON body to the PTA's webhook
  address, signed with the PTA's key (below); retried with backoff in Celery.

An Entur or app integration plugs in with a class of the FulfilmentBackend
interface, named in the setting, e.g.::

    # settings.py
    TICKET_FULFILMENT_BACKENDS["entur"] = "integrations.entur.EnturBackend"

    # integrations/entur.py
    class EnturBackend(FulfilmentBackend):
        name = "entur"

        def deliver(self, *, delivery, body, entitlements):
            # self.config is the PTA's FulfilmentSettings; `entitlements` are
            # Entitlement rows, `body` the JSON document (bytes).
            response = call_entur(...)  # your client
            if response.status >= 500:
                raise TemporaryFailure("Entur is down", status=response.status)  # retried
            if response.status >= 400:
                raise PermanentFailure("refused", status=response.status)  # not retried
            return response.status

and the PTA's FulfilmentSettings.backend set to "entur". ``deliver`` returns
when the receiver has the set (its status code, or None); it raises TemporaryFailure to be tried again
later, PermanentFailure to give up. It must be safe to call twice for the
same delivery (use ``delivery.idempotency_key``).

How a receiver verifies a webhook request. Each request carries::

    Content-Type: application/json
    Idempotency-Key: <64 hex>
    X-Signature-Timestamp: <unix seconds>
    X-Signature: sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">

where the HMAC key is the PTA's signing key as written (its 64 hex
characters, as UTF-8 bytes) and <body> the raw request body. The receiver
computes the same HMAC over the bytes it received, compares in constant time,
and rejects a timestamp more than 5 minutes from its clock (a replayed
request); ``verify_signature`` below does exactly this. Then it drops a
request whose Idempotency-Key it has already processed, and answers 2xx.
Answers 408, 429 and 5xx (and no answer) are retried; other 4xx are not.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core.tabular import neutralise
from tickets import rules
from tickets.models import EntitlementDelivery, FulfilmentSettings, Ticket

CSV = "csv"
JSON = "json"
FORMATS = (CSV, JSON)
#: The fields of an entitlement, in the order of the CSV columns (its header row, not translated:
#: a file for machines, named as the JSON document's keys).
FIELDS = ("employee_reference", "mobile", "product", "zones", "valid_from", "valid_to", "ticket_id")
WEBHOOK_TIMEOUT = 10  # seconds
#: How far a signature's timestamp may be from the receiver's clock.
SIGNATURE_TOLERANCE = 300  # seconds
RETRYABLE_STATUSES = frozenset({408, 429})
SIGNATURE_PREFIX = "sha256="


@dataclass(frozen=True)
class Entitlement:
    """One employee's corporate ticket in one month, as the ticket system needs it."""

    employee_reference: str  # the employee number, else "employee-<id>"
    mobile: str  # E.164
    product: str  # the ticket type's name
    zones: str
    valid_from: date  # the month's 1st
    valid_to: date  # the month's last day
    ticket_id: int

    def as_json(self) -> dict:
        data = asdict(self)
        data["valid_from"], data["valid_to"] = self.valid_from.isoformat(), self.valid_to.isoformat()
        return data


def entitlements_for(*, month: date) -> list[Entitlement]:
    """The current schema's entitlements of `month` (any day of it), by ticket id. One query."""
    month = rules.first_of_month(month)
    last_day = rules.last_day_of_month(month)
    tickets = Ticket.objects.travelling_in(month).select_related("employee", "ticket_type").order_by("pk")
    return [
        Entitlement(
            employee_reference=ticket.employee.employee_number or f"employee-{ticket.employee_id}",
            mobile=ticket.mobile or ticket.employee.mobile,
            product=ticket.ticket_type.name,
            zones=ticket.zones or ticket.ticket_type.zones,
            valid_from=month,
            valid_to=last_day,
            ticket_id=ticket.pk,
        )
        for ticket in tickets
    ]


def _canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def idempotency_key(*, schema: str, month: date, entitlements: Sequence[Entitlement]) -> str:
    """SHA-256 (hex) of the schema, the month and the set of entitlements: the same set, the same key."""
    rows = sorted((entitlement.as_json() for entitlement in entitlements), key=_canonical)
    return hashlib.sha256(_canonical({"schema": schema, "month": f"{month:%Y-%m}", "entitlements": rows})).hexdigest()


def entitlements_csv(entitlements: Sequence[Entitlement]) -> bytes:
    """UTF-8 with BOM, semicolons, a header row of FIELDS, ISO dates. Text cells are neutralised
    for spreadsheets (core.tabular); the mobile number is not, since its "+" is E.164, not a
    formula (core.tabular.write_csv would prefix it with a quote)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(FIELDS)
    for entitlement in entitlements:
        writer.writerow(
            [
                neutralise(entitlement.employee_reference),
                entitlement.mobile,
                neutralise(entitlement.product),
                neutralise(entitlement.zones),
                entitlement.valid_from.isoformat(),
                entitlement.valid_to.isoformat(),
                entitlement.ticket_id,
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def entitlements_json(*, pta: str, month: date, key: str, entitlements: Sequence[Entitlement]) -> bytes:
    """The document a backend delivers: {"pta", "month" (YYYY-MM), "idempotency_key", "count",
    "entitlements": [...]} with ISO dates, UTF-8, keys sorted. Nothing in it depends on when
    it is made, so the same set gives the same bytes."""
    return json.dumps(
        {
            "pta": pta,
            "month": f"{month:%Y-%m}",
            "idempotency_key": key,
            "count": len(entitlements),
            "entitlements": [entitlement.as_json() for entitlement in entitlements],
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


# --- Signatures -----------------------------------------------------------------------------


def sign(*, key: str, timestamp: int | str, body: bytes) -> str:
    """The X-Signature header: "sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>"."""
    digest = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_signature(
    *,
    key: str,
    timestamp: str | int | None,
    body: bytes,
    signature: str | None,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE,
) -> bool:
    """What a receiver does: the signature is the key's over this timestamp and body (compared in
    constant time), and the timestamp is within `tolerance` seconds of `now` (default: the clock)."""
    if not timestamp or not signature:
        return False
    try:
        seconds = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - seconds) > tolerance:
        return False
    return hmac.compare_digest(sign(key=key, timestamp=seconds, body=body), signature)


# --- Backends -------------------------------------------------------------------------------


class DeliveryError(Exception):
    """A delivery did not arrive; `status` is the receiver's HTTP status, if it answered."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TemporaryFailure(DeliveryError):
    """Try again later (no answer, a timeout, 408, 429, 5xx)."""

    retryable = True


class PermanentFailure(DeliveryError):
    """Trying again will not help (a 4xx other than 408 and 429, a missing address)."""


class FulfilmentBackend(ABC):
    """The interface of a backend: `name`, `delivers`, and `deliver`.

    Made with the PTA's FulfilmentSettings (`config`). `deliver` returns when
    the receiver has the set; it raises TemporaryFailure to be retried,
    PermanentFailure to give up. It may be called twice for one delivery."""

    name: ClassVar[str] = ""
    #: False for a backend that only makes files: publishing with it records nothing.
    delivers: ClassVar[bool] = True

    def __init__(self, *, config: FulfilmentSettings) -> None:
        self.config = config

    @abstractmethod
    def deliver(self, *, delivery: EntitlementDelivery, body: bytes, entitlements: Sequence[Entitlement]) -> int | None:
        """Deliver the set; returns the receiver's status code if it has one (recorded as last_status)."""


class ExportOnlyBackend(FulfilmentBackend):
    """Files only (manage.py export_entitlements): nothing is sent, and publishing records nothing."""

    name = "export"
    delivers = False

    def deliver(self, *, delivery: EntitlementDelivery, body: bytes, entitlements: Sequence[Entitlement]) -> int | None:
        return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (a 3xx, not followed): a POST must not turn into a GET elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class WebhookBackend(FulfilmentBackend):
    """POST the JSON body to the PTA's webhook address, signed (see the module docstring)."""

    name = "webhook"

    def deliver(self, *, delivery: EntitlementDelivery, body: bytes, entitlements: Sequence[Entitlement]) -> int | None:
        url = self.config.webhook_url
        if urlsplit(url).scheme not in ("http", "https"):
            raise PermanentFailure("No webhook address (http or https) is set.")
        timestamp = int(time.time())
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": delivery.idempotency_key,
                "X-Signature-Timestamp": str(timestamp),
                "X-Signature": sign(key=self.config.signing_key, timestamp=timestamp, body=body),
                "User-Agent": "ptabedrift-fulfilment/1",
            },
        )
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            detail = exc.read(200).decode("utf-8", "replace").strip()
            exc.close()
            message = f"HTTP {status}" + (f": {detail}" if detail else "")
            if status in RETRYABLE_STATUSES or status >= 500:
                raise TemporaryFailure(message, status=status) from None
            raise PermanentFailure(message, status=status) from None
        except (urllib.error.URLError, OSError) as exc:  # refused, DNS, timeout, reset
            reason = getattr(exc, "reason", exc)
            raise TemporaryFailure(f"No answer: {reason}") from None
        if not 200 <= status < 300:
            raise PermanentFailure(f"HTTP {status}", status=status)
        return status


def backend_for(name: str, *, config: FulfilmentSettings) -> FulfilmentBackend:
    """The backend named `name` in settings.TICKET_FULFILMENT_BACKENDS, made with the PTA's settings."""
    backends = getattr(settings, "TICKET_FULFILMENT_BACKENDS", {})
    path = backends.get(name)
    if path is None:
        raise ImproperlyConfigured(
            f"Unknown fulfilment backend {name!r}: settings.TICKET_FULFILMENT_BACKENDS names "
            f"{', '.join(sorted(backends)) or 'none'}."
        )
    backend_class = import_string(path)
    return backend_class(config=config)
