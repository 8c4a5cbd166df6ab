"""The JSON Schema: generated from the pydantic models, written to ``schema/``, and loaded with no network access.

``generate()`` is the only way the schema file is made (``claimbank schema --write``); a test fails when the
committed file and the models drift apart.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from claimbank.format import vocab
from claimbank.format.model import SCHEMA_VERSION, Document
from claimbank.format.paths import schema_dir
from claimbank.format.shipped import SCHEMA_FILE as SCHEMA_FILE  # re-exported for callers of this module
from claimbank.format.shipped import load as load
from claimbank.format.shipped import python_pattern as python_pattern

SCHEMA_ID = f"urn:claimbank:schema:{SCHEMA_VERSION}:document"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    """pydantic's generator, with a description for every allowed value of an enum (``oneOf`` of ``const``s)."""

    def enum_schema(self, schema: core_schema.EnumSchema) -> JsonSchemaValue:
        generated = super().enum_schema(schema)
        enum = schema["cls"]
        if issubclass(enum, vocab.Vocabulary):
            generated.pop("enum", None)
            generated["oneOf"] = [
                {"const": member.value, "description": member.description} for member in enum
            ]
        return generated


def generate() -> dict[str, Any]:
    """The JSON Schema of an annotation file, generated from :class:`claimbank.format.model.Document`."""
    body = Document.model_json_schema(schema_generator=_Generator)
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "ClaimBank annotation file",
        **body,
    }


def render() -> str:
    """The schema file's exact text."""
    return json.dumps(generate(), ensure_ascii=False, indent=2) + "\n"


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs class; its stubs omit the field


@cache
def registry() -> Registry[Any]:
    """Every schema in ``schema/`` by its ``$id``; any other ``$ref`` fails instead of being fetched."""
    resources = []
    for path in sorted(schema_dir().glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            contents = json.load(handle)
        resources.append((contents["$id"], Resource.from_contents(contents)))
    registry: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]  # attrs field, see above
    return registry.with_resources(resources)


def _is_integer(checker: object, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(python_pattern(pattern))


def _ecma_pattern(validator: Any, pattern: str, instance: Any, _schema: Any) -> Any:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_ONE_OF: Any = Draft202012Validator.VALIDATORS["oneOf"]  # the standard keyword, for unions without a tag


def _discriminated_one_of(validator: Any, one_of: list[Any], instance: Any, schema: Any) -> Any:
    """``oneOf`` that, where the schema names a discriminator (a span's ``label``, an attribution's ``kind``),
    checks an object against the one branch its tag selects, or none when the tag is missing or unknown.

    The errors are those python-jsonschema gives for that branch, and the explanation
    (:mod:`claimbank.validate.schema_check`) reads no others: it reports a missing or unknown tag from the
    discriminator, and a known tag's errors from its branch. Checking all six span branches of each of 10,000
    broken spans took 2 ms a span; the other branches' errors were built only to be thrown away.
    """
    discriminator = schema.get("discriminator") if isinstance(schema, dict) else None
    if not discriminator or not isinstance(instance, dict):
        yield from _ONE_OF(validator, one_of, instance, schema)
        return
    tag = instance.get(discriminator["propertyName"])
    target = discriminator["mapping"].get(tag) if isinstance(tag, str) else None
    index = next((i for i, branch in enumerate(one_of) if branch.get("$ref") == target), None)
    if target is None or index is None:
        yield ValidationError(f"{instance!r} is not valid under any of the given schemas", context=[])
        return
    errors = list(validator.descend(instance, one_of[index], schema_path=index))
    if errors:
        yield ValidationError(f"{instance!r} is not valid under any of the given schemas", context=errors)


# JSON Schema counts 38.0 as an integer; an offset written as a float is a tool's bug, so here it is an error
# (as it is for the pydantic models). Generic schema tools that validate schema/ alone will accept 38.0.
# Patterns are matched as ECMA-262 matches them (python_pattern), as the compiled validator does.
StrictValidator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    validators={"pattern": _ecma_pattern, "oneOf": _discriminated_one_of},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


def _refuse_rs(uri: str) -> Any:
    raise ValueError(f"ClaimBank never fetches schemas: {uri}")


@cache
def fast_validator() -> Any:
    """A compiled (jsonschema-rs) validator of the same schema: answers only valid or not, about 50x faster.

    Its retriever refuses every URI: like :func:`registry`, it never fetches a ``$ref``.
    """
    import jsonschema_rs

    return jsonschema_rs.validator_for(load(), retriever=_refuse_rs)


@cache
def validator() -> Draft202012Validator:
    """A Draft 2020-12 validator of annotation files, resolving ``$ref``s only from :func:`registry`."""
    validator: Draft202012Validator = StrictValidator(load(), registry=registry())
    return validator
