"""What a file is, from its bytes: the allow-list, content sniffing and the archive limits.

Magic bytes come from `filetype` (pure Python, no libmagic). Office files are not
left to it: it recognises a DOCX only when the first entries of the ZIP happen to
sit in a certain order, so a real document written by another tool can pass as a
plain ZIP. The ZIP's central directory and `[Content_Types].xml` say for certain,
and the archive is opened anyway for its limits.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, NoReturn

import filetype
from django.conf import settings

from core.errors import ValidationFailed

MIB = 1024 * 1024
PROTECTED = "The selected file is password protected"


@dataclass(frozen=True)
class FileType:
    key: str
    name: str  # as the messages say it: "PDF"
    a_name: str  # with its article: "an XLSX"
    extension: str  # the one stored names get
    content_type: str


_TYPES = (
    FileType("pdf", "PDF", "a PDF", "pdf", "application/pdf"),
    FileType(
        "docx",
        "DOCX",
        "a DOCX",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    FileType(
        "xlsx",
        "XLSX",
        "an XLSX",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    FileType(
        "pptx",
        "PPTX",
        "a PPTX",
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    # Text is served with its charset: the checks prove it is UTF-8.
    FileType("csv", "CSV", "a CSV", "csv", "text/csv; charset=utf-8"),
    FileType("txt", "TXT", "a TXT", "txt", "text/plain; charset=utf-8"),
    FileType("png", "PNG", "a PNG", "png", "image/png"),
    FileType("jpeg", "JPEG", "a JPEG", "jpg", "image/jpeg"),
)
ALLOWED: dict[str, FileType] = {t.key: t for t in _TYPES}
BY_EXTENSION: dict[str, FileType] = {t.key: t for t in _TYPES} | {"jpg": ALLOWED["jpeg"]}
TEXT = frozenset({"csv", "txt"})
OFFICE = frozenset({"docx", "xlsx", "pptx"})
# Formats whose signatures are long or binary enough not to occur at the start of text.
NAMED_WHEN_NOT_TEXT = frozenset(
    {"pdf", "png", "jpeg", "gif", "zip", "rar", "7z", "gz", "elf", "doc", "xls", "ppt"}
    | OFFICE
    | {"docm", "xlsm", "pptm"}
)

# The main part's content type in [Content_Types].xml, and the folder it lives in.
# Macro-enabled twins are named so that one renamed to .docx is refused by name.
_OFFICE_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "docx",
        "word/",
    ),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xlsx", "xl/"),
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "pptx",
        "ppt/",
    ),
    b"application/vnd.ms-word.document.macroEnabled.main+xml": ("docm", "word/"),
    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml": ("xlsm", "xl/"),
    b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": ("pptm", "ppt/"),
}
# [Content_Types].xml is a few KB; reading more of it than this is not needed.
_CONTENT_TYPES_READ = 256 * 1024

# How other things a file may turn out to be are named in messages.
_LABELS = {
    "zip": "a ZIP archive",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "gz": "a GZIP archive",
    "tar": "a TAR archive",
    "exe": "a Windows program",
    "elf": "a Linux program",
    "doc": "an older Word document (DOC)",
    "xls": "an older Excel workbook (XLS)",
    "ppt": "an older PowerPoint presentation (PPT)",
    "docm": "a macro-enabled Word document (DOCM)",
    "xlsm": "a macro-enabled Excel workbook (XLSM)",
    "pptm": "a macro-enabled PowerPoint presentation (PPTM)",
    "gif": "a GIF image",
    "encrypted-office": "a password-protected Office file",
    "text": "plain text",
}
# Letters whose names start with a vowel sound take "an": an EXE, an MP4.
_AN_LETTERS = frozenset("AEFHILMNORSX")
_SNIFF_BYTES = 8192
# OLE2 compound files (older Office formats, and Office's encrypted packages).
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def label_of(key: str) -> str:
    if key in ALLOWED:
        return ALLOWED[key].a_name
    if key in _LABELS:
        return _LABELS[key]
    name = key.upper()
    return f"{'an' if name[:1] in _AN_LETTERS else 'a'} {name} file"


@dataclass(frozen=True)
class Sniffed:
    key: str | None  # None: neither a known format nor text
    damaged: bool = False  # a ZIP whose directory cannot be read


def sniff(fileobj: IO[bytes]) -> Sniffed:
    """The format the bytes are in, whatever the name says. Leaves `fileobj` at 0."""
    fileobj.seek(0)
    head = fileobj.read(_SNIFF_BYTES)
    fileobj.seek(0)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(fileobj)
    if head.startswith(_CFB) and _has_encrypted_package(fileobj):
        return Sniffed("encrypted-office")
    kind = filetype.guess(head)
    if kind is None:
        return Sniffed("text" if _looks_like_text(head) else None)
    # filetype says "apng" for animated PNGs, which are PNGs, and "jpg" for JPEG.
    return Sniffed({"apng": "png", "jpg": "jpeg"}.get(kind.extension, kind.extension))


def _has_encrypted_package(fileobj: IO[bytes]) -> bool:
    """Office saves a password-protected DOCX, XLSX or PPTX as an OLE2 compound file
    holding a stream named "EncryptedPackage"; its name may sit anywhere in the
    file's directory sectors, so the whole (size-checked) file is searched."""
    fileobj.seek(0)
    found = _ENCRYPTED_PACKAGE in fileobj.read()
    fileobj.seek(0)
    return found


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the sample is still text.
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def _sniff_zip(fileobj: IO[bytes]) -> Sniffed:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            key = _office_kind(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        return Sniffed("zip", damaged=True)
    finally:
        fileobj.seek(0)
    return Sniffed(key or "zip")


def _office_kind(archive: zipfile.ZipFile) -> str | None:
    names = archive.namelist()
    if "[Content_Types].xml" not in names:
        return None
    info = archive.getinfo("[Content_Types].xml")
    # Office writes parts stored or deflated; other methods (bzip2) can unpack a
    # small read into far more memory, and no real package needs them here.
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    try:
        with archive.open(info) as part:
            # Bounded read: a bomb in this part cannot unpack past the cap.
            content_types = part.read(_CONTENT_TYPES_READ)
    except (RuntimeError, NotImplementedError, zipfile.BadZipFile, EOFError, zlib.error):
        return None  # encrypted, an unknown compression, or damaged
    for main, (key, folder) in _OFFICE_MAIN.items():
        if re.search(rb'ContentType="' + re.escape(main) + rb'"', content_types) and any(
            name.startswith(folder) for name in names
        ):
            return key
    return None


# --- Archive limits ----------------------------------------------------------------


def format_bytes(count: int) -> str:
    """20MB, 512KB or 1,000 bytes: the way GOV.UK messages write a limit."""
    if count >= MIB and count % MIB == 0:
        return f"{count // MIB}MB"
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024}KB"
    return f"{count:,} bytes"


def _unsafe_member(name: str) -> bool:
    """Zip slip: a part that would unpack outside the folder it is unpacked into."""
    path = name.replace("\\", "/")
    return (
        path.startswith("/")
        or re.match(r"^[A-Za-z]:", path) is not None
        or "\x00" in path
        or ".." in path.split("/")
    )


def check_archive(fileobj: IO[bytes]) -> None:
    """Refuse an Office file whose ZIP would be unsafe to unpack.

    Reads only the central directory: the sizes it declares are what any reader
    (zipfile included) stops at, so checking them needs no decompression. The
    ratio is checked per part, and only for parts over 1MB, because small XML parts
    of mostly spaces compress far better than 100:1 and harm nobody."""
    max_entries: int = settings.EVIDENCE_ARCHIVE_MAX_ENTRIES
    max_unpacked: int = settings.EVIDENCE_ARCHIVE_MAX_UNPACKED_BYTES
    max_ratio: int = settings.EVIDENCE_ARCHIVE_MAX_RATIO
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    finally:
        fileobj.seek(0)
    if len(members) > max_entries:
        _refuse(f"The selected file must have {max_entries:,} files or fewer inside it")
    if any(_unsafe_member(member.filename) for member in members):
        _refuse("The selected file contains files with unsafe names")
    if any(member.flag_bits & 0x1 for member in members):
        _refuse(PROTECTED)
    for member in members:
        if member.file_size > MIB and member.file_size > max_ratio * max(member.compress_size, 1):
            _refuse("The selected file is compressed too much to be checked safely")
    if sum(member.file_size for member in members) > max_unpacked:
        limit = format_bytes(max_unpacked)
        _refuse(f"The selected file must be smaller than {limit} when unpacked")


def _refuse(message: str) -> NoReturn:
    raise ValidationFailed(message, field_errors={"file": [message]})


class FileTooLarge(ValidationFailed):
    """Over EVIDENCE_MAX_UPLOAD_BYTES: 413 on the API."""

    status_code = 413
    code = "file_too_large"

    def __init__(self, message: str) -> None:
        super().__init__(message, field_errors={"file": [message]})


class UnsupportedFileType(ValidationFailed):
    """Not on the allow-list, or the content is not what the name says: 415 on the API."""

    status_code = 415
    code = "unsupported_media_type"

    def __init__(self, message: str) -> None:
        super().__init__(message, field_errors={"file": [message]})
