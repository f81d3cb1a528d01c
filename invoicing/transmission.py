"""How EHF invoices leave: a transmission backend per way out, chosen by settings.

`settings.INVOICE_TRANSMISSION_BACKENDS` names each backend's class (name -> dotted path) and
`settings.INVOICE_TRANSMISSION_BACKEND` the one in use. A PEPPOL access point provider plugs in
as a subclass of TransmissionBackend added to the setting. A backend raises OSError for a
failure worth trying again (the delivery task retries with backoff) and any other exception for
one that is not.
"""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from invoicing.models import Invoice


class TransmissionBackend(ABC):
    #: The name it has in INVOICE_TRANSMISSION_BACKENDS (recorded on the delivery).
    name: str = ""

    @abstractmethod
    def send(self, *, invoice: Invoice, xml: bytes) -> str:
        """Hand the EHF document of `invoice` over; return the message id it got."""


class FileDropBackend(TransmissionBackend):
    """Writes each document to <INVOICE_EHF_DROP_DIR>/<schema>/<number>.xml for a provider to pick
    up. Atomically: written to a temporary file in the same folder, then renamed, so a reader never
    sees half a file; sending the same invoice again replaces the file with the same content."""

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self.directory = Path(directory or settings.INVOICE_EHF_DROP_DIR)

    def send(self, *, invoice: Invoice, xml: bytes) -> str:
        if not invoice.number:
            raise ValueError("only an issued invoice is transmitted")
        folder = self.directory / connection.schema_name
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{invoice.number}.xml"
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{invoice.number}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(xml)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return f"{connection.schema_name}/{target.name}"


def backend() -> TransmissionBackend:
    """The backend in use (INVOICE_TRANSMISSION_BACKEND), by its class in INVOICE_TRANSMISSION_BACKENDS."""
    name = settings.INVOICE_TRANSMISSION_BACKEND
    instance = import_string(settings.INVOICE_TRANSMISSION_BACKENDS[name])()
    instance.name = name
    return instance
