"""Paired converters between annotation documents and dataset rows.

``document_to_row`` / ``row_to_document`` convert losslessly (a round trip gives an equal ``Document``); the
``claims``, ``attributions``, ``tokens`` and ``sentences`` rows are views of a document's gold set, one way only. Label columns
hold ``ClassLabel`` integers (see ``claimbank.dataset.features``).

The build converts a file's parsed JSON once it is valid (:func:`document_row`, :func:`view_rows`), without the
pydantic model: validation has already said everything the model would, and a model and its dump cost more than
the rest of the conversion. The token views are built as Arrow record batches, column by column (a token row's
lists are the sentence rows' lists cut at other offsets), not as Python rows.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from claimbank.dataset import features, labels, segment
from claimbank.format import fields, vocab
from claimbank.format.canonical import canonical
from claimbank.format.constants import FRAGMENT_SEPARATOR
from claimbank.format.vocab import (
    AttributionKind,
    Claimer,
    CueType,
    Factuality,
    ModalityType,
    SourceType,
    Vocabulary,
)

if TYPE_CHECKING:
    from claimbank.format.model import AnnotationSet, Document

_RECORDS_OF = fields.RECORDS_OF


@cache
def _vocabulary(name: str) -> tuple[dict[str, int], list[str]]:
    enum = getattr(vocab, name)
    return labels.index(enum), labels.names(enum)


@cache
def _specs(record: str) -> tuple[tuple[str, str, Any, Any], ...]:
    """(name, kind, what it holds, its value when missing) of each field of a record: the vocabulary's index for
    a label, the record name for nested records; missing fields take the model's default (``gold`` false, an
    empty ``metadata``), so that a row from the file equals the row from its model."""
    out = []
    for spec in fields.fields(record):
        holds: Any = None
        if spec.kind == "vocab":
            holds = _vocabulary(spec.vocabulary or "")[0]
        elif spec.kind == "records":
            holds = _RECORDS_OF[spec.name]
        missing = {"object": {}, "records": [], "refs": [], "strings": []}.get(spec.kind, spec.default)
        out.append((spec.name, spec.kind, holds, missing))
    return tuple(out)


def _encode(record: str, data: dict[str, Any]) -> dict[str, Any]:
    """One record of the file as its ``documents`` row, field by field from the table (labels as integers)."""
    row: dict[str, Any] = {}
    for name, kind, holds, missing in _specs(record):
        value = data.get(name)
        if value is None:
            value = missing
            if kind != "object":
                row[name] = value
                continue
        if kind == "vocab":
            row[name] = holds[value]
        elif kind == "records":
            row[name] = [_encode(holds, item) for item in value]
        elif kind == "object":
            row[name] = _encode(name, value)
        else:
            row[name] = value
    return row


def _decode(record: str, row: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`_encode`; a null is a field the record does not have (or an unset optional one)."""
    data: dict[str, Any] = {}
    for spec in fields.fields(record):
        value = row.get(spec.name)
        if value is None or (spec.kind == "records" and not value):
            continue  # an empty list of records is the model's default ([] or, for a span's fragments, none)
        if spec.kind == "vocab":
            data[spec.name] = _vocabulary(spec.vocabulary or "")[1][value]
        elif spec.kind == "records":
            data[spec.name] = [_decode(_RECORDS_OF[spec.name], item) for item in value]
        elif spec.kind == "object":
            data[spec.name] = _decode(spec.name, value)
        else:
            data[spec.name] = value
    return data


def document_row(data: dict[str, Any]) -> dict[str, Any]:
    """A ``documents`` row from a valid file's parsed JSON: the whole file, label columns as ``ClassLabel``
    integers (the same row as :func:`document_to_row` of its model)."""
    return _encode("document", data)


def document_to_row(document: Document) -> dict[str, Any]:
    """A ``documents`` row: the whole file, label columns as ``ClassLabel`` integers."""
    return document_row(canonical(document))


def row_to_document(row: dict[str, Any]) -> Document:
    """The inverse of :func:`document_to_row`."""
    from claimbank.format.model import Document  # pydantic: only where a model is asked for

    return Document.model_validate(_decode("document", row))


def gold_set(document: Document) -> AnnotationSet | None:
    """The document's gold annotation set, if it has one."""
    return next((s for s in document.annotation_sets if s.gold), None)


def gold_of(data: dict[str, Any]) -> dict[str, Any] | None:
    """The gold annotation set of a valid file's parsed JSON, if it has one."""
    return next((s for s in data.get("annotation_sets", ()) if s.get("gold")), None)


def _index(enum: type[Vocabulary], value: Any) -> int | None:
    return None if value is None else _vocabulary(enum.__name__)[0][value]


def _joined(span: dict[str, Any]) -> str:
    """A span's text without its gaps: its fragments' texts joined by ``FRAGMENT_SEPARATOR`` (``Span.joined_text``)."""
    parts = span.get("fragments")
    return FRAGMENT_SEPARATOR.join(f["text"] for f in parts) if parts else span["text"]


def _fragments(span: dict[str, Any]) -> list[dict[str, int]]:
    """A span's fragments as the views give them: offsets only ([] for a contiguous span)."""
    return [{"start": f["start"], "end": f["end"]} for f in span.get("fragments") or ()]


def _parts(span: dict[str, Any]) -> list[tuple[int, int]]:
    """A span's stretches of text: its fragments' offsets, or its own (``Span.parts``)."""
    parts = span.get("fragments")
    return [(f["start"], f["end"]) for f in parts] if parts else [(span["start"], span["end"])]


def _role(span: dict[str, Any] | None) -> dict[str, Any] | None:
    """A role of an attribution row: the span's joined text, its offsets and its fragments."""
    if span is None:
        return None
    return {"text": _joined(span), "start": span["start"], "end": span["end"], "fragments": _fragments(span)}


def claim_rows(
    data: dict[str, Any], gold: dict[str, Any], sentences: segment.Sentences
) -> Iterator[dict[str, Any]]:
    spans = {s["id"]: s for s in gold.get("spans", ())}
    attributions = {a["id"]: a for a in gold.get("attributions", ())}
    text, license_ = data["text"], data.get("metadata", {}).get("license")
    for claim in gold.get("claims", ()):
        span = spans[claim["span"]]
        attribution = attributions.get(claim.get("attribution") or "")
        source = spans.get(attribution.get("source") or "") if attribution else None
        cue = spans[attribution["cue"]] if attribution else None
        modality = [spans[m] for m in claim.get("modality", ())]
        s_start, s_end = sentences.covering(span["start"], span["end"])
        yield {
            "document_id": data["id"],
            "claim_id": claim["id"],
            "text": _joined(span),
            "start": span["start"],
            "end": span["end"],
            "fragments": _fragments(span),
            "sentence": text[s_start:s_end],
            "sentence_start": s_start,
            "claimer": _index(Claimer, claim["claimer"]),
            "attribution_id": attribution["id"] if attribution else None,
            "source_text": _joined(source) if source else None,
            "source_type": _index(SourceType, source.get("source_type") if source else None),
            "cue_text": _joined(cue) if cue else None,
            "cue_type": _index(CueType, cue.get("cue_type") if cue else None),
            "factuality": _index(Factuality, claim["factuality"]),
            "hedged": any(m.get("modality_type") == ModalityType.HEDGE for m in modality),
            "modality": [
                {
                    "text": m["text"],
                    "start": m["start"],
                    "end": m["end"],
                    "type": _index(ModalityType, m.get("modality_type")),
                }
                for m in modality
            ],
            "license": license_,
        }


def attribution_rows(
    data: dict[str, Any], gold: dict[str, Any], sentences: segment.Sentences
) -> Iterator[dict[str, Any]]:
    spans = {s["id"]: s for s in gold.get("spans", ())}
    text, license_ = data["text"], data.get("metadata", {}).get("license")
    for attribution in gold.get("attributions", ()):
        source = spans.get(attribution.get("source") or "")
        cue, content = spans[attribution["cue"]], spans[attribution["content"]]
        referent = spans.get(source.get("refers_to") or "") if source else None
        roles = [s for s in (source, cue, content) if s is not None]
        s_start, s_end = sentences.covering(min(s["start"] for s in roles), max(s["end"] for s in roles))
        yield {
            "document_id": data["id"],
            "attribution_id": attribution["id"],
            "kind": _index(AttributionKind, attribution["kind"]),
            "source": _role(source),
            "source_type": _index(SourceType, source.get("source_type") if source else None),
            "source_refers_to": _joined(referent) if referent else None,
            "cue": _role(cue),
            "cue_type": _index(CueType, cue.get("cue_type")),
            "content": _role(content),
            "nested_in": attribution.get("nested_in"),
            "sentence": text[s_start:s_end],
            "sentence_start": s_start,
            "license": license_,
        }


# What mapping spans onto tokens found, counted over a build (claimbank build prints it, the card records it).
NOT_ALIGNED = "spans whose edges fall inside a token"
NESTED = "spans in the nested tag layer"
UNTAGGED = "spans in neither tag layer"
ACROSS = "spans across a sentence end"
TALLY = (NOT_ALIGNED, NESTED, UNTAGGED, ACROSS)


def layered_tags(
    starts: Sequence[int],
    ends: Sequence[int],
    spans: list[tuple[int, int, str, list[tuple[int, int]]]],
    names: list[str],
    sentence_starts: Sequence[int],
    tally: Counter[str],
) -> tuple[array[int], array[int]]:
    """BIO tag indices for the tokens (``starts[i]``, ``ends[i]``) in two layers: the spans of the first, and those
    that overlap them.

    A span is mapped onto every token it overlaps; a span whose edge falls inside a token (the text has no token
    edge there, as in "Clinton's" cut after "Clinton") still tags the whole token and is counted in ``tally``.
    BIO holds one span per token, so spans are placed outermost first (by start, then longest): a span that
    overlaps one already in the first layer (the roles of a nested attribution inside its outer CONTENT, a claim
    inside a claim) goes to the second layer; one that overlaps spans in both is counted, never dropped silently.

    Each span is (start, end, label, its stretches: ``[(start, end)]``, or its fragments' offsets). A span in
    fragments is one entity: its first fragment is tagged
    ``B-X I-X …``, each later one ``I-X …`` (an ``I-`` after a gap continues the span before it), the gaps keep
    their own tags, and all of it goes in one layer. ``sentence_starts`` are the token indices where sentences
    begin (ascending), for counting the spans across a sentence end.
    """
    index = {name: i for i, name in enumerate(names)}
    layers = (_zeros(len(starts)), _zeros(len(starts)))
    for _, _, label, parts in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        ranges = []  # the tokens each stretch overlaps: tokens[first:last]
        aligned = True
        for start, end in parts:
            first, last = bisect_right(ends, start), bisect_left(starts, end)
            if first >= last:
                break
            aligned = aligned and starts[first] == start and ends[last - 1] == end
            ranges.append((first, last))
        else:
            if not aligned:
                tally[NOT_ALIGNED] += 1
            if bisect_right(sentence_starts, ranges[0][0]) != bisect_right(
                sentence_starts, ranges[-1][1] - 1
            ):
                tally[ACROSS] += 1
            inside = array("q", (index[f"I-{label}"],))
            for depth, tags in enumerate(layers):
                if not any(any(tags[first:last]) for first, last in ranges):
                    for number, (first, last) in enumerate(ranges):
                        tags[first:last] = inside * (last - first)
                        if number == 0:
                            tags[first] = index[f"B-{label}"]
                    if depth:
                        tally[NESTED] += 1
                    break
            else:
                tally[UNTAGGED] += 1
            continue
        tally[UNTAGGED] += 1  # no token at all (a valid span always has one)
    return layers


def _restarts(names: list[str]) -> dict[int, int]:
    """``I-X`` index -> ``B-X`` index, from a tag sequence's names (their order is the released one)."""
    index = {name: i for i, name in enumerate(names)}
    return {i: index[f"B-{name[2:]}"] for i, name in enumerate(names) if name.startswith("I-")}


# Per tag column (both layers): how a row that begins inside a span begins it again.
_RESTART = {
    f"{layer}{name}": _restarts(features.tag_names(name))
    for name in features.TAG_SEQUENCES
    for layer in ("", "nested_")
}


class Texts:
    """Strings end to end: their UTF-8 bytes and each one's length in bytes, the buffers of an Arrow string array
    (:meth:`arrow`). A token view holds no Python string per token: a document's tokens cost one block of bytes
    to make (:func:`segment.token_texts`), to send from a worker process (``--jobs``) and to append, where a list
    of strings cost a Python object per token each time. Sliced and iterated like a list of strings."""

    def __init__(self, data: bytes = b"", lengths: array[int] | None = None) -> None:
        self.data = bytearray(data)
        self.lengths = array("q") if lengths is None else lengths

    def __len__(self) -> int:
        return len(self.lengths)

    def extend(self, other: Texts) -> None:
        self.data += other.data
        self.lengths.extend(other.lengths)

    def _offsets(self) -> npt.NDArray[np.int64]:
        return np.concatenate(([0], np.frombuffer(self.lengths, np.int64).cumsum()))

    def __getitem__(self, part: slice) -> Texts:
        first, last, step = part.indices(len(self))
        if step != 1:
            raise ValueError("a stretch of strings, not every other one")
        offsets = self._offsets()
        return Texts(bytes(self.data[offsets[first] : offsets[max(first, last)]]), self.lengths[first:last])

    def __iter__(self) -> Iterator[str]:
        offsets = self._offsets().tolist()
        for start, end in pairwise(offsets):
            yield self.data[start:end].decode("utf-8")

    def arrow(self) -> pa.Array:
        """The strings as one Arrow string array (32-bit offsets: a table holds far less than 2 GiB of text)."""
        offsets = self._offsets().astype(np.int32)
        return pa.StringArray.from_buffers(len(self), pa.py_buffer(offsets), pa.py_buffer(bytes(self.data)))


class Columns:
    """Rows of a config column by column: ``scalars`` one value per row; ``lists`` every row's list end to end, each
    row ``lengths[i]`` long (the same for every list column). A writer appends documents' columns and makes one
    Arrow table of many documents (:meth:`table`): each ``pa.array`` call has a fixed cost (~0.1 ms) that one call
    per document and column would pay ~20 times per document. A list column of integers (offsets, tags) is an
    ``array('q')``, 64-bit integers end to end, and one of strings (the tokens) is :class:`Texts`: Arrow takes
    their memory as it is (no conversion per value), and they travel from a worker process as blocks of bytes
    (``--jobs``)."""

    def __init__(
        self, scalars: dict[str, list[Any]], lists: dict[str, Texts | array[int]], lengths: list[int]
    ) -> None:
        self.scalars, self.lists, self.lengths = scalars, lists, lengths

    def __len__(self) -> int:
        return len(self.lengths)

    def extend(self, other: Columns) -> None:
        for name, values in other.scalars.items():
            self.scalars[name].extend(values)
        for name, items in other.lists.items():
            self.lists[name].extend(items)  # type: ignore[arg-type]  # texts by texts, an array by an array
        self.lengths.extend(other.lengths)

    def empty(self) -> Columns:
        """A :class:`Columns` with the same columns, of the same kinds, and no rows."""
        return Columns({n: [] for n in self.scalars}, {n: v[:0] for n, v in self.lists.items()}, [])

    def table(self, schema: pa.Schema) -> pa.Table:
        """The rows as one Arrow table of ``schema`` (one chunk per column)."""
        offsets = pa.array(list(accumulate(self.lengths, initial=0)), pa.int32())
        arrays = []
        for field in schema:
            if field.name in self.lists:
                items = self.lists[field.name]
                if isinstance(items, Texts):
                    values = items.arrow()
                else:
                    values = pa.Array.from_buffers(pa.int64(), len(items), [None, pa.py_buffer(items)])
                arrays.append(pa.ListArray.from_arrays(offsets, values, type=field.type))
            else:
                arrays.append(pa.array(self.scalars[field.name], field.type))
        return pa.Table.from_arrays(arrays, schema=schema)

    def to_pylist(self) -> list[dict[str, Any]]:
        rows, first = [], 0
        lists = {name: list(values) for name, values in self.lists.items()}  # texts decoded once
        for i, length in enumerate(self.lengths):
            row = {name: values[i] for name, values in self.scalars.items()}
            row.update({name: values[first : first + length] for name, values in lists.items()})
            rows.append(row)
            first += length
        return rows


def _zeros(count: int) -> array[int]:
    return array("q", bytes(8 * count))


def token_views(
    data: dict[str, Any], gold: dict[str, Any], sentences: segment.Sentences, tally: Counter[str]
) -> tuple[Columns, Columns]:
    """The ``tokens`` row (the whole text) and the ``sentences`` rows (one per sentence that holds a token) of a
    document: the same token, offset and tag lists, cut at sentence ends in the second, where a row that begins
    inside a span begins it again with ``B-``."""
    text = data["text"]
    starts, ends = segment.token_offsets(text)
    count = len(starts)
    bounds = sentences.bounds
    # Token index where each sentence's tokens begin (a token before the first sentence belongs to it).
    cuts = [0, *(bisect_left(starts, start) for start in sentences.starts[1:]), count]
    rows = [k for k in range(len(bounds)) if cuts[k] < cuts[k + 1]]
    tags: dict[str, array[int]] = {}
    for name, sequence in features.TAG_SEQUENCES.items():
        spans = [
            (s["start"], s["end"], s["label"], _parts(s))
            for s in gold.get("spans", ())
            if s["label"] in sequence
        ]
        outer, nested = layered_tags(starts, ends, spans, features.tag_names(name), cuts, tally)
        tags[name], tags[f"nested_{name}"] = outer, nested
    lists: dict[str, Texts | array[int]] = {"tokens": Texts(*segment.token_texts(text, starts, ends))}
    lists.update(starts=starts, ends=ends)
    document_id, license_ = data["id"], data.get("metadata", {}).get("license")
    whole = Columns({"document_id": [document_id], "license": [license_]}, {**lists, **tags}, [count])
    firsts = [cuts[k] for k in rows]
    cut_tags = {}
    for name, column in tags.items():
        restart, cut = _RESTART[name], column
        for first in firsts:
            if column[first] in restart:
                if cut is column:
                    cut = array("q", column)
                cut[first] = restart[column[first]]
        cut_tags[name] = cut
    edges = [(min(bounds[k][0], starts[cuts[k]]), max(bounds[k][1], ends[cuts[k + 1] - 1])) for k in rows]
    scalars = {
        "document_id": [document_id] * len(rows),
        "sentence_index": rows,
        "start": [s for s, _ in edges],
        "end": [e for _, e in edges],
        "text": [text[s:e] for s, e in edges],
        "license": [license_] * len(rows),
    }
    lengths = [cuts[k + 1] - cuts[k] for k in rows]
    return whole, Columns(scalars, {**lists, **cut_tags}, lengths)


# The rows of one config for one document: Python rows (documents, claims, attributions) or columns (tokens,
# sentences).
Rows = list[dict[str, Any]] | Columns


def view_rows(data: dict[str, Any], tally: Counter[str] | None = None) -> dict[str, Rows]:
    """The rows of every config for one valid file's parsed JSON (only ``documents`` when it has no gold set).
    What mapping spans onto tokens found is added to ``tally``."""
    rows: dict[str, Rows] = {config: [] for config in features.CONFIGS}
    rows["documents"] = [document_row(data)]
    gold = gold_of(data)
    if gold is None:
        return rows
    tally = Counter() if tally is None else tally
    sentences = segment.Sentences(data["text"])
    rows["claims"] = list(claim_rows(data, gold, sentences))
    rows["attributions"] = list(attribution_rows(data, gold, sentences))
    rows["tokens"], rows["sentences"] = token_views(data, gold, sentences, tally)
    return rows


def as_pylist(rows: Rows) -> list[dict[str, Any]]:
    """Rows of :func:`view_rows` as Python rows, whichever form they have."""
    return rows if isinstance(rows, list) else rows.to_pylist()
