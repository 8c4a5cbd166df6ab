"""A fast, conservative "is this annotation file valid?" that answers for the common case of a valid file.

:func:`quick_check` returns the decoded document only when it is certain that the full validator
(:mod:`claimbank.jsonio` → :mod:`claimbank.schema_check` → :mod:`claimbank.checks`) would report no problem;
for anything else it returns ``None`` and the caller runs the full validator, which explains every problem. It
never decides that a file is invalid, so the verdicts and the messages all come from one place.

How it is certain, step by step:

- the schema: the file is decoded by msgspec into types *generated from* ``schema/document.schema.json`` (unknown
  fields, types, constants, patterns, ranges and the tagged unions); patterns are compiled ASCII-only and anchored
  with ``\\Z``, so they are never looser than the schema's;
- what msgspec does not refuse: duplicate keys (it keeps the last one, like every fast reader) are caught by
  counting. The compiled steps count the keys the file spells out (the colons that follow a closing quote) and
  the decoded document's set fields; the Python steps count every colon in the file against those of the
  document re-encoded, and leave a file with ``\\u003`` (an escaped colon) to the full path. Either way the
  counts are equal only when no key was dropped. NaN, Infinity, lone surrogates and non-UTF-8 bytes are refused
  by the decoder. The ``sha256`` field's pattern is left to its comparison with the text's digest (equal to a
  hex digest, it matches), see ``DIGEST_FIELDS``;
- what no schema says: the same checks as :mod:`claimbank.checks`, as yes/no questions. Anything unusual (chains
  of ``refers_to`` or ``nested_in``, text outside ASCII near a span boundary) is left to the full path.

``tests/test_fastpath.py`` holds the drift tests: every invalid case is refused here, every valid one accepted,
and mutated documents never get a different verdict from the full path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import typing
from datetime import datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Literal

import msgspec

from claimbank import schema_file
from claimbank.checks import CLAIMER_KIND, SPAN_REFERENCES, splits_character
from claimbank.formats import ID_PATTERN

_SPANS = ("SourceSpan", "CueSpan", "ContentSpan", "ClaimSpan", "EntitySpan", "ModalitySpan")
_CLAIMS = ("AuthorClaim", "SourceClaim", "UnclaimedClaim")


class UnsupportedSchema(Exception):
    """The schema uses a construct the generator does not translate; :func:`decoder` cannot be built."""


# Where the schema puts the id pattern, as (definition, property): each of these is either an id that
# :func:`_set_fine` collects and matches against ``ID_PATTERN`` in one go, or a reference that it resolves to such
# an id. At these places the generated decoder skips the pattern (a regular expression per id would cost more than
# the whole decode); anywhere else the pattern stays in the decoder.
BULK_ID_FIELDS = frozenset(
    {(name, "id") for name in ("AnnotationSet", "Attribution", "NonAttribution")}
    | {(name, field) for name in ("Attribution", "NonAttribution") for field in ("cue", "content", "source")}
    | {(name, field) for name in _SPANS for field in ("id",)}
    | {("SourceSpan", "refers_to"), ("AnnotationSet", "adjudicated_from")}
    | {(name, field) for name in _CLAIMS for field in ("id", "span", "modality")}
    | {("SourceClaim", "attribution"), ("UnclaimedClaim", "attribution")}
)
# Where quick_check compares the value with a SHA-256 hex digest before anything else: equal to one, it matches
# the schema's pattern (64 lowercase hex digits), so the decoder need not run the pattern too.
DIGEST_FIELDS = {("Document", "sha256"): "^[0-9a-f]{64}$"}
_ID_BODY = ID_PATTERN.removeprefix("^").removesuffix("$")
# Patterns the decoder leaves out, for the steps after it to check (msgspec runs a regular expression per value,
# which cost a sixth of the whole decode; the compiled steps match them by hand, the Python steps with `re`). The
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
            if set(node) - {"type", "items", "description", "default", "title"}:
                raise UnsupportedSchema(f"array keywords {sorted(node)} in {name}")
            return list[self.type(node["items"], name, field)]  # type: ignore[misc]
        if kind == "boolean":
            return bool
        if kind == "integer":
            return Annotated[int, msgspec.Meta(ge=node.get("minimum"), le=node.get("maximum"))]
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


def _load_compiled() -> ModuleType | None:
    """``claimbank._fastcheck`` when it was built, unless ``CLAIMBANK_PURE_PYTHON`` is set; else ``None``."""
    if os.environ.get("CLAIMBANK_PURE_PYTHON"):
        return None
    try:
        from claimbank import _fastcheck  # built by hatch_build.py when there is a compiler
    except ImportError:
        return None
    # Its pattern checks are written by hand: if the model's or the schema's have changed, it must not be used.
    late = {f"{name}.{field}": pattern for (name, field), pattern in LATE_PATTERNS.items()}
    if _fastcheck.ID_PATTERN != ID_PATTERN or getattr(_fastcheck, "LATE_PATTERNS", None) != late:
        return None
    return _fastcheck


def compiled_available() -> bool:
    """The compiled steps were built (and are not switched off by ``CLAIMBANK_PURE_PYTHON``)."""
    return _load_compiled() is not None


# The compiled steps (claimbank/_fastcheck.c) once :func:`_codec` has set them up; tests set it to None to run
# the Python steps, which stay the reference.
_compiled: ModuleType | None = None


def _holds_structs(hint: Any) -> bool:
    """A field of this type can hold a struct (directly, in a list, or in one branch of a union)."""
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        return True
    return any(_holds_structs(arg) for arg in typing.get_args(hint) if not isinstance(arg, msgspec.Meta))


@cache
def _codec() -> tuple[msgspec.json.Decoder[Any], msgspec.json.Encoder]:
    global _compiled
    generator = _Generator(schema_file.load())
    compiled = _load_compiled()
    if compiled is not None:
        # For each generated type: its field names (interned, which the C code relies on), its tag, the
        # descriptors that hold the fields, and which of the fields can hold structs (whose keys are counted).
        fields: dict[type, tuple[tuple[str, ...], str | None, tuple[Any, ...], tuple[int, ...]]] = {}
        tags: dict[type, str] = {}
        for made in generator.structs.values():
            tag = made.__struct_config__.tag
            names = tuple(sys.intern(name) for name in made.__struct_fields__)
            hints = typing.get_type_hints(made, include_extras=True)
            nested = tuple(i for i, name in enumerate(names) if _holds_structs(hints[name]))
            fields[made] = (names, tag, tuple(made.__dict__.get(name) for name in names), nested)
            if tag is not None:
                tags[made] = tag
        referents = frozenset(SPAN_REFERENCES[("spans", "refers_to")])
        try:
            compiled.setup(msgspec.UNSET, fields, tags, dict(CLAIMER_KIND), referents, datetime.fromisoformat)
        except TypeError:
            pass  # a module built from other sources than this fastpath.py: the Python steps run
        else:
            _compiled = compiled
    return msgspec.json.Decoder(generator.root), msgspec.json.Encoder()


def decoder() -> msgspec.json.Decoder[Any]:
    """The msgspec decoder generated from the schema (built once)."""
    return _codec()[0]


def quick_check(data: bytes, *, path: Path | None, seeds_dir: Path | None) -> Any | None:
    """The decoded document when it is certainly valid, else ``None`` (run the full validator)."""
    decode, encoder = _codec()
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
    if _compiled is not None:
        stem = path.stem if path is not None else None
        try:
            fine = _compiled.document_fine(document, data, encoded, f"{seeds_dir}/{document.seed}", stem)
        except Exception:  # e.g. a NUL in the seed's name: the Python steps and then the full path explain
            fine = None
        if fine is not None:  # else not certain: the Python steps decide
            return document if fine else None
    if b"003" in data and b"\\u003" in data:  # the first test is usually the quicker one
        return None  # an escaped colon (\u003a) would upset the count below; rare enough to leave to the full path
    if _colons_fine(document, data, encoded, encoder) and _fine(document, encoded, path, seeds_dir):
        return document
    return None


def _colons_fine(document: Any, data: bytes, encoded: bytes, encoder: msgspec.json.Encoder) -> bool:
    """No key was dropped by the decoder (a duplicate: msgspec keeps the last, like every fast reader).

    Outside strings a colon ends each key; inside them colons are spelled the same in the file and in the
    re-encoding. So fewer colons re-encoded means a key was dropped. (The long text is counted from its UTF-8
    rather than re-encoded, which would cost more than the decode.)
    """
    colons = len(data) - len(data.replace(b":", b""))  # quicker than data.count(b":")
    shell = encoder.encode(msgspec.structs.replace(document, text=""))
    return colons == shell.count(b":") + encoded.count(b":")


_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def _seed_matches(seeds_dir: Path, name: str, encoded: bytes) -> bool:
    """The seed file holds exactly ``encoded``. Not through a link: one may lead outside seeds/ (the seed's name
    has no "/", so the file itself is the only step). Plain ``os`` calls: ``open()`` costs as much again."""
    try:
        handle = os.open(f"{seeds_dir}/{name}", _READ_FLAGS)
    except OSError:
        return False
    try:
        # One byte more than expected, so a longer file differs; a short read can only make the answer no.
        return os.read(handle, len(encoded) + 1) == encoded
    except OSError:
        return False
    finally:
        os.close(handle)


def _fine(document: Any, encoded: bytes, path: Path | None, seeds_dir: Path) -> bool:
    """What :func:`quick_check` asks once the schema, the hash and the seed's name are fine (the Python steps,
    which the compiled ``document_fine`` mirrors)."""
    text: str = document.text
    if path is not None and path.stem != document.id:
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
    return gold <= 1


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
    by_id = {span.id: span for span in spans}
    labels = {key: span.__struct_config__.tag for key, span in by_id.items()}
    kinds = {attribution.id: attribution.__struct_config__.tag for attribution in attributions}
    every = [*labels, *kinds, *[claim.id for claim in claims]]
    if len(every) != len(spans) + len(attributions) + len(claims) or len(set(every)) != len(every):
        return False  # a duplicate id
    if every and not _ids_fine(every):
        return False
    return _references_fine(spans, attributions, claims, by_id, labels, kinds)


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
    unset = msgspec.UNSET
    allowed_referents = SPAN_REFERENCES[("spans", "refers_to")]
    for span in spans:
        target = getattr(span, "refers_to", None)
        if target is None or target is unset:
            continue
        if target == span.id or labels.get(target) not in allowed_referents:
            return False
        if getattr(by_id[target], "refers_to", None) not in (None, unset):
            return False  # a chain: the full path looks for cycles
    if attributions:
        got = [labels.get(a.cue) for a in attributions] + [labels.get(a.content) for a in attributions]
        if got != ["CUE"] * len(attributions) + ["CONTENT"] * len(attributions):
            return False
        for attribution in attributions:
            source = attribution.source
            if source is not unset and source is not None:
                if labels.get(source) != "SOURCE":
                    return False
                if (by_id[source].source_type == "nobody") != (kinds[attribution.id] == "non_attribution"):
                    return False
        nested = any(a.nested_in is not unset and a.nested_in is not None for a in attributions)
        if nested and not _nesting_fine(attributions, by_id):
            return False
    if claims:
        if [labels.get(claim.span) for claim in claims] != ["CLAIM"] * len(claims):
            return False
        for claim in claims:
            expected = CLAIMER_KIND.get(claim.__struct_config__.tag)
            if expected is not None and kinds.get(claim.attribution) != expected:
                return False
            modality = claim.modality
            if modality and modality is not unset and any(labels.get(t) != "MODALITY" for t in modality):
                return False
    return True
