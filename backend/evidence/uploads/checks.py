"""The checks every uploaded evidence file passes before it is stored (SECURITY.md
section 5): size, an allow-listed extension that agrees with the content, UTF-8
for text, archive limits for Office files. The messages are GOV.UK's wording for
file uploads, and all sit on the field "file"."""

from __future__ import annotations

import codecs
import hashlib
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from core.errors import ValidationFailed
from core.filetypes import (
    ALLOWED,
    BY_EXTENSION,
    NAMED_WHEN_NOT_TEXT,
    OFFICE,
    PROTECTED,
    TEXT,
    FileTooLarge,
    FileType,
    UnsupportedFileType,
    check_archive,
    format_bytes,
    label_of,
    sniff,
)

from .names import display_name, extension_of

_CHUNK = 64 * 1024

_NAMES = [t.name for t in ALLOWED.values()]
MUST_BE_ALLOWED = f"The selected file must be a {', '.join(_NAMES[:-1])} or {_NAMES[-1]}"
EMPTY = "The selected file is empty"
NOT_UTF8 = "The selected file must be plain text in UTF-8"
DAMAGED = "The selected file is damaged and cannot be opened"


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed the checks, with what the item records about it. `file`
    is the upload itself, rewound; `content_type` comes from the checks, never
    from the browser."""

    file: IO[bytes]
    original_name: str  # for display only
    file_type: str  # "pdf", "docx", ... "jpeg"
    content_type: str
    extension: str  # what the stored name ends with
    size: int
    sha256: str


def check_upload(uploaded: UploadedFile[bytes]) -> CheckedUpload:
    """Check an uploaded evidence file, or raise ValidationFailed (FileTooLarge,
    UnsupportedFileType, or ValidationFailed itself for an empty file and the archive
    limits) with one message on the field "file"."""
    return inspect_file(uploaded.name or "", uploaded)


def inspect_file(name: str, fileobj: IO[bytes]) -> CheckedUpload:
    """The checks on any seekable binary file under `name`: an upload, or a stored
    file checked again by the TypeAndSizeOnlyScanner."""
    original_name = display_name(name)
    expected = BY_EXTENSION.get(extension_of(original_name))
    if expected is None:
        raise UnsupportedFileType(MUST_BE_ALLOWED)
    size, sha256 = _measure(fileobj)
    found = sniff(fileobj)
    if expected.key in TEXT:
        # Text is whatever decodes: some magic numbers are two printable letters
        # ("BM" for a bitmap), so a CSV starting "BMI,weight" must not count as one.
        # A format is named only when the text check fails and its signature is sure.
        try:
            _check_utf8(fileobj)
        except UnsupportedFileType:
            if found.key in NAMED_WHEN_NOT_TEXT:
                raise _mismatch(found.key, expected) from None
            raise
    elif found.key != expected.key:
        if found.damaged and expected.key in OFFICE:
            raise ValidationFailed(DAMAGED, field_errors={"file": [DAMAGED]})
        if found.key == "encrypted-office" and expected.key in OFFICE:
            raise ValidationFailed(PROTECTED, field_errors={"file": [PROTECTED]})
        raise _mismatch(found.key, expected)
    if expected.key in OFFICE:
        check_archive(fileobj)
    fileobj.seek(0)
    return CheckedUpload(
        file=fileobj,
        original_name=original_name,
        file_type=expected.key,
        content_type=expected.content_type,
        extension=expected.extension,
        size=size,
        sha256=sha256,
    )


def storage_name(checked: CheckedUpload) -> str:
    """Where the file is stored: evidence/<yyyy>/<mm>/<random hex>.<ext>. Nothing of
    the uploaded name reaches the storage path."""
    now = timezone.now()
    return f"evidence/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{checked.extension}"


def _mismatch(found: str | None, expected: FileType) -> UnsupportedFileType:
    """ "The selected file is a ZIP archive, not a PDF": what it is, and what its name
    says it should be."""
    if found is None:
        return UnsupportedFileType(f"The selected file is not {expected.a_name}")
    return UnsupportedFileType(f"The selected file is {label_of(found)}, not {expected.a_name}")


def _measure(fileobj: IO[bytes]) -> tuple[int, str]:
    """Size and SHA-256 of the bytes themselves (not the size a client declared),
    reading no further than the limit allows."""
    limit: int = settings.EVIDENCE_MAX_UPLOAD_BYTES
    digest = hashlib.sha256()
    size = 0
    fileobj.seek(0)
    while chunk := fileobj.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(f"The selected file must be smaller than {format_bytes(limit)}")
        digest.update(chunk)
    fileobj.seek(0)
    if size == 0:
        raise ValidationFailed(EMPTY, field_errors={"file": [EMPTY]})
    return size, digest.hexdigest()


def _check_utf8(fileobj: IO[bytes]) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    fileobj.seek(0)
    try:
        while chunk := fileobj.read(_CHUNK):
            if b"\x00" in chunk:
                raise UnsupportedFileType(NOT_UTF8)
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UnsupportedFileType(NOT_UTF8) from None
    finally:
        fileobj.seek(0)
