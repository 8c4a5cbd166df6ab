"""The table of every record's fields: read once from the shipped JSON Schema (itself generated from the pydantic
models in :mod:`claimbank.format.model`, and held to them by a drift test), and read by the dataset features and
rows, every converter, the HTML view, agreement and the validator.

One row per (record, field): which labels (spans), kinds (attributions) or claimers (claims) carry it, its type,
its vocabulary, whether it is required, and, for a reference, what it points at. A field added to the model shows
up here after ``claimbank schema --write``, and the drift tests (``tests/test_fields.py``) then fail until every
consumer carries it or declares it lossy.

This module reads JSON only (no pydantic), so the validation fast path can use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from claimbank.format import shipped
from claimbank.format.constants import REFERENCES_KEYWORD

# Where each layer's records live in the schema: (the owner definition, its array property).
LAYERS = {"spans": "span", "attributions": "attribution", "claims": "claim"}
RECORDS = ("document", "metadata", "set", "span", "fragment", "attribution", "claim")
# The record each list-of-records field holds (a span's ``fragments`` are records of their own, untagged).
RECORDS_OF = {
    "annotation_sets": "set",
    "spans": "span",
    "fragments": "fragment",
    "attributions": "attribution",
    "claims": "claim",
}
# The discriminator of each layer's tagged union, and the vocabulary its values come from (the schema spells each
# branch's tag as a bare ``const``; tests/test_fields.py holds this to the models' ``Literal`` annotations).
TAGS = {"span": "label", "attribution": "kind", "claim": "claimer"}
TAG_VOCABULARIES = {"span": "SpanLabel", "attribution": "AttributionKind", "claim": "Claimer"}

Kind = Literal[
    "id", "ref", "refs", "offset", "number", "string", "strings", "bool", "vocab", "records", "object"
]


@dataclass(frozen=True)
class FieldSpec:
    """One field of one kind of record."""

    record: str  # document, metadata, set, span, fragment, attribution, claim
    name: str
    kind: Kind
    vocabulary: str | None  # the enum's name in claimbank.format.vocab, for kind "vocab"
    carried_by: tuple[
        str, ...
    ]  # the tags (labels, kinds, claimers) whose records have it; () for untagged records
    required_by: tuple[str, ...]  # the tags whose records require it (untagged: ("",) when required)
    layer: str | None  # for a reference: the layer it points into (spans, attributions, annotation_sets)
    targets: frozenset[str]  # ... and the labels or kinds it may point at, for any record (empty: any)
    definitions: tuple[str, ...]  # the schema definitions that hold it (SourceSpan, …), for the fast path
    default: Any = (
        None  # the schema's default, the value a file that leaves the field out has (``gold``: false)
    )
    # For a reference: (tag, the labels or kinds a record of that tag may point at), one pair per tag in
    # carried_by (("", targets) for an untagged record). A claim's ``attribution`` names an attribution for
    # claimer "source" and a non_attribution for claimer "unclaimed": ``targets`` alone is their union.
    targets_by: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def is_reference(self) -> bool:
        return self.kind in ("ref", "refs")

    def targets_of(self, tag: str) -> frozenset[str]:
        """What a record of ``tag`` (``""``: an untagged record) may point at through this reference."""
        return dict(self.targets_by).get(tag, frozenset())


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        return name, schema["$defs"][name]
    return None, node


def _nonnull(node: dict[str, Any]) -> dict[str, Any]:
    """The one non-null branch of an optional field (``anyOf: [X, null]``)."""
    branches = [b for b in node.get("anyOf", ()) if b.get("type") != "null"]
    if len(branches) == 1:
        merged = {**node, **branches[0]}
        merged.pop("anyOf")
        return merged
    return node


def _kind(schema: dict[str, Any], name: str, node: dict[str, Any]) -> tuple[Kind, str | None]:
    node = _nonnull(node)
    definition, target = _resolve(schema, node)
    if definition is not None and "oneOf" in target and all("const" in b for b in target["oneOf"]):
        return "vocab", definition
    if definition is not None:
        return "object", definition
    references = node.get(REFERENCES_KEYWORD)
    kind = node.get("type")
    if kind == "array":
        items = node.get("items", {})
        if references is not None:
            return "refs", None
        if items.get("type") == "string":
            return "strings", None
        return "records", None
    if references is not None:
        return "ref", None
    if kind == "integer":
        return "offset", None
    if kind == "number":
        return "number", None
    if kind == "boolean":
        return "bool", None
    if kind == "string" and name == "id" and "pattern" in node:
        return "id", None
    return "string", None


def _members(schema: dict[str, Any], union: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(definition, tag, definition body) of each branch of a layer's tagged union."""
    tags = {ref: tag for tag, ref in union["items"]["discriminator"]["mapping"].items()}
    out = []
    for branch in union["items"]["oneOf"]:  # the model's order of the union
        definition, body = _resolve(schema, branch)
        assert definition is not None
        out.append((definition, tags[branch["$ref"]], body))
    return out


@cache
def table() -> tuple[FieldSpec, ...]:
    """Every field of every record, in schema order (the order of the model's fields)."""
    schema = shipped.load()
    set_name, set_body = _resolve(schema, schema["properties"]["annotation_sets"]["items"])
    meta_name, meta_body = _resolve(schema, schema["properties"]["metadata"])
    groups: list[tuple[str, list[tuple[str | None, str, dict[str, Any]]]]] = [
        ("document", [(None, "", schema)]),
        ("metadata", [(meta_name, "", meta_body)]),
        ("set", [(set_name, "", set_body)]),
    ]
    for layer, record in LAYERS.items():
        groups.append((record, list(_members(schema, set_body["properties"][layer]))))
        if record == "span":
            groups.append(("fragment", [("Fragment", "", schema["$defs"]["Fragment"])]))
    specs: list[FieldSpec] = []
    for record, members in groups:
        order: list[str] = []
        seen: dict[str, dict[str, Any]] = {}
        for definition, tag, body in members:
            required = set(body.get("required", ()))
            for name, node in body["properties"].items():
                entry = seen.get(name)
                if entry is None:
                    order.append(name)
                    kind, vocabulary = _kind(schema, name, node)
                    references = _nonnull(node).get(REFERENCES_KEYWORD) or {}
                    entry = seen[name] = {
                        "kind": kind,
                        "vocabulary": vocabulary,
                        "carried": [],
                        "required": [],
                        "layer": references.get("layer"),
                        "targets_by": {},
                        "definitions": [],
                        "default": _nonnull(node).get("default"),
                    }
                if tag:
                    entry["carried"].append(tag)
                if entry["kind"] in ("ref", "refs"):  # each member says what its own records may name
                    labels = (_nonnull(node).get(REFERENCES_KEYWORD) or {}).get("labels", ())
                    entry["targets_by"][tag] = frozenset(labels)
                if name in required:
                    entry["required"].append(tag)
                if definition is not None:
                    entry["definitions"].append(definition)
        tags = {tag for _, tag, _ in members if tag}
        if record in TAGS:  # the tag first after the id, as a reader looks for it
            order.remove(TAGS[record])
            order.insert(1, TAGS[record])
        for name in order:
            entry = seen[name]
            carried = tuple(entry["carried"])
            is_tag = TAGS.get(record) == name
            specs.append(
                FieldSpec(
                    record=record,
                    name=name,
                    kind="vocab" if is_tag else entry["kind"],
                    vocabulary=TAG_VOCABULARIES[record] if is_tag else entry["vocabulary"],
                    carried_by=carried if tags else (),
                    required_by=tuple(entry["required"]),
                    layer=entry["layer"],
                    targets=_union(entry["targets_by"].values()),
                    definitions=tuple(entry["definitions"]),
                    default=entry["default"],
                    targets_by=tuple(entry["targets_by"].items()),
                )
            )
    return tuple(specs)


def _union(targets: Iterable[frozenset[str]]) -> frozenset[str]:
    """What any record may point at: the union of the tags' targets, empty (any) when one tag's is."""
    targets = list(targets)
    return frozenset() if frozenset() in targets else frozenset().union(*targets)


def fields(record: str) -> tuple[FieldSpec, ...]:
    """The fields of one kind of record (``span``, ``fragment``, ``attribution``, ``claim``, ``set``, ``document``,
    ``metadata``)."""
    if record not in RECORDS:
        raise ValueError(f"unknown record {record!r}; records are {', '.join(RECORDS)}")
    return tuple(spec for spec in table() if spec.record == record)


def field(record: str, name: str) -> FieldSpec:
    """One field's row of the table."""
    for spec in fields(record):
        if spec.name == name:
            return spec
    raise KeyError(f"{record} has no field {name!r}")


def attributes(record: str) -> tuple[FieldSpec, ...]:
    """The vocabulary fields of a record other than its tag: a span's ``source_type``, ``cue_type``, … ."""
    return tuple(s for s in fields(record) if s.kind == "vocab" and s.name != TAGS.get(record))


def span_attributes() -> tuple[str, ...]:
    """The names of the vocabulary fields a span may carry beside its label (``source_type``, …)."""
    return tuple(spec.name for spec in attributes("span"))


def references(record: str, layer: str | None = None) -> tuple[FieldSpec, ...]:
    """The reference fields of a record (optionally only those into ``layer``)."""
    return tuple(s for s in fields(record) if s.is_reference and (layer is None or s.layer == layer))


def claimer_kinds() -> dict[str, frozenset[str]]:
    """claimer -> the attribution kinds a claim of that claimer may name by its ``attribution`` ("source": an
    attribution, "unclaimed": a non_attribution; an author's claim has no such field): the checks' and the fast
    path's rule."""
    return dict(field("claim", "attribution").targets_by)


def span_references() -> dict[tuple[str, str], frozenset[str]]:
    """(layer, field) -> the span labels it may name, for every single reference into spans (the checks' table)."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for layer, record in LAYERS.items():
        for spec in references(record, "spans"):
            if spec.kind == "ref":
                out[(layer, spec.name)] = spec.targets
    return out
