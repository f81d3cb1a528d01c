"""Upload checks shared by every app: the type of a file judged from its
bytes alone (never from its name or the browser's content type), and the
rules an uploaded document must meet."""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_DOCUMENT_SIZE = 10 * 1024 * 1024
ALLOWED_TYPES_LABEL = "PDF, PNG, JPEG, XLSX, DOCX, CSV, TXT"


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", ("pdf",))
PNG = FileType("PNG", "image/png", ("png",))
JPEG = FileType("JPEG", "image/jpeg", ("jpg", "jpeg"))
DOCX = FileType("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
TEXT = FileType("CSV/TXT", "text/plain", ("csv", "txt"))

# Main parts of Office Open XML packages; macro-enabled variants (.docm, .xlsm) have other types.
_OOXML = [
    (DOCX, "word/document.xml", b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    (XLSX, "xl/workbook.xml", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
]
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _sniff_ooxml(file) -> FileType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:  # a zip bomb, not a content-types list
                return None
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return None  # Office only writes these two; zipfile cannot read some others
            content_types = archive.read(info)
    except (KeyError, zipfile.BadZipFile, zlib.error, RuntimeError, ValueError, EOFError):
        return None
    for file_type, main_part, main_type in _OOXML:
        if main_part in names and main_type in content_types:
            return file_type
    return None


def _sniff_text(data: bytes) -> str | None:
    """The charset if `data` is plain text (not markup), else None."""
    for charset, codec in (("utf-8", "utf-8-sig"), ("windows-1252", "cp1252")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _CONTROL_CHARS.search(text) or text.lstrip().startswith("<"):
            return None
        return charset
    return None


def detect_file_type(file) -> tuple[FileType, str] | None:
    """(type, content type) judged from the bytes alone, or None if not allowed."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF, PDF.content_type
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG, PNG.content_type
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG, JPEG.content_type
    if head.startswith(b"PK\x03\x04"):
        file_type = _sniff_ooxml(file)
        file.seek(0)
        return (file_type, file_type.content_type) if file_type else None
    data = file.read()
    file.seek(0)
    charset = _sniff_text(data) if data else None
    return (TEXT, f"text/plain; charset={charset}") if charset else None


def clean_filename(name: str) -> str:
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext)] + ext
    return name or "document"


def validate_upload(upload: UploadedFile) -> tuple[str, str, str]:
    """Return (clean original name, extension, content type) or raise ValidationError naming the file."""
    name = clean_filename(upload.name or "")
    if upload.size > MAX_DOCUMENT_SIZE:
        raise ValidationError({"file": _("“%(name)s” is larger than 10 MB.") % {"name": name}}, code="too_large")
    if not upload.size:
        raise ValidationError({"file": _("“%(name)s” is empty.") % {"name": name}}, code="empty")
    detected = detect_file_type(upload)
    if detected is None:
        raise ValidationError(
            {
                "file": _("“%(name)s” is not a file type we accept. Allowed types: %(types)s.")
                % {"name": name, "types": ALLOWED_TYPES_LABEL}
            },
            code="bad_type",
        )
    file_type, content_type = detected
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in file_type.extensions:
        # The extension decides how the file opens on the reader's machine, so it must match the content.
        raise ValidationError(
            {
                "file": _("The content of “%(name)s” is %(type)s, which does not match its file name.")
                % {"name": name, "type": file_type.label}
            },
            code="bad_extension",
        )
    if file_type is TEXT and ext == "csv":
        content_type = content_type.replace("text/plain", "text/csv")
    return name, ext, content_type
