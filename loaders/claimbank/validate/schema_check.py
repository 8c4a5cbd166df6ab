"""JSON Schema validation, reported as problems with stable codes.

jsonschema reports a failed union (``oneOf``) as one opaque error; like check-jsonschema we report the most
relevant error inside it instead: the branch the discriminator (``label``, ``kind``, ``claimer``) selects, or for
a union of constants the list of allowed values.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from claimbank.format import schema
from claimbank.format.model import SCHEMA_VERSION
from claimbank.validate.problems import ProblemSink, pointer

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = 4
_short.maxdict = 4
_short.maxlevel = 2

_RANGE_KEYWORDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength"}
_RANGE_KEYWORDS |= {"minItems", "maxItems", "minProperties", "maxProperties"}


def check(document: Any, sink: ProblemSink, *, has_floats: bool | None = None) -> None:
    """Validate ``document`` against the annotation file schema; report every error to ``sink``.

    A compiled validator answers "valid" for most files at a fraction of the cost; only a file it rejects, or one
    holding a float (which it would take for an integer where the schema wants one), goes through
    python-jsonschema, whose errors say where and why. ``has_floats`` is what the reader saw (``None``: look).
    """
    floats = _has_float(document) if has_floats is None else has_floats
    if not floats and schema.fast_validator().is_valid(document):
        return
    before = len(sink.problems)
    for error in schema.validator().iter_errors(document):
        for leaf in _relevant(error):
            _report(leaf, sink)
    if len(sink.problems) == before and not floats:
        # The two validators disagree (they once did on "$" in patterns): never let a rejected file pass.
        sink.add(
            "schema-invalid",
            "",
            "the compiled schema validator rejects this file and the explaining one finds no reason; "
            "this is a ClaimBank bug, please report it with the file",
        )


def _has_float(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _schema_of(error: ValidationError) -> dict[str, Any]:
    return error.schema if isinstance(error.schema, dict) else {}


def _branches(error: ValidationError) -> list[dict[str, Any]]:
    value: Any = error.validator_value
    return [branch for branch in value if isinstance(branch, dict)] if isinstance(value, list) else []


def _branch_errors(error: ValidationError, index: int) -> list[ValidationError]:
    return [e for e in error.context or () if e.relative_schema_path and e.relative_schema_path[0] == index]


def _relevant(error: ValidationError) -> Iterable[ValidationError]:
    """The errors worth showing for ``error``: itself, or for a union the errors of the branch that applies."""
    if error.validator not in ("oneOf", "anyOf"):
        yield error
        return
    chosen = _chosen_branch(error, _branches(error))
    if chosen is None:
        yield error
        return
    for inner in _branch_errors(error, chosen):
        yield from _relevant(inner)


def _chosen_branch(error: ValidationError, branches: list[dict[str, Any]]) -> int | None:
    """Which branch of a failed union the instance was meant for, or ``None`` to report the union itself."""
    if all("const" in branch for branch in branches):
        return None
    discriminator = _schema_of(error).get("discriminator")
    if discriminator and isinstance(error.instance, dict):
        tag = error.instance.get(discriminator["propertyName"])
        target = discriminator["mapping"].get(tag) if isinstance(tag, str) else None
        if target is None:
            return None
        return next(i for i, branch in enumerate(branches) if branch.get("$ref") == target)
    # A nullable value (``anyOf: [X, null]``): a non-null instance was meant to be X.
    non_null = [i for i, branch in enumerate(branches) if branch.get("type") != "null"]
    if len(non_null) == 1 and error.instance is not None:
        return non_null[0]
    best = best_match(error.context or ())
    index = best.relative_schema_path[0] if best is not None and best.relative_schema_path else None
    return index if isinstance(index, int) else None


def _allowed(branches: Iterable[dict[str, Any]]) -> str:
    return ", ".join(repr(branch["const"]) for branch in branches if "const" in branch)


def _report(error: ValidationError, sink: ProblemSink) -> None:
    path = list(error.absolute_path)
    where = pointer(*path)
    keyword = error.validator
    value: Any = error.validator_value
    instance = _short.repr(error.instance)
    if keyword == "required":
        missing = [name for name in value if isinstance(error.instance, dict) and name not in error.instance]
        for name in missing:
            sink.add("schema-required", pointer(*path, name), f"the required field {name!r} is missing")
    elif keyword == "additionalProperties":
        allowed = set(_schema_of(error).get("properties", {}))
        fields: dict[str, Any] = error.instance if isinstance(error.instance, dict) else {}
        for name in fields:
            if name not in allowed:
                sink.add(
                    "schema-unknown-field",
                    pointer(*path, name),
                    f"unknown field {name!r}; allowed here: {', '.join(sorted(allowed))}",
                )
    elif keyword in ("const", "enum", "oneOf", "anyOf") and path == ["schema_version"]:
        if isinstance(error.instance, str) and error.instance.startswith("1."):
            sink.add(
                "schema-outdated",
                where,
                f"schema version {instance} is older than {SCHEMA_VERSION!r}, the version this ClaimBank reads",
            )
            return
        sink.add(
            "schema-version",
            where,
            f"unknown schema version {instance}; this ClaimBank reads {SCHEMA_VERSION!r}",
        )
    elif keyword == "const":
        sink.add("schema-unknown-value", where, f"{instance} is not allowed here; expected {value!r}")
    elif keyword == "enum":
        sink.add("schema-unknown-value", where, f"{instance} is not one of {', '.join(map(repr, value))}")
    elif keyword in ("oneOf", "anyOf"):
        _report_union(error, sink, path)
    elif keyword == "type":
        sink.add("schema-type", where, f"{instance} is not of type {value!r}")
    elif keyword == "pattern":
        sink.add("schema-pattern", where, f"{instance} does not match {value}")
    elif keyword in _RANGE_KEYWORDS:
        sink.add("schema-range", where, f"{instance} breaks {keyword} {value}")
    else:
        sink.add("schema-invalid", where, f"{instance}: {keyword} {_short.repr(value)} fails")


def _report_union(error: ValidationError, sink: ProblemSink, path: list[str | int]) -> None:
    branches = _branches(error)
    discriminator = _schema_of(error).get("discriminator")
    if all("const" in branch for branch in branches):
        sink.add(
            "schema-unknown-value",
            pointer(*path),
            f"{_short.repr(error.instance)} is not one of {_allowed(branches)}",
        )
    elif discriminator and isinstance(error.instance, dict):
        name = discriminator["propertyName"]
        tags = ", ".join(map(repr, discriminator["mapping"]))
        if name not in error.instance:
            sink.add(
                "schema-required", pointer(*path, name), f"the required field {name!r} is missing ({tags})"
            )
        else:
            tag = _short.repr(error.instance[name])
            sink.add("schema-unknown-value", pointer(*path, name), f"{tag} is not one of {tags}")
    elif discriminator:
        sink.add("schema-type", pointer(*path), f"{_short.repr(error.instance)} is not of type 'object'")
    else:
        sink.add(
            "schema-invalid",
            pointer(*path),
            f"{_short.repr(error.instance)} matches none of the allowed forms",
        )
