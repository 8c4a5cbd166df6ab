"""The JSON Schema as shipped: reading ``schema/document.schema.json``, and its patterns as Python regexes.

The light half of :mod:`claimbank.format.schema` (which generates the file from the pydantic models and builds the
validators): the validation fast path needs only this, so a run on valid files loads neither pydantic nor
jsonschema.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from claimbank.format.paths import schema_dir

SCHEMA_FILE = "document.schema.json"


@cache
def load() -> dict[str, Any]:
    """The schema as shipped (from the wheel or the checkout), not regenerated."""
    with (schema_dir() / SCHEMA_FILE).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def python_pattern(pattern: str) -> str:
    """A schema ``pattern`` (ECMA-262, as JSON Schema says) as a Python regular expression with the same matches.

    Two differences matter for ClaimBank's patterns: ECMA-262's ``\\d`` and ``\\w`` are ASCII (Python's take
    any script's digits), and its ``$`` is the end of the string (Python's ``$`` also matches before a final line
    break, so an id ``"s1\\n"`` would pass). So: ASCII classes, and ``\\Z`` for each ``$`` outside a class.
    """
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
    return "(?a)" + "".join(out)
