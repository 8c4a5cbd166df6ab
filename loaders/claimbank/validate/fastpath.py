"""A fast, conservative "is this annotation file valid?" that answers for the common case of a valid file.

:func:`quick_check` returns the decoded document only when it is certain that the full validator
(:mod:`claimbank.util.jsonio` → :mod:`claimbank.validate.schema_check` → :mod:`claimbank.validate.checks`) would report no problem;
for anything else it returns ``None`` and the caller runs the full validator, which explains every problem. It
never decides that a file is invalid, so the verdicts and the messages all come from one place.

How it is certain, step by step:

- the schema: the file is decoded by msgspec into types *generated from* ``schema/document.schema.json`` (unknown
  fields, types, constants, patterns, ranges and the tagged unions); patterns are compiled ASCII-only and anchored
  with ``\\Z``, so they are never looser than the schema's;
- what msgspec does not refuse: duplicate keys (it keeps the last one, like every fast reader) are caught by
  counting every colon in the file against those of the document re-encoded (a file with ``\\u003``, an
  escaped colon, is left to the full path); the counts are equal only when no key was dropped. NaN, Infinity, lone surrogates and non-UTF-8 bytes are refused
  by the decoder. The ``sha256`` field's pattern is left to its comparison with the text's digest (equal to a
  hex digest, it matches), see ``DIGEST_FIELDS``;
- what no schema says: the same checks as :mod:`claimbank.validate.checks`, as yes/no questions. Anything unusual (chains
  of ``refers_to`` or ``nested_in``, text outside ASCII near a span boundary) is left to the full path.

``tests/test_fastpath.py`` holds the drift tests: every invalid case is refused here, every valid one accepted,
and mutated documents never get a different verdict from the full path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import msgspec

from claimbank.format import fields
from claimbank.format import shipped as schema_file
from claimbank.format.constants import ID_PATTERN, REFERENCES_KEYWORD


class UnsupportedSchema(Exception):
    """The schema uses a construct the generator does not translate; :func:`decoder` cannot be built."""


# Where the schema puts the id pattern, as (definition, property): each of these is either an id that
# :func:`_set_fine` collects and matches against ``ID_PATTERN`` in one go, or a reference that it resolves to such
# an id. At these places the generated decoder skips the pattern (a regular expression per id would cost more than
# the whole decode); anywhere else the pattern stays in the decoder.
BULK_ID_FIELDS = frozenset(
    (definition, spec.name)
    for spec in fields.table()
    if spec.record in ("set", "span", "attribution", "claim")
    and (spec.kind == "id" or spec.is_reference)
    and spec.name != "nested_in"  # an attribution's nested_in keeps its pattern in the decoder
    for definition in spec.definitions
)
# The references the steps below resolve, each with its own rule; a document that sets a reference field the table
# has and this list does not (a field added to the model) is left to the full path, never passed unchecked.
RESOLVED_REFERENCES = frozenset(
    {("span", "refers_to"), ("attribution", "source"), ("attribution", "cue"), ("attribution", "content")}
    | {("attribution", "nested_in"), ("claim", "span"), ("claim", "modality"), ("claim", "attribution")}
    | {("set", "adjudicated_from")}
)
UNRESOLVED_REFERENCES = sorted(
    (spec.record, spec.name)
    for spec in fields.table()
    if spec.is_reference and (spec.record, spec.name) not in RESOLVED_REFERENCES
)
# Where quick_check compares the value with a SHA-256 hex digest before anything else: equal to one, it matches
# the schema's pattern (64 lowercase hex digits), so the decoder need not run the pattern too.
DIGEST_FIELDS = {("Document", "sha256"): "^[0-9a-f]{64}$"}
_ID_BODY = ID_PATTERN.removeprefix("^").removesuffix("$")
# Patterns the decoder leaves out, for the steps after it to check (msgspec runs a regular expression per value,
# which cost a sixth of the whole decode; the steps after it match them with `re`). The
# seed's name is checked before it is used to open the seed. Only where the schema has exactly this pattern.
LATE_PATTERNS = {
    ("Document", "id"): "^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$",
    ("Document", "seed"): "^[A-Za-z0-9][A-Za-z0-9_.-]*\\.txt$",
    ("Document", "language"): "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    ("AnnotationSet", "created_at"): (
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
    ),
}
_LATE = {place: re.compile(schema_file.python_pattern(pattern)) for place, pattern in LATE_PATTERNS.items()}
_JOINERS = frozenset("\r\u200d")
# The labels each reference into the spans may name, from the table of fields (the checks' table): (record, field)
# -> labels. A reference missing here gets no label (so a document that sets it is declined, never passed).
_TARGETS = {
    (spec.record, spec.name): spec.targets
    for spec in fields.table()
    if spec.is_reference and spec.layer == "spans"
}
_REFERS_TO, _CUES, _CONTENTS, _SOURCES, _CLAIMS, _MODALITIES = (
    _TARGETS.get(place, frozenset())
    for place in (
        ("span", "refers_to"),
        ("attribution", "cue"),
        ("attribution", "content"),
        ("attribution", "source"),
        ("claim", "span"),
        ("claim", "modality"),
    )
)
# The kinds of attribution a claim's ``attribution`` may name, by claimer, from the same table (the checks' too).
_CLAIMER_KINDS = fields.claimer_kinds()
_IDS = re.compile(f"(?a)(?:{_ID_BODY})(?:\n(?:{_ID_BODY}))*")


class _Generator:
    """Translates the schema's ``$defs`` into msgspec types, once."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = document.get("$defs", {})
        self.structs: dict[tuple[str, str | None, str | None], Any] = {}
        self.bulk: set[tuple[str, str]] = set()  # where the id pattern was left to _set_fine
        self.digests: set[tuple[str, str]] = set()  # where the pattern was left to the digest comparison
        self.late: set[tuple[str, str]] = set()  # where the pattern was left to the steps (LATE_PATTERNS)
        self.root = self.struct("Document", document, None, None)

    def ref(self, node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        target = node["$ref"]
        prefix = "#/$defs/"
        if not target.startswith(prefix) or target[len(prefix) :] not in self.defs:
            raise UnsupportedSchema(f"$ref {target!r}")
        name = target[len(prefix) :]
        return name, self.defs[name]

    def type(self, node: dict[str, Any], name: str = "Value", field: str = "") -> Any:
        if "$ref" in node:
            ref_name, target = self.ref(node)
            return self.type(target, ref_name)
        if "const" in node:
            return Literal[node["const"]]
        if "oneOf" in node:
            branches = node["oneOf"]
            if all("const" in branch for branch in branches):
                return Literal[tuple(branch["const"] for branch in branches)]
            discriminator = node.get("discriminator")
            if not discriminator:
                raise UnsupportedSchema(f"oneOf without a discriminator in {name}")
            tag_field = discriminator["propertyName"]
            variants = []
            for tag, target in discriminator["mapping"].items():
                ref_name, definition = self.ref({"$ref": target})
                variants.append(self.struct(ref_name, definition, tag_field, tag))
            union: Any = variants[0]
            for variant in variants[1:]:
                union = union | variant
            return union
        if "anyOf" in node:
            branches = node["anyOf"]
            non_null = [b for b in branches if b.get("type") != "null"]
            if len(branches) != 2 or len(non_null) != 1:
                raise UnsupportedSchema(f"anyOf other than [X, null] in {name}")
            return self.type(non_null[0], name, field) | None
        kind = node.get("type")
        if kind == "object":
            return self.struct(name, node, None, None)
        if kind == "array":
            if set(node) - {
                "type",
                "items",
                "minItems",
                "description",
                "default",
                "title",
                REFERENCES_KEYWORD,
            }:
                raise UnsupportedSchema(f"array keywords {sorted(node)} in {name}")
            items: Any = list[self.type(node["items"], name, field)]  # type: ignore[misc]
            if "minItems" in node:
                return Annotated[items, msgspec.Meta(min_length=node["minItems"])]
            return items
        if kind == "boolean":
            return bool
        if kind == "integer":
            return Annotated[int, msgspec.Meta(ge=node.get("minimum"), le=node.get("maximum"))]
        if kind == "number":
            return Annotated[float, msgspec.Meta(ge=node.get("minimum"), le=node.get("maximum"))]
        if kind == "string":
            pattern = node.get("pattern")
            if pattern == ID_PATTERN and (name, field) in BULK_ID_FIELDS:
                self.bulk.add((name, field))
                pattern = None
            elif pattern is not None and pattern == DIGEST_FIELDS.get((name, field)):
                self.digests.add((name, field))
                pattern = None
            elif pattern is not None and pattern == LATE_PATTERNS.get((name, field)):
                self.late.add((name, field))
                pattern = None
            meta = msgspec.Meta(
                pattern=schema_file.python_pattern(pattern) if pattern is not None else None,
                min_length=node.get("minLength"),
                max_length=node.get("maxLength"),
            )
            return Annotated[str, meta]
        if kind == "null":
            return None
        raise UnsupportedSchema(f"{name}: {json.dumps(node)[:80]}")

    def struct(self, name: str, node: dict[str, Any], tag_field: str | None, tag: str | None) -> Any:
        key = (name, tag_field, tag)
        if key in self.structs:
            return self.structs[key]
        if node.get("type") != "object" or node.get("additionalProperties", True) is not False:
            raise UnsupportedSchema(f"{name} is not a closed object")
        required = set(node.get("required", ()))
        fields: list[tuple[str, Any, Any]] = []
        for field, child in node.get("properties", {}).items():
            if field == tag_field:
                continue
            if field in required:
                fields.append((field, self.type(child, name, field), msgspec.NODEFAULT))
            else:
                # UNSET, not the schema's default: a field the file spells out is re-encoded, one it omits is not.
                fields.append((field, self.type(child, name, field) | msgspec.UnsetType, msgspec.UNSET))
        made = msgspec.defstruct(
            name,
            fields,
            kw_only=True,
            forbid_unknown_fields=True,
            tag_field=tag_field,
            tag=tag,
            frozen=True,
            gc=False,  # never in a reference cycle (strings, numbers, lists of structs): the decode is quicker
        )
        self.structs[key] = made
        return made


class _Codec(NamedTuple):
    """What the steps need of the generated types: built together, so the tags are always of the decoder's own
    struct classes (a codec built again makes new classes)."""

    decoder: msgspec.json.Decoder[Any]
    encoder: msgspec.json.Encoder
    # The tag of each generated struct type (a span's label, an attribution's kind, a claim's claimer; None
    # outside a tagged union): a dict look-up by type is quicker than each item's ``__struct_config__.tag``.
    tags: dict[type, Any]


@cache
def _codec() -> _Codec:
    generator = _Generator(schema_file.load())
    tags = {made: made.__struct_config__.tag for made in generator.structs.values()}
    return _Codec(msgspec.json.Decoder(generator.root), msgspec.json.Encoder(), tags)


def decoder() -> msgspec.json.Decoder[Any]:
    """The msgspec decoder generated from the schema (built once)."""
    return _codec().decoder


def quick_check(data: bytes, *, path: Path | str | None, seeds_dir: Path | None) -> Any | None:
    """The decoded document when it is certainly valid, else ``None`` (run the full validator).

    ``path``: where the file is (its name must be the document's id), as a ``Path`` or as the string of one.
    """
    if UNRESOLVED_REFERENCES:
        return None  # the model has a reference these steps do not know: only the full path can say
    decode, encoder, _ = _codec()
    try:
        document = decode.decode(data)
    except (msgspec.MsgspecError, ValueError):
        return None
    encoded = document.text.encode("utf-8")
    if hashlib.sha256(encoded).hexdigest() != document.sha256:  # also the schema's pattern (DIGEST_FIELDS)
        return None
    # (The seed's name is matched, LATE_PATTERNS, by either steps before it is used to open anything.)
    if seeds_dir is None:
        return None
    if b"003" in data and b"\\u003" in data:  # the first test is usually the quicker one
        return None  # an escaped colon (\u003a) would upset the count below; rare enough to leave to the full path
    # A span in fragments ("fragments" is the only key of that name): their checks run only when one may be there.
    fragments = b'"fragments"' in data
    if _colons_fine(document, data, encoded, encoder) and _fine(
        document, encoded, path, seeds_dir, fragments
    ):
        return document
    return None


def to_data(document: Any) -> Any:
    """A document :func:`quick_check` returned, as the plain JSON data ``json.loads`` gives for its file: the
    same dicts, lists, strings and numbers (a field the file leaves out is left out, a null stays None; a
    number field written as an integer comes back as a float), keys in the schema's order rather than the
    file's. ``tests/test_fastpath.py`` holds it to ``json.loads`` of the file."""
    return msgspec.to_builtins(document)


def _colons_fine(document: Any, data: bytes, encoded: bytes, encoder: msgspec.json.Encoder) -> bool:
    """No key was dropped by the decoder (a duplicate: msgspec keeps the last, like every fast reader).

    Outside strings a colon ends each key; inside them colons are spelled the same in the file and in the
    re-encoding. So fewer colons re-encoded means a key was dropped. (The long text is counted from its UTF-8
    rather than re-encoded, which would cost more than the decode.)
    """
    colons = len(data) - len(data.replace(b":", b""))  # quicker than data.count(b":")
    shell = encoder.encode(msgspec.structs.replace(document, text=""))
    return colons == shell.count(b":") + encoded.count(b":")


# O_NONBLOCK: a FIFO named as a seed must not block the check (it is then refused: not a regular file).
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def _seed_matches(seeds_dir: Path, name: str, encoded: bytes) -> bool:
    """The seed file holds exactly ``encoded``. Not through a link: one may lead outside seeds/ (the seed's name
    has no "/", so the file itself is the only step). Plain ``os`` calls: ``open()`` costs as much again."""
    try:
        handle = os.open(f"{seeds_dir}/{name}", _READ_FLAGS)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return False
        # One byte more than expected, so a longer file differs; a short read can only make the answer no.
        return os.read(handle, len(encoded) + 1) == encoded
    except OSError:
        return False
    finally:
        os.close(handle)


def _fine(
    document: Any, encoded: bytes, path: Path | str | None, seeds_dir: Path, fragments: bool = False
) -> bool:
    """What :func:`quick_check` asks once the schema and the hash are fine."""
    text: str = document.text
    if path is not None and stem(path) != document.id:
        return False
    if not _late_fine(document, "Document", ("id", "seed", "language")):
        return False  # before the seed's name is used
    if not _seed_matches(seeds_dir, document.seed, encoded):
        return False
    sets = document.annotation_sets
    if sets is msgspec.UNSET:
        return True
    ids = {item.id for item in sets}
    if len(ids) != len(sets) or (ids and not _ids_fine(ids)):
        return False
    gold = 0
    for item in sets:
        if not _late_fine(item, "AnnotationSet", ("created_at",)):
            return False
        try:
            datetime.fromisoformat(item.created_at)
        except ValueError:
            return False
        if item.gold is True:
            gold += 1
        adjudicated = item.adjudicated_from
        if adjudicated is not msgspec.UNSET and any(s == item.id or s not in ids for s in adjudicated):
            return False
        if not _set_fine(item, text):
            return False
        if fragments and not _fragments_fine(_items(item.spans), text):
            return False
    return gold <= 1


def stem(path: Path | str) -> str:
    """``Path(path).stem`` (its name without its last suffix), without making a ``Path`` of a string (a name
    as ``str(Path(...))`` writes it: ``tests/test_fastpath.py`` holds the two equal)."""
    if not isinstance(path, str):
        return path.stem
    name = os.path.basename(path)
    if name == ".":
        return ""  # Path(".").name
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _late_fine(item: Any, name: str, fields: tuple[str, ...]) -> bool:
    """These fields of ``item`` (a ``name`` struct) match the patterns the decoder left out (LATE_PATTERNS)."""
    for field in fields:
        value = getattr(item, field)
        if not isinstance(value, str) or _LATE[(name, field)].search(value) is None:
            return False
    return True


def _ids_fine(ids: Any) -> bool:
    """Every id matches ID_PATTERN: one regular expression over them all, joined by line breaks (an id with a
    line break of its own would pass as two, so the breaks are counted too)."""
    joined = "\n".join(ids)
    return joined.count("\n") == len(ids) - 1 and _IDS.fullmatch(joined) is not None


def _items(value: Any) -> Any:
    return () if value is msgspec.UNSET else value


def _boundaries_fine(text: str, offsets: list[int]) -> bool:
    """No offset splits a grapheme cluster; the full rules only where a character could be combining."""
    length = len(text)
    inside = [offset for offset in offsets if 0 < offset < length]
    if not inside:
        return True
    # Below U+0300 no character joins the one before it, and only CR LF or a ZWJ could join the two.
    if max([text[offset] for offset in inside]) < "\u0300" and not _JOINERS & {text[o - 1] for o in inside}:
        return True
    # Rare, so imported here: a run on valid files does not load the checks.
    from claimbank.validate.checks import splits_character

    return not any(splits_character(text, offset) for offset in inside)


def _set_fine(item: Any, text: str) -> bool:
    spans, attributions, claims = _items(item.spans), _items(item.attributions), _items(item.claims)
    if spans:
        starts = [span.start for span in spans]
        ends = [span.end for span in spans]
        texts = [span.text for span in spans]
        # Equal non-empty slices also prove start < end; only an end past the text could still slice short.
        if max(ends) > len(text) or "" in texts:
            return False
        if [text[start:end] for start, end in zip(starts, ends, strict=True)] != texts:
            return False
        if list(map(str.strip, texts)) != texts:
            return False  # white space at an edge
        if not _boundaries_fine(text, starts + ends):
            return False
    tags = _codec().tags
    by_id = {span.id: span for span in spans}
    labels = {key: tags[type(span)] for key, span in by_id.items()}
    kinds = {attribution.id: tags[type(attribution)] for attribution in attributions}
    every = [*labels, *kinds, *[claim.id for claim in claims]]
    if len(every) != len(spans) + len(attributions) + len(claims) or len(set(every)) != len(every):
        return False  # a duplicate id
    if every and not _ids_fine(every):
        return False
    return _references_fine(spans, attributions, claims, by_id, labels, kinds)


def _fragments_fine(spans: Any, text: str) -> bool:
    """Every span in fragments: each fragment's text at its offsets, trimmed, on character boundaries, in order
    and apart, the first starting and the last ending where the span does (the checks' rules, as yes/no)."""
    for span in spans:
        fragments = span.fragments
        if fragments is msgspec.UNSET or fragments is None:
            continue
        if fragments[0].start != span.start or fragments[-1].end != span.end:
            return False
        at = span.start
        for fragment in fragments:
            start, end, piece = fragment.start, fragment.end, fragment.text
            if start < at or not piece or text[start:end] != piece or piece.strip() != piece:
                return False
            at = end
        if not _boundaries_fine(text, [f.start for f in fragments] + [f.end for f in fragments]):
            return False
    return True


def _nesting_fine(attributions: Any, by_id: dict[str, Any]) -> bool:
    """Each nested attribution lies inside its parent's content; a parent that is nested itself (a chain, where
    the full path looks for cycles) is left to the full path."""
    unset = msgspec.UNSET
    parents = {a.id: a for a in attributions}
    for attribution in attributions:
        parent_id = attribution.nested_in
        if parent_id is unset or parent_id is None:
            continue
        parent = parents.get(parent_id)
        if parent is None or parent is attribution or parent.nested_in not in (None, unset):
            return False
        outer = by_id[parent.content]
        for field in (attribution.source, attribution.cue, attribution.content):
            if field is unset or field is None:
                continue
            inner = by_id[field]
            if not (outer.start <= inner.start and inner.end <= outer.end):
                return False
    return True


def _references_fine(
    spans: Any,
    attributions: Any,
    claims: Any,
    by_id: dict[str, Any],
    labels: dict[str, str],
    kinds: dict[str, str],
) -> bool:
    """Every reference into the spans names a span of a label the table of fields allows (``_TARGETS``), and
    the rules the table cannot say: no span refers to itself or along a chain, a source is "nobody" exactly
    for a non-attribution, a claim's attribution is of its claimer's kind."""
    unset = msgspec.UNSET
    tags = _codec().tags
    allowed_referents = _REFERS_TO
    for span in spans:
        target = getattr(span, "refers_to", None)
        if target is None or target is unset:
            continue
        if target == span.id or labels.get(target) not in allowed_referents:
            return False
        if getattr(by_id[target], "refers_to", None) not in (None, unset):
            return False  # a chain: the full path looks for cycles
    if attributions:
        cues, contents = _CUES.__contains__, _CONTENTS.__contains__
        if not all(map(cues, [labels.get(a.cue) for a in attributions])) or not all(
            map(contents, [labels.get(a.content) for a in attributions])
        ):
            return False
        sources = _SOURCES
        for attribution in attributions:
            source = attribution.source
            if source is not unset and source is not None:
                if labels.get(source) not in sources:
                    return False
                if (by_id[source].source_type == "nobody") != (kinds[attribution.id] == "non_attribution"):
                    return False
        nested = any(a.nested_in is not unset and a.nested_in is not None for a in attributions)
        if nested and not _nesting_fine(attributions, by_id):
            return False
    if claims:
        if not all(map(_CLAIMS.__contains__, [labels.get(claim.span) for claim in claims])):
            return False
        modalities = _MODALITIES
        for claim in claims:
            allowed = _CLAIMER_KINDS.get(tags[type(claim)])
            if allowed is not None:
                kind = kinds.get(claim.attribution)
                if kind is None or (allowed and kind not in allowed):
                    return False
            modality = claim.modality
            if modality and modality is not unset and any(labels.get(t) not in modalities for t in modality):
                return False
    return True
