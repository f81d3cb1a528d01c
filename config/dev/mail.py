"""The development mail backend: every outgoing mail is written as one .eml file.

`make run` and the management commands with no mail settings (no EMAIL_HOST
in the environment) use it (config/settings.py), so a new user can open an
invitation in a mail program or a text editor and follow its link. Files go
under EMAIL_FILE_PATH (default .data/mail/), named
`20261202-173501-000001-<process id>-<slug of the subject>.eml`, each written atomically
(a temporary file renamed into place), so a reader never sees half a mail.
Production never uses it: there EMAIL_HOST is set and mail goes by SMTP.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.text import slugify

_sequence = itertools.count(1)
_lock = threading.Lock()


def mail_folder() -> Path:
    configured = getattr(settings, "EMAIL_FILE_PATH", None)
    return Path(configured) if configured else Path(settings.BASE_DIR) / ".data" / "mail"


class EmlFileBackend(BaseEmailBackend):
    """Writes each message to its own .eml file (RFC 5322, as a mail server would receive it)."""

    def __init__(self, *args, file_path: str | os.PathLike | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path) if file_path else mail_folder()

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                self._write(message)
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent

    def _write(self, message) -> Path:
        content = message.message().as_bytes()
        with _lock:
            number = next(_sequence)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        slug = slugify(str(message.subject))[:60] or "mail"
        # The process id too: the web and the worker write into the same folder.
        name = f"{stamp}-{number:06d}-{os.getpid()}-{slug}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            target = self.folder / name
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target
