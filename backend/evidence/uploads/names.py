"""File names. The name a browser sends is only ever shown back (and offered as the
download name); files are stored under names the server makes (checks.storage_name)."""

from __future__ import annotations

import unicodedata

MAX_DISPLAY_LENGTH = 255  # EvidenceItem.original_name
_MAX_KEPT_EXTENSION = 10


def display_name(raw: str) -> str:
    """The last path segment of `raw`, without control or format characters, with
    whitespace collapsed and leading or trailing dots and spaces removed, at most
    255 characters (the extension kept when it is cut).

    Format characters (Unicode category Cf) include the right-to-left override
    that makes "invoice\\u202efdp.exe" display as "invoiceexe.pdf"; removing them
    shows the real extension, which is the one checked."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = " ".join(name.split()).strip(" .")
    if len(name) <= MAX_DISPLAY_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= _MAX_KEPT_EXTENSION:
        return f"{stem[: MAX_DISPLAY_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"
    return name[:MAX_DISPLAY_LENGTH]


def extension_of(name: str) -> str:
    """The lower-case extension of a display name, or "" without one."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""
