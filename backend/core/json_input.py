"""The one reader of JSON request bodies, for REST (core.api.JSONParser) and GraphQL
(core.graphql) alike, so both refuse the same bad input with the same words instead of
failing inside a view:

- bytes that are not UTF-8, or text that is not JSON;
- nesting deeper than MAX_DEPTH (50,000 levels would exhaust the interpreter's stack,
  and no request of this API nests more than a handful);
- a NUL character in any key or string (unless the caller checks each field itself):
  PostgreSQL cannot store one in text, and no field of this product needs one.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32

NOT_UTF8 = "The request body is not valid UTF-8."
NOT_JSON = "The request body is not valid JSON."
TOO_DEEP = f"The request body is nested too deeply: the limit is {MAX_DEPTH} levels."
HAS_NUL = "The request body contains a NUL character (\\u0000), which is not allowed."


class JsonInputError(ValueError):
    """The body was refused; the message says why, in words for the caller."""


def load_json(raw: bytes, *, refuse_nul: bool = True) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonInputError(NOT_UTF8) from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JsonInputError(TOO_DEEP) from None
    except ValueError:
        raise JsonInputError(NOT_JSON) from None
    check_json_value(data, refuse_nul=refuse_nul)
    return data


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are JavaScript, not JSON.
    raise ValueError(name)


def check_json_value(data: Any, *, refuse_nul: bool = True) -> None:
    """Refuse a decoded value nested deeper than MAX_DEPTH or (with `refuse_nul`)
    holding a NUL; walked with a stack, not recursion, so it cannot overflow itself."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if refuse_nul and "\x00" in value:
                raise JsonInputError(HAS_NUL)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise JsonInputError(TOO_DEEP)
            if isinstance(value, dict):
                for key, item in value.items():
                    if refuse_nul and "\x00" in key:
                        raise JsonInputError(HAS_NUL)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
