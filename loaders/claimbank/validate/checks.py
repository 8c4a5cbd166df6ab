"""What the JSON Schema cannot say: offsets against the text, ids and references, the seed file and its hash.

The checks read the parsed JSON (plain dicts), not the pydantic model, so that they still run on a file the schema
has rejected: a file with one wrong type still gets its offsets checked. Each check therefore looks before it
reads (``_str``, ``_int``) and reports; nothing here raises on any input.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from claimbank.format import fields
from claimbank.format.vocab import SpanLabel
from claimbank.util.jsonio import Unreadable, read_limited
from claimbank.validate.folders import forget_folders as forget_folders  # where the build calls it
from claimbank.validate.folders import inside
from claimbank.validate.problems import ProblemSink, pointer

# What each reference into spans may point at: (layer, field) -> allowed labels, from the table of fields (the
# model's ``x-claimbank-references``), read by every reference check here and in the fast path.
SPAN_REFERENCES: dict[tuple[str, str], frozenset[str]] = fields.span_references()
# The kinds of attribution a claim's ``attribution`` may name, by its claimer (an author's claim has no such field),
# from the same table: "source" names an attribution, "unclaimed" a non_attribution.
CLAIMER_KINDS: dict[str, frozenset[str]] = fields.claimer_kinds()
KNOWN_LABELS = frozenset(label.value for label in SpanLabel)
_DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
LAYERS = ("spans", "attributions", "claims")


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def check_document(document: Any, sink: ProblemSink, *, path: Path | None, seeds_dir: Path | None) -> None:
    """Run every check beyond the schema on one parsed annotation file."""
    if not isinstance(document, dict):
        return
    text = _str(document.get("text"))
    doc_id = _str(document.get("id"))
    if path is not None and doc_id is not None and _DOC_ID.fullmatch(doc_id) and path.stem != doc_id:
        sink.add("file-name-mismatch", "/id", f"document id {doc_id!r} but the file is named {path.name!r}")
    if text is not None:
        _check_hash(document, text, sink)
        _check_seed(document, text, sink, seeds_dir)
    _check_sets(document.get("annotation_sets"), _Text(text) if text is not None else None, sink)


def _check_hash(document: dict[str, Any], text: str, sink: ProblemSink) -> None:
    declared = _str(document.get("sha256"))
    if declared is None or not _SHA256.fullmatch(declared):
        return  # the schema reports it
    actual = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if declared != actual:
        sink.add("sha256-mismatch", "/sha256", f"declared {declared} but the text hashes to {actual}")


def _check_seed(document: dict[str, Any], text: str, sink: ProblemSink, seeds_dir: Path | None) -> None:
    seed = _str(document.get("seed"))
    if seed is None or "/" in seed or "\\" in seed or seed.startswith("."):
        return  # the schema's pattern reports it
    if seeds_dir is None:
        sink.add(
            "seed-missing", "/seed", f"no seeds/ folder found to look up {seed!r}", hint="pass --seeds DIR"
        )
        return
    seed_path = seeds_dir / seed
    if not inside(seed_path, seeds_dir):
        sink.add(
            "path-outside-tree", "/seed", f"{seed_path} leads to {seed_path.resolve()}, outside {seeds_dir}"
        )
        return
    if not os.path.lexists(seed_path):
        sink.add("seed-missing", "/seed", f"{seed_path} does not exist")
        return
    try:
        # Bounded and never blocking: a seed that is a FIFO, a device or larger than the text could be (4 bytes
        # a code point) is refused, not read.
        seed_text = read_limited(seed_path, 4 * len(text) + 4).decode("utf-8")
    except Unreadable as refusal:
        if refusal.code == "file-too-large":
            sink.add(
                "seed-text-mismatch",
                "/text",
                f"{seed_path.name} is longer than the text ({len(text)} code points) could be; not read whole",
            )
            return
        sink.add("seed-missing", "/seed", f"{seed_path} cannot be read: {refusal.message}")
        return
    except UnicodeDecodeError as error:
        sink.add("seed-missing", "/seed", f"{seed_path} cannot be read as UTF-8 text: {error}")
        return
    if seed_text != text:
        at = next((i for i, (a, b) in enumerate(zip(seed_text, text, strict=False)) if a != b), None)
        at = min(len(seed_text), len(text)) if at is None else at
        sink.add(
            "seed-text-mismatch",
            "/text",
            f"the text differs from {seed_path.name} from code point {at} on "
            f"(text {len(text)} code points, seed {len(seed_text)})",
        )


def _check_timestamp(value: Any, where: str, sink: ProblemSink) -> None:
    stamp = _str(value)
    if stamp is None:
        return
    try:
        datetime.fromisoformat(stamp)
    except ValueError:
        sink.add("timestamp-invalid", where, f"{stamp!r} is not a real date and time")


def _check_sets(sets: Any, text: _Text | None, sink: ProblemSink) -> None:
    ids: dict[str, int] = {}
    gold: list[int] = []
    for index, item in _dicts(sets):
        set_id = _str(item.get("id"))
        if set_id is not None:
            if set_id in ids:
                sink.add(
                    "duplicate-id",
                    pointer("annotation_sets", index, "id"),
                    f"annotation set id {set_id!r} is also used at /annotation_sets/{ids[set_id]}",
                )
            else:
                ids[set_id] = index
        if item.get("gold") is True:
            gold.append(index)
        _check_timestamp(item.get("created_at"), pointer("annotation_sets", index, "created_at"), sink)
    for index in gold[1:]:
        sink.add("gold-multiple", pointer("annotation_sets", index, "gold"), f"set {gold[0]} is gold already")
    for index, item in _dicts(sets):
        sources = item.get("adjudicated_from")
        for position, source in enumerate(sources if isinstance(sources, list) else ()):
            where = pointer("annotation_sets", index, "adjudicated_from", position)
            if source == item.get("id"):
                sink.add("reference-self", where, "a set cannot be adjudicated from itself")
            elif isinstance(source, str) and source not in ids:
                sink.add("reference-missing", where, f"no annotation set has id {source!r}")
        _SetChecker(item, ("annotation_sets", index), text, sink).run()


class _Text:
    """The document text, with the alternative encodings that diagnose wrong offsets computed on demand."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def utf16(self) -> bytes:
        return self.text.encode("utf-16-le", "surrogatepass")

    @cached_property
    def utf8(self) -> bytes:
        return self.text.encode("utf-8", "surrogatepass")

    @cached_property
    def other_line_breaks(self) -> str:
        if "\r\n" in self.text:
            return self.text.replace("\r\n", "\n")
        return self.text.replace("\n", "\r\n")

    def diagnose(self, start: int, end: int, span_text: str) -> tuple[str, str]:
        """Why ``span_text`` is not ``text[start:end]``: the code and a message."""
        found = self.text[start:end]
        if self.utf16[2 * start : 2 * end].decode("utf-16-le", "replace") == span_text:
            return "span-offsets-utf16", "the offsets fit the text counted in UTF-16 code units"
        if self.utf8[start:end].decode("utf-8", "replace") == span_text:
            return "span-offsets-utf8", "the offsets fit the text counted in UTF-8 bytes"
        if self.other_line_breaks[start:end] == span_text:
            return "span-offsets-crlf", "the offsets fit the text with its line breaks converted (CRLF vs LF)"
        for form in ("NFC", "NFD"):
            if unicodedata.normalize(form, found) == unicodedata.normalize(form, span_text):
                return "span-text-normalization", f"the texts are equal only after {form} normalisation"
        message = f"text {_clip(span_text)} but the document has {_clip(found)} at [{start}, {end})"
        elsewhere = self.text.find(span_text) if span_text else -1
        if elsewhere >= 0:
            message += f"; the span text occurs at [{elsewhere}, {elsewhere + len(span_text)})"
        return "span-text-mismatch", message


def trim(start: int, text: str) -> tuple[int, int, str]:
    """The span that starts at ``start`` with ``text``, without white space (``str.isspace``) at its edges:
    (start, end, text). What ``span-edge-whitespace`` asks for, and what the importers do; the text is empty
    when the span held nothing else."""
    trimmed = text.strip()
    inner = start + len(text) - len(text.lstrip()) if trimmed else start
    return inner, inner + len(trimmed), trimmed


def _clip(value: str, limit: int = 50) -> str:
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


def splits_character(text: str, offset: int) -> bool:
    """True when ``offset`` falls inside a user-perceived character (an extended grapheme cluster).

    An approximation of Unicode's segmentation rules (UAX #29) that covers what annotation tools get wrong:
    combining marks, zero-width joiner sequences, variation selectors, emoji modifiers and tags, CR LF, and
    pairs of regional indicators (flags).
    """
    if offset <= 0 or offset >= len(text):
        return False
    before, after = text[offset - 1], text[offset]
    if before == "\r" and after == "\n":
        return True
    if before == "\u200d" or after == "\u200d":
        return True
    code = ord(after)
    if (
        unicodedata.category(after) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    ):
        return True
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF:
        return True  # a Hangul vowel or final consonant jamo continues the syllable before it (UAX #29 V, T)
    if _regional(after) and _regional(before):
        run = 0
        while offset - run - 1 >= 0 and _regional(text[offset - run - 1]):
            run += 1
        return run % 2 == 1
    return False


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


class _SetChecker:
    """The checks of one annotation set: spans against the text, then every reference."""

    def __init__(
        self, item: dict[str, Any], at: tuple[str | int, ...], text: _Text | None, sink: ProblemSink
    ):
        self.item = item
        self.at = at
        self.text = text
        self.sink = sink
        # id -> (layer, index, the item) for every span, attribution and claim of the set.
        self.ids: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self.cyclic: set[int] = set()

    def where(self, *parts: str | int) -> str:
        return pointer(*self.at, *parts)

    def run(self) -> None:
        self._index()
        if self.text is not None:
            for index, span in _dicts(self.item.get("spans")):
                self._check_offsets(index, span, self.text)
        for (layer, field), labels in SPAN_REFERENCES.items():
            for index, item in _dicts(self.item.get(layer)):
                self._check_reference(layer, index, field, item.get(field), labels)
        self._check_chains("spans", "refers_to")
        self.cyclic = self._check_chains("attributions", "nested_in")
        self._check_attributions()
        self._check_claims()

    def _index(self) -> None:
        for layer in LAYERS:
            for index, item in _dicts(self.item.get(layer)):
                item_id = _str(item.get("id"))
                if item_id is None:
                    continue
                if item_id in self.ids:
                    first_layer, first_index, _ = self.ids[item_id]
                    self.sink.add(
                        "duplicate-id",
                        self.where(layer, index, "id"),
                        f"id {item_id!r} is also used at {self.where(first_layer, first_index)}",
                    )
                else:
                    self.ids[item_id] = (layer, index, item)

    def _check_offsets(self, index: int, span: dict[str, Any], text: _Text) -> None:
        fine = self._check_stretch(("spans", index), span, text)
        fragments = span.get("fragments")
        if isinstance(fragments, list):
            self._check_fragments(index, span, fragments, text, fine)

    def _check_fragments(
        self, index: int, span: dict[str, Any], fragments: list[Any], text: _Text, hull_fine: bool
    ) -> None:
        """Each fragment against the text like a span; then in order, apart, and spanned by the span itself."""
        bounds: list[tuple[int, int]] = []
        for position, fragment in _dicts(fragments):
            if self._check_stretch(("spans", index, "fragments", position), fragment, text):
                bounds.append((fragment["start"], fragment["end"]))
        if len(bounds) != len(fragments) or len(bounds) < 2:
            return  # a fragment was reported (or the schema reports it): order and hull would only echo that
        for position in range(1, len(bounds)):
            (before_start, before_end), (start, end) = bounds[position - 1], bounds[position]
            if start < before_end:
                self.sink.add(
                    "fragments-unordered",
                    self.where("spans", index, "fragments", position, "start"),
                    f"fragment [{start}, {end}) starts before fragment {position - 1} "
                    f"[{before_start}, {before_end}) ends",
                )
                return
        if hull_fine and bounds and (span["start"], span["end"]) != (bounds[0][0], bounds[-1][1]):
            self.sink.add(
                "fragments-hull",
                self.where("spans", index, "start"),
                f"the span is [{span['start']}, {span['end']}) but its fragments run from {bounds[0][0]} to "
                f"{bounds[-1][1]}",
            )

    def _check_stretch(self, at: tuple[str | int, ...], span: dict[str, Any], text: _Text) -> bool:
        """Check one stretch of text (a span, or a fragment of one) at ``at``; true when nothing was wrong."""
        start, end, span_text = _int(span.get("start")), _int(span.get("end")), _str(span.get("text"))
        if start is None or end is None or start < 0 or end < 0:
            return False  # the schema reports it
        length = len(text.text)
        if start > end:
            self.sink.add("offset-reversed", self.where(*at, "start"), f"start {start} > end {end}")
            return False
        if start == end:
            self.sink.add("offset-empty", self.where(*at, "end"), f"start and end are both {start}")
            return False
        if end > length:
            code, message = text.diagnose(start, end, span_text) if span_text else ("", "")
            if code in ("span-offsets-utf16", "span-offsets-utf8", "span-offsets-crlf"):
                self.sink.add(code, self.where(*at, "text"), message)
                return False
            self.sink.add(
                "offset-out-of-range",
                self.where(*at, "end"),
                f"end {end} is beyond the text's {length} code points",
            )
            return False
        if span_text is None:
            return False
        if text.text[start:end] != span_text:
            code, message = text.diagnose(start, end, span_text)
            self.sink.add(code, self.where(*at, "text"), message)
            return False
        fine = True
        if span_text.strip() != span_text:
            self._edge_whitespace(at, start, span_text)
            fine = False
        for name, offset in (("start", start), ("end", end)):
            if splits_character(text.text, offset):
                self.sink.add(
                    "span-splits-character",
                    self.where(*at, name),
                    f"{name} {offset} falls inside the character {_clip(text.text[offset - 1 : offset + 1])}",
                )
                fine = False
        return fine

    def _edge_whitespace(self, at: tuple[str | int, ...], start: int, span_text: str) -> None:
        inner, end, trimmed = trim(start, span_text)
        if not trimmed:
            message = f"{_clip(span_text)} is nothing but white space"
        else:
            message = f"{_clip(span_text)} has white space at an edge; trimmed, it is [{inner}, {end}) {_clip(trimmed)}"
        self.sink.add("span-edge-whitespace", self.where(*at, "text"), message)

    def _resolve(
        self, layer: str, index: int, field: str, target: Any, expected_layer: str, *position: int
    ) -> dict[str, Any] | None:
        """The item ``target`` names, or ``None`` after reporting why it cannot be used."""
        if not isinstance(target, str):
            return None
        found = self.ids.get(target)
        if found is not None and found[0] == expected_layer and (found[0], found[1]) != (layer, index):
            return found[2]  # the common case, decided without building a pointer
        where = self.where(layer, index, field, *position)
        own = self.item.get(layer)
        if isinstance(own, list) and isinstance(own[index], dict) and own[index].get("id") == target:
            self.sink.add("reference-self", where, f"{field} names the item's own id {target!r}")
            return None
        if found is None and not isinstance(self.item.get(expected_layer), list):
            return None  # the schema reports the broken layer; every reference into it would only echo that
        if found is None:
            self.sink.add("reference-missing", where, f"no {expected_layer[:-1]} has id {target!r}")
            return None
        if found[0] != expected_layer:
            self.sink.add(
                "reference-wrong-label",
                where,
                f"{target!r} is in {found[0]}, but {field} must name an item of {expected_layer}",
            )
            return None
        return found[2]

    def _check_reference(
        self, layer: str, index: int, field: str, target: Any, labels: frozenset[str]
    ) -> None:
        span = self._resolve(layer, index, field, target, "spans")
        label = _str(span.get("label")) if span is not None else None
        if label in KNOWN_LABELS and label not in labels:
            self.sink.add(
                "reference-wrong-label",
                self.where(layer, index, field),
                f"{target!r} is a {label} span, but {field} must name a {' or '.join(sorted(labels))} span",
            )

    def _span(self, span_id: Any) -> dict[str, Any] | None:
        found = self.ids.get(span_id) if isinstance(span_id, str) else None
        return found[2] if found is not None and found[0] == "spans" else None

    def _check_attributions(self) -> None:
        for index, attribution in _dicts(self.item.get("attributions")):
            source = self._span(attribution.get("source"))
            if source is not None and source.get("label") == "SOURCE":
                nobody = source.get("source_type") == "nobody"
                kind = attribution.get("kind")
                if (kind == "attribution" and nobody) or (kind == "non_attribution" and not nobody):
                    self.sink.add(
                        "source-type-mismatch",
                        self.where("attributions", index, "source"),
                        f"a {kind} whose source {source.get('text')!r} has source_type "
                        f"{source.get('source_type')!r}",
                    )
            parent = self._resolve(
                "attributions", index, "nested_in", attribution.get("nested_in"), "attributions"
            )
            if parent is not None and index not in self.cyclic:
                self._check_nesting(index, attribution, parent)

    def _check_nesting(self, index: int, attribution: dict[str, Any], parent: dict[str, Any]) -> None:
        outer = self._span(parent.get("content"))
        if outer is None or _int(outer.get("start")) is None or _int(outer.get("end")) is None:
            return
        for field in ("source", "cue", "content"):
            inner = self._span(attribution.get(field))
            if inner is None or _int(inner.get("start")) is None or _int(inner.get("end")) is None:
                continue
            if not (outer["start"] <= inner["start"] and inner["end"] <= outer["end"]):
                self.sink.add(
                    "nested-outside-content",
                    self.where("attributions", index, field),
                    f"{field} {inner.get('text')!r} [{inner['start']}, {inner['end']}) is outside the content "
                    f"[{outer['start']}, {outer['end']}) of {parent.get('id')!r}",
                )

    def _check_claims(self) -> None:
        for index, claim in _dicts(self.item.get("claims")):
            claimer = _str(claim.get("claimer"))
            if claimer is not None and claimer in CLAIMER_KINDS:
                attribution = self._resolve(
                    "claims", index, "attribution", claim.get("attribution"), "attributions"
                )
                allowed = CLAIMER_KINDS[claimer]
                kind = None if attribution is None else attribution.get("kind")
                # A kind that is not a string is the schema's problem; here it only cannot be one allowed.
                if attribution is not None and allowed and not (isinstance(kind, str) and kind in allowed):
                    self.sink.add(
                        "claimer-mismatch",
                        self.where("claims", index, "attribution"),
                        f"claimer {claimer!r} needs a {' or '.join(sorted(allowed))}, but "
                        f"{claim.get('attribution')!r} is a {kind}",
                    )
            modality = claim.get("modality")
            for position, target in enumerate(modality if isinstance(modality, list) else ()):
                span = self._resolve("claims", index, "modality", target, "spans", position)
                label = _str(span.get("label")) if span is not None else None
                if label is not None and label in KNOWN_LABELS and label != "MODALITY":
                    self.sink.add(
                        "reference-wrong-label",
                        self.where("claims", index, "modality", position),
                        f"{target!r} is a {label} span, but modality must name MODALITY spans",
                    )

    def _check_chains(self, layer: str, field: str) -> set[int]:
        """Report each cycle of ``field`` references (``refers_to``, ``nested_in``) once; return its members."""
        cyclic: set[int] = set()
        items = dict(_dicts(self.item.get(layer)))
        by_id = {_str(item.get("id")): index for index, item in items.items()}
        by_id.pop(None, None)
        done: set[int] = set()
        target_of: Callable[[int], int | None] = lambda i: by_id.get(_str(items[i].get(field)))  # noqa: E731
        for start in items:
            trail: list[int] = []
            current: int | None = start
            while current is not None and current not in done and current not in trail:
                trail.append(current)
                current = target_of(current)
            if current is not None and current in trail and len(trail[trail.index(current) :]) > 1:
                cycle = trail[trail.index(current) :]
                names = " -> ".join(repr(items[i].get("id")) for i in [*cycle, cycle[0]])
                self.sink.add(
                    "reference-cycle", self.where(layer, min(cycle), field), f"{field} cycle: {names}"
                )
                cyclic.update(cycle)
            done.update(trail)
        return cyclic
