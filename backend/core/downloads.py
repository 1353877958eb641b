"""One way to send a stored file: always as an attachment under its display name,
never sniffed as something else, never cached (SECURITY.md section 5). Pages and
REST send downloads through it alike."""

from __future__ import annotations

from typing import IO, Any

from django.http import FileResponse


def attachment(file: IO[Any], *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
