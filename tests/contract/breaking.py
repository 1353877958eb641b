"""What a new version of a published schema breaks for clients built on the old one.

A change breaks a client unless the old version had already marked the removed thing
deprecated (that is how integrators get warned first):

OpenAPI
- an operation removed;
- a parameter removed, or a new required one;
- a property removed from a component, or a new required property in a request body;
- a type narrowed where the client writes (request bodies, parameters): an old type
  or enum value no longer accepted;
- a type widened where the client reads (responses): a new type, null say, that an
  old client does not expect.

GraphQL: graphql-core's `find_breaking_changes`, except the removal of a field or an
enum value that the old schema had deprecated.
"""

from __future__ import annotations

from typing import Any

from graphql import BreakingChangeType, build_schema, find_breaking_changes

_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")


def _types(schema: dict[str, Any]) -> set[str]:
    """The values a property schema allows, in comparable words: JSON types, enum
    values, referenced components."""
    found: set[str] = set()
    if "$ref" in schema:
        found.add(schema["$ref"])
    declared = schema.get("type")
    if isinstance(declared, str):
        found.add(declared)
    elif isinstance(declared, list):
        found.update(declared)
    for value in schema.get("enum", []):
        found.add(f"enum:{value!r}")
    for key in ("oneOf", "anyOf", "allOf"):
        for part in schema.get(key, []):
            found |= _types(part)
    return found


def _is_request(component: str) -> bool:
    # drf-spectacular (COMPONENT_SPLIT_REQUEST) names request bodies "...Request".
    return component.endswith("Request")


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in _METHODS
    }


def _parameters(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{p['in']}:{p['name']}": p for p in operation.get("parameters", [])}


def openapi_breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    old_ops, new_ops = _operations(old), _operations(new)
    for label, operation in old_ops.items():
        if label not in new_ops:
            if not operation.get("deprecated"):
                problems.append(f"{label}: operation removed without being deprecated first")
            continue
        old_params, new_params = _parameters(operation), _parameters(new_ops[label])
        for name, parameter in old_params.items():
            if name not in new_params:
                if not parameter.get("deprecated"):
                    problems.append(f"{label}: parameter {name} removed")
            elif lost := _types(parameter.get("schema", {})) - _types(
                new_params[name].get("schema", {})
            ):
                problems.append(f"{label}: parameter {name} no longer accepts {sorted(lost)}")
        for name, parameter in new_params.items():
            if name not in old_params and parameter.get("required"):
                problems.append(f"{label}: new required parameter {name}")

    old_components = old.get("components", {}).get("schemas", {})
    new_components = new.get("components", {}).get("schemas", {})
    for component, schema in old_components.items():
        request = _is_request(component)
        if component not in new_components:
            if schema.get("deprecated"):
                continue
            # A component only moved (renamed) while still in use is not by itself a
            # break: what the operations send and get is compared property by property.
            if request or component.endswith("Enum"):
                continue
            problems.append(f"{component}: schema removed")
            continue
        replacement = new_components[component]
        if "enum" in schema:
            gone = set(map(repr, schema["enum"])) - set(map(repr, replacement.get("enum", [])))
            if gone and not schema.get("deprecated"):
                problems.append(f"{component}: enum values removed: {sorted(gone)}")
        old_props = schema.get("properties", {})
        new_props = replacement.get("properties", {})
        for name, prop in old_props.items():
            where = f"{component}.{name}"
            if name not in new_props:
                if not prop.get("deprecated"):
                    problems.append(f"{where}: property removed without being deprecated first")
                continue
            before, after = _types(prop), _types(new_props[name])
            if request and (lost := before - after):
                problems.append(f"{where}: no longer accepts {sorted(lost)}")
            if not request and (gained := after - before):
                problems.append(f"{where}: may now answer {sorted(gained)}")
        if request:
            added = set(replacement.get("required", [])) - set(schema.get("required", []))
            problems.extend(f"{component}.{name}: newly required" for name in sorted(added))
    return problems


def graphql_breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    old_schema, new_schema = build_schema(old_sdl), build_schema(new_sdl)
    problems = []
    for change in find_breaking_changes(old_schema, new_schema):
        if change.description.startswith("Standard scalar"):
            continue  # a built-in scalar no field uses any more: nothing a client sends
        removal = change.type in (
            BreakingChangeType.FIELD_REMOVED,
            BreakingChangeType.VALUE_REMOVED_FROM_ENUM,
        )
        if removal and _was_deprecated(old_schema, change.description):
            continue
        problems.append(f"{change.type.name}: {change.description}")
    return problems


def _was_deprecated(schema: Any, description: str) -> bool:
    """For "Type.field was removed." / "VALUE was removed from enum type Type.": whether
    the old schema had deprecated it."""
    if " was removed from enum type " in description:
        value, type_name = description.rstrip(".").split(" was removed from enum type ")
        enum = schema.get_type(type_name)
        return bool(enum and enum.values[value].deprecation_reason)
    type_name, field_name = description.split(" ", 1)[0].split(".", 1)
    owner = schema.get_type(type_name)
    field = owner.fields.get(field_name) if owner is not None else None
    return bool(field is not None and field.deprecation_reason)
