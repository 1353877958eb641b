"""The virus scanner that clears a stored file before anyone can download it.

Pluggable: anything with `scan(fileobj) -> ScanResult` is a Scanner. `get_scanner`
picks ClamAV (through clamd) when it is configured, and otherwise the
TypeAndSizeOnlyScanner, which looks for no malware at all and says so in the
detail it records on every item.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import IO, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.errors import ValidationFailed

from .checks import inspect_file
from .names import display_name

DETAIL_LENGTH = 200  # EvidenceItem.scan_detail


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    detail: str  # shown to the people who can see the item; no file content


class Scanner(Protocol):
    def scan(self, fileobj: IO[bytes]) -> ScanResult: ...


class ScannerUnavailable(ConnectionError):
    """The scanner could not be reached or gave no usable answer. A ConnectionError,
    so a task retries it (core.tasks.TRANSIENT_ERRORS); the item stays "scanning",
    never downloadable, until a scan succeeds."""


class ClamdScanner:
    """Streams a file to clamd, ClamAV's daemon, with its INSTREAM command.

    The protocol (clamd's man page, "INSTREAM"): send `zINSTREAM\\0`, then chunks
    each prefixed by their length as a 4-byte big-endian integer, then a zero
    length; clamd answers one NUL-terminated line: `stream: OK`,
    `stream: <signature> FOUND`, or `<reason> ERROR`.

    Written here rather than taken from PyPI: `clamd` was last released in 2014,
    and its maintained fork `clamav-client` is GPL-2.0, a licence this service
    should not take on for forty lines of a documented protocol.

    `address` is a Unix socket path (starting with "/") or "host:port". clamd's
    StreamMaxLength (25MB by default) must be at least EVIDENCE_MAX_UPLOAD_BYTES."""

    CHUNK = 64 * 1024

    def __init__(self, address: str, *, timeout: float = 60.0) -> None:
        self.address = address
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ClamdScanner({self.address!r})"

    def scan(self, fileobj: IO[bytes]) -> ScanResult:
        try:
            reply = self._instream(fileobj)
        except OSError as error:  # refused, reset, timed out, no such socket
            raise ScannerUnavailable(f"clamd at {self.address}: {error}") from error
        if reply == "stream: OK":
            return ScanResult(clean=True, detail="ClamAV found no virus")
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            signature = reply.removeprefix("stream: ").removesuffix(" FOUND")
            return ScanResult(clean=False, detail=f"ClamAV found {signature}"[:DETAIL_LENGTH])
        if reply.startswith("INSTREAM size limit exceeded"):
            # Definite for this file: retrying cannot change the answer.
            return ScanResult(
                clean=False, detail="ClamAV refused the file: it is over clamd's StreamMaxLength"
            )
        raise ScannerUnavailable(f"clamd at {self.address} answered {reply[:100]!r}")

    def _connect(self) -> socket.socket:
        if self.address.startswith("/"):
            unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            unix.settimeout(self.timeout)
            try:
                unix.connect(self.address)
            except OSError:
                unix.close()
                raise
            return unix
        host, _, port = self.address.rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=self.timeout)

    def _instream(self, fileobj: IO[bytes]) -> str:
        with self._connect() as connection:
            connection.sendall(b"zINSTREAM\0")
            try:
                while chunk := fileobj.read(self.CHUNK):
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
            except OSError:
                # clamd answers and hangs up early when a stream is over its
                # StreamMaxLength; its answer, read below, says so.
                pass
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < 4096:
                data = connection.recv(4096)
                if not data:
                    break
                reply += data
        if not reply:
            raise ScannerUnavailable(f"clamd at {self.address} closed without an answer")
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


class TypeAndSizeOnlyScanner:
    """NOT a virus scanner. Used when no clamd is configured: it runs the upload
    checks again on the stored bytes (type agrees with the name, size, archive
    limits) and passes what they pass, recording that no malware scan was done."""

    DETAIL = "Not scanned for viruses (no scanner is configured); type and size checked"

    def scan(self, fileobj: IO[bytes]) -> ScanResult:
        # Stored names are server-made and end with the checked extension.
        name = display_name(str(getattr(fileobj, "name", "") or ""))
        try:
            inspect_file(name, fileobj)
        except ValidationFailed as refused:
            return ScanResult(clean=False, detail=refused.message[:DETAIL_LENGTH])
        return ScanResult(clean=True, detail=self.DETAIL)


def get_scanner() -> Scanner:
    """The scanner the settings choose. EVIDENCE_SCANNER:

    - "auto" (the default): clamd when CLAMD_SOCKET or CLAMD_HOST is set, otherwise
      the TypeAndSizeOnlyScanner;
    - "clamd": clamd, and ImproperlyConfigured without an address (for production,
      so that a missing scanner is an error rather than a quiet downgrade);
    - "type-and-size-only": no malware scan, even when clamd is configured."""
    choice: str = settings.EVIDENCE_SCANNER
    address = settings.CLAMD_SOCKET or (
        f"{settings.CLAMD_HOST}:{settings.CLAMD_PORT}" if settings.CLAMD_HOST else ""
    )
    if choice not in {"auto", "clamd", "type-and-size-only"}:
        raise ImproperlyConfigured(
            f"EVIDENCE_SCANNER is {choice!r}: use auto, clamd or type-and-size-only."
        )
    if choice == "clamd" and not address:
        raise ImproperlyConfigured("EVIDENCE_SCANNER is clamd: set CLAMD_SOCKET or CLAMD_HOST.")
    if choice == "type-and-size-only" or not address:
        return TypeAndSizeOnlyScanner()
    return ClamdScanner(address, timeout=settings.CLAMD_TIMEOUT)
