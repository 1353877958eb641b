"""Request parsers for DRF (settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Kept apart from core.api: DRF imports this module while it builds APIView, so it must
not import rest_framework.views itself."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, parsers

from .json_input import JsonInputError, load_json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, reading through core.json_input: a body that is too deep or
    is not JSON is a 400 with a plain message. A NUL is left to the serializers, whose
    fields refuse it one by one ("Null characters are not allowed." on a CharField), so
    the caller learns which field. (DRF reads the body through `request.body`, so
    Django's DATA_UPLOAD_MAX_MEMORY_SIZE caps it first: see core.api.exception_handler.)"""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return load_json(stream.read(), refuse_nul=False)
        except JsonInputError as exc:
            raise exceptions.ParseError(str(exc)) from None
