"""The JSON Schema: generated from the models, valid Draft 2020-12, documented, and never fetched remotely."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError
from referencing.exceptions import Unresolvable

from claimbank.format import schema, vocab
from claimbank.format.model import Document
from claimbank.format.paths import schema_dir
from claimbank.validate.core import validate_file

CASES = Path(__file__).parent / "cases"


def test_shipped_schema_is_what_the_models_generate() -> None:
    shipped = (schema_dir() / schema.SCHEMA_FILE).read_text(encoding="utf-8")
    assert shipped == schema.render(), "schema/ is stale: run `claimbank schema --write`"


@pytest.mark.parametrize("path", sorted(schema_dir().glob("*.json")), ids=lambda p: p.name)
def test_schema_files_are_valid_draft_2020_12(path: Path) -> None:
    contents = json.loads(path.read_text(encoding="utf-8"))
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert contents["$id"]
    Draft202012Validator.check_schema(contents)


def _properties(node: Any, defs: dict[str, Any], where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{where}/{name}", prop
        for key, value in node.items():
            if key != "properties":
                yield from _properties(value, defs, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, defs, f"{where}/{index}")


def test_every_field_and_value_has_a_description() -> None:
    generated = schema.load()
    defs = generated["$defs"]
    missing = []
    for where, prop in _properties(generated, defs):
        target = defs[prop["$ref"].rsplit("/", 1)[1]] if "$ref" in prop else prop
        if not (prop.get("description") or target.get("description")):
            missing.append(where)
    assert missing == []
    for enum in vocab.VOCABULARIES:
        branches = defs[enum.__name__]["oneOf"] if enum.__name__ in defs else None
        if branches is None:  # used only as discriminator constants
            continue
        assert [(b["const"], b["description"]) for b in branches] == [(m.value, m.description) for m in enum]


def test_each_span_label_variant_is_described_by_the_vocabulary() -> None:
    defs = schema.load()["$defs"]
    variants = {
        d["properties"]["label"]["const"]: d for d in defs.values() if "label" in d.get("properties", {})
    }
    assert set(variants) == {label.value for label in vocab.SpanLabel}
    for label in vocab.SpanLabel:
        assert variants[label.value]["description"] == label.description


class _Counter(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"type": "string"}')

    def log_message(self, *args: object) -> None:
        pass


def test_remote_refs_are_never_fetched() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/remote.json"
        hostile = {"$schema": schema.DIALECT, "$ref": url}
        validator = schema.StrictValidator(hostile, registry=schema.registry())
        with pytest.raises(Unresolvable):
            validator.validate("anything")
        # The compiled fast path refuses too, when the validator is built.
        with pytest.raises(jsonschema_rs.ValidationError, match="never fetches"):
            jsonschema_rs.validator_for(hostile, retriever=schema._refuse_rs)
    finally:
        server.shutdown()
    assert _Counter.hits == 0


def test_models_agree_with_the_schema_on_the_cases() -> None:
    """Drift between the pydantic models and the schema shows as a case one accepts and the other rejects."""
    for case in sorted((CASES / "valid").glob("*.json")):
        Document.model_validate(json.loads(case.read_text(encoding="utf-8")))
    for case in sorted((CASES / "invalid").glob("schema-*/*.json")):
        data = json.loads(case.read_text(encoding="utf-8"))
        schema_says = [p for p in validate_file(case).problems if p.code.startswith("schema-")]
        assert schema_says, case
        with pytest.raises(ValidationError):
            Document.model_validate(data)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (r"^[a-z]{2,3}$", "en", True),
        (
            r"^[a-z]{2,3}$",
            "en\n",
            False,
        ),  # Python's "$" matches before a final line break; ECMA-262's does not
        (r"^\d{4}$", "2026", True),
        (r"^\d{4}$", "٢٠٢٦", False),  # ECMA-262's \d is [0-9]
        (r"^[$]{2}$", "$$", True),  # a "$" inside a class is a dollar sign
        (r"^a\$$", "a$", True),  # and so is an escaped one
    ],
)
def test_patterns_match_as_ecma_262_and_the_compiled_validator_do(
    pattern: str, value: str, matches: bool
) -> None:
    node = {"type": "string", "pattern": pattern}
    assert jsonschema_rs.validator_for(node).is_valid(value) is matches
    assert schema.StrictValidator(node).is_valid(value) is matches


def test_a_file_the_compiled_validator_rejects_is_never_passed_unexplained(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The two validators agree today (test above); were they to part again, the file must still be refused. A
    # stand-in for the explaining validator is the only way to make them disagree.
    class Silent:
        def iter_errors(self, _document: Any) -> Iterator[Any]:
            return iter(())

    monkeypatch.setattr(schema, "validator", lambda: Silent())
    case = CASES / "invalid" / "schema-pattern" / "language-trailing-line-break.json"
    codes = [p.code for p in validate_file(case, seeds_dir=CASES / "seeds").problems]
    assert codes == ["schema-invalid"]
