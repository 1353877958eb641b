"""A tiny clamd for tests: a real socket server speaking INSTREAM, so ClamdScanner is
tested over a real connection (TCP or a Unix socket), not against a mock.

It answers `stream: Eicar-Signature FOUND` when the stream contains MARKER, `stream: OK`
otherwise, and clamd's size-limit error past `max_stream` bytes. (MARKER stands in
for the EICAR test string, which a virus scanner on a developer's machine would
quarantine this file for.)"""

from __future__ import annotations

import os
import shutil
import socketserver
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

MARKER = b"FAKE-CLAMD-TEST-VIRUS"


@dataclass
class FakeClamd:
    address: str = ""
    max_stream: int = 10 * 1024 * 1024
    # Seconds to think before answering: a slow scan, so a test can kill a worker mid-scan.
    delay: float = 0.0
    received: list[bytes] = field(default_factory=list)
    commands: list[bytes] = field(default_factory=list)


def _handler(state: FakeClamd) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            command = b""
            while not command.endswith(b"\0"):
                byte = self.rfile.read(1)
                if not byte:
                    return
                command += byte
            state.commands.append(command)
            stream = b""
            while True:
                (length,) = struct.unpack("!L", self.rfile.read(4))
                if length == 0:
                    break
                stream += self.rfile.read(length)
                if len(stream) > state.max_stream:
                    self.wfile.write(b"INSTREAM size limit exceeded. ERROR\0")
                    return
            state.received.append(stream)
            time.sleep(state.delay)
            if MARKER in stream:
                self.wfile.write(b"stream: Eicar-Signature FOUND\0")
            else:
                self.wfile.write(b"stream: OK\0")

    return Handler


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


@contextmanager
def fake_clamd(
    *, unix: bool = False, max_stream: int = 10 * 1024 * 1024, delay: float = 0.0
) -> Iterator[FakeClamd]:
    """Serve on 127.0.0.1 and a free port, or on a Unix socket in a short temporary
    folder (socket paths are limited to about 100 characters)."""
    state = FakeClamd(max_stream=max_stream, delay=delay)
    folder = tempfile.mkdtemp(prefix="clamd", dir="/tmp") if unix else ""
    server: socketserver.BaseServer
    if unix:
        path = os.path.join(folder, "clamd.ctl")
        server = _UnixServer(path, _handler(state))
        state.address = path
    else:
        tcp = _TCPServer(("127.0.0.1", 0), _handler(state))
        state.address = f"127.0.0.1:{tcp.server_address[1]}"
        server = tcp
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
